// Executors — concurrent.futures: ThreadPoolExecutor, ProcessPoolExecutor, PoolExecutor (backend from configuration).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone, recorder, rejectsNamed, throwsNamed, until, use } from '../fixtures/api/helpers.mjs';

const { ThreadPoolExecutor, ProcessPoolExecutor, PoolExecutor } = api;
const { square, add, sleep, whoamiSlow, waitForRelease } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

test('ThreadPoolExecutor: every task in this process, threads named ThreadPoolExecutor-K_N', { timeout: 30_000 }, async (t) => {
  const trace = recorder();
  const ex = use(t, new ThreadPoolExecutor({ maxWorkers: 2, module: TASKS_URL, onTrace: trace.onTrace }));
  assert.equal(ex.backend, 'thread');
  assert.equal(ex.maxWorkers, 2);
  const who = await Promise.all([1, 2, 3, 4].map(() => ex.submit(whoamiSlow, 100).result()));
  assert.deepEqual(new Set(who.map((w) => w.process.pid)), new Set([process.pid]));
  for (const w of who) {
    assert.equal(w.process.name, 'MainProcess');
    assert.match(w.thread.name, /^ThreadPoolExecutor-\d+_[01]$/);
    assert.notEqual(w.thread.ident, 0);
  }
  const names = trace.of('worker-start').map((e) => e.name).sort();
  const k = names[0].match(/^ThreadPoolExecutor-(\d+)_/)[1];
  assert.deepEqual(names, [`ThreadPoolExecutor-${k}_0`, `ThreadPoolExecutor-${k}_1`]);
});

test('ProcessPoolExecutor: tasks in child processes named SpawnProcess-N, each its own PID', { timeout: 30_000 }, async (t) => {
  const ex = use(t, new ProcessPoolExecutor({ maxWorkers: 2, module: TASKS_URL }));
  assert.equal(ex.backend, 'process');
  const who = await Promise.all([1, 2, 3, 4].map(() => ex.submit(whoamiSlow, 150).result()));
  const pids = new Set(who.map((w) => w.process.pid));
  assert.ok(!pids.has(process.pid));
  assert.ok(pids.size >= 1 && pids.size <= 2);
  for (const w of who) {
    assert.match(w.process.name, /^SpawnProcess-\d+$/);
    assert.equal(w.thread.name, 'MainThread');
  }
});

test('PoolExecutor takes its backend from POOLSCOPE_BACKEND, then from configureRuntime(), an explicit one wins', { timeout: 30_000 }, async (t) => {
  const saved = process.env.POOLSCOPE_BACKEND;
  try {
    process.env.POOLSCOPE_BACKEND = 'process';
    {
      const ex = new PoolExecutor({ maxWorkers: 1, module: TASKS_URL });
      assert.equal(ex.backend, 'process');
      const who = await ex.submit(tasks.whoami).result();
      assert.notEqual(who.process.pid, process.pid);
      await ex[Symbol.asyncDispose]();
    }
    process.env.POOLSCOPE_BACKEND = 'nonsense';
    assert.throws(() => new PoolExecutor({ module: TASKS_URL }), { name: 'RangeError' });
    delete process.env.POOLSCOPE_BACKEND;
    {
      const ex = new PoolExecutor({ maxWorkers: 1, module: TASKS_URL });
      assert.equal(ex.backend, 'thread', 'threads when nothing is configured');
      await ex.shutdown();
    }
    api.configureRuntime({ defaultBackend: 'event-loop', defaultWorkers: 3, defaultModule: TASKS_URL });
    {
      const ex = use(t, new PoolExecutor());
      assert.equal(ex.backend, 'event-loop');
      assert.equal(ex.maxWorkers, 3);
      assert.equal(await ex.submit(add, 2, 3).result(), 5);
      const explicit = use(t, new PoolExecutor({ backend: 'serial', maxWorkers: 1 }));
      assert.equal(explicit.backend, 'serial');
      assert.equal(await explicit.submit(add, 1, 1).result(), 2);
    }
  } finally {
    api.resetRuntime();
    if (saved === undefined) delete process.env.POOLSCOPE_BACKEND;
    else process.env.POOLSCOPE_BACKEND = saved;
  }
});

test('executor.map(fn, ...iterables) zips the iterables and yields in input order', { timeout: 30_000 }, async (t) => {
  const ex = use(t, new ThreadPoolExecutor({ maxWorkers: 2, module: TASKS_URL }));
  assert.deepEqual(await ex.map(add, [1, 2, 3], [10, 20, 30, 40]).toArray(), [11, 22, 33]);
  const out = [];
  for await (const v of ex.map(sleep, [120, 10, 60], { timeout: 20_000, chunksize: 2 })) out.push(v);
  assert.deepEqual(out, [120, 10, 60]);
  assert.throws(() => ex.map(square, [1], { chunksize: 0 }), { name: 'RangeError' });
});

test('executor.map(…, { timeout }) raises TimeoutError when a result is late', { timeout: 30_000 }, async (t) => {
  const ex = use(t, new ThreadPoolExecutor({ maxWorkers: 2, module: TASKS_URL }));
  await ex.submit(square, 1).result(); // workers up: the timeout below measures the tasks, not start-up
  const results = ex.map(sleep, [10, 1500], { timeout: 700 });
  assert.deepEqual(await results.next(), { value: 10, done: false });
  await rejectsNamed(results.next(), 'TimeoutError');
});

test('shutdown({ cancelFutures: true }) cancels pending futures; the running one completes', { timeout: 30_000 }, async (t) => {
  const ex = new ThreadPoolExecutor({ maxWorkers: 1, module: TASKS_URL, engine: { pipeline: 1 } });
  // The first task runs until released: it is surely still running when shutdown() is called, however slow the machine.
  const gate = new SharedArrayBuffer(4);
  const release = () => { Atomics.store(new Int32Array(gate), 0, 1); Atomics.notify(new Int32Array(gate), 0); };
  t.after(release);
  const first = ex.submit(waitForRelease, gate, 'first');
  const rest = [1, 2, 3, 4].map((x) => ex.submit(square, x));
  await until(() => first.running(), 10_000, 'the first task to start');
  const shutdown = ex.shutdown({ wait: true, cancelFutures: true });
  assert.equal(first.done(), false, 'the first task is still running');
  release();
  await shutdown;
  assert.equal(await first.result(), 'first');
  assert.ok(rest.every((f) => f.cancelled()), `cancelled: ${rest.map((f) => f.cancelled())}`);
  for (const f of rest) await rejectsNamed(f.result(), 'CancelledError');
  throwsNamed(() => ex.submit(square, 1), 'PoolClosed');
});

test('[Symbol.asyncDispose]() (what `await using` calls) is shutdown({ wait: true }): pending futures finish', { timeout: 30_000 }, async () => {
  const ex = new ProcessPoolExecutor({ maxWorkers: 2, module: TASKS_URL });
  const futures = [50, 60, 70, 80].map((ms) => ex.submit(sleep, ms));
  await ex[Symbol.asyncDispose]();
  assert.ok(futures.every((f) => f.done() && !f.cancelled()));
  assert.deepEqual(await Promise.all(futures.map((f) => f.result())), [50, 60, 70, 80]);
  assert.deepEqual(await childrenGone(), []);
});

test('shutdown({ wait: false }) returns at once; the work still finishes', { timeout: 30_000 }, async () => {
  const ex = new ThreadPoolExecutor({ maxWorkers: 1, module: TASKS_URL });
  const f = ex.submit(sleep, 200, 'later');
  await ex.shutdown({ wait: false });
  assert.equal(f.done(), false);
  assert.equal(await f.result(), 'later');
});
