// Pool — Python's multiprocessing.Pool semantics on every backend.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone, recorder, rejectsNamed, throwsNamed} from '../fixtures/api/helpers.mjs';

const { Pool } = api;
const { square, add, sleep, spin, fail, whoami } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), [], 'no worker process may outlive the tests');
});

for (const backend of /** @type {const} */ (['serial', 'event-loop', 'thread', 'process'])) {
  test(`new Pool(2, { backend: '${backend}' }).map(square, xs) returns results in input order`, { timeout: 30_000 }, async () => {
    const pool = new Pool(2, { backend, module: TASKS_URL });
    try {
      assert.equal(pool.backend, backend);
      // Serial is one worker whatever size was asked for.
      assert.equal(pool.processes, backend === 'serial' ? 1 : 2);
      // Later items finish first (shorter sleeps) — the result list is still in input order.
      assert.deepEqual(await pool.map(sleep, [120, 60, 30, 10, 0]), [120, 60, 30, 10, 0]);
      assert.deepEqual(await pool.map(square, [1, 2, 3, 4]), [1, 4, 9, 16]);
      assert.deepEqual(await pool.starmap(add, [[1, 2], [3, 4]]), [3, 7]);
      assert.equal(await pool.apply(add, [20, 22]), 42);
    } finally {
      pool.close();
      await pool.join();
    }
  });
}

test('pool.apply(fail) rejects with the remote error: its name and message', { timeout: 30_000 }, async () => {
  const pool = new Pool(1, { backend: 'thread', module: TASKS_URL });
  try {
    const error = await rejectsNamed(pool.apply(fail, ['no good']), 'RangeError');
    assert.equal(error.message, 'no good');
    // The pool keeps working after a failed task.
    assert.equal(await pool.apply(square, [5]), 25);
  } finally {
    await pool.terminate();
  }
});

test('pool.map(checkPositive, [1, -2, 3]) rejects with the failing item\'s error', { timeout: 30_000 }, async () => {
  const pool = new Pool(2, { backend: 'thread', module: TASKS_URL });
  try {
    const error = await rejectsNamed(pool.map(tasks.checkPositive, [1, -2, 3]), 'RangeError');
    assert.equal(error.message, 'negative: -2');
  } finally {
    await pool.terminate();
  }
});

test('pool.imap(sleep, xs) yields in input order; imapUnordered in completion order', { timeout: 30_000 }, async () => {
  // One event-loop thread, three tasks in flight: their timers overlap, so completion order is the timers' order.
  const pool = new Pool(3, { backend: 'event-loop', module: TASKS_URL });
  try {
    assert.deepEqual(await pool.imap(sleep, [300, 10, 150]).toArray(), [300, 10, 150]);
    const unordered = [];
    for await (const ms of pool.imapUnordered(sleep, [300, 10, 150])) unordered.push(ms);
    assert.deepEqual(unordered, [10, 150, 300]);
  } finally {
    pool.close();
    await pool.join();
  }
});

test('imapUnordered on a thread pool yields each result once, fastest first', { timeout: 30_000 }, async () => {
  const pool = new Pool(2, { backend: 'thread', module: TASKS_URL });
  try {
    await pool.map(square, [1, 2]); // workers up
    const order = [];
    for await (const ms of pool.imapUnordered(sleep, [600, 5])) order.push(ms);
    assert.deepEqual(order, [5, 600]);
  } finally {
    await pool.terminate();
  }
});

test('imapUnordered: next() called again before the last one settled hands out results in completion order; a break ends it', { timeout: 30_000 }, async () => {
  const pool = new Pool(3, { backend: 'event-loop', module: TASKS_URL });
  try {
    const results = pool.imapUnordered(sleep, [300, 5, 100]);
    // Three next() calls at once, none awaited before the others: each gets the next result to arrive.
    const firstThree = await Promise.all([results.next(), results.next(), results.next()]);
    assert.deepEqual(firstThree.map((r) => r.value), [5, 100, 300]);
    assert.deepEqual(await results.next(), { value: undefined, done: true });
    // A break while results are still due ends the iteration; what arrives later is dropped.
    const more = pool.imapUnordered(sleep, [5, 200]);
    const seen = [];
    for await (const ms of more) {
      seen.push(ms);
      break;
    }
    assert.deepEqual(seen, [5]);
    assert.deepEqual(await more.next(), { value: undefined, done: true });
  } finally {
    pool.close();
    await pool.join();
  }
});

test('imapUnordered: results in completion order until a failure, which is thrown at its turn and ends the iteration', { timeout: 30_000 }, async () => {
  // One event-loop thread, all in flight: completion order is the timers' order — 10 ok, 100 fails, 400 ok.
  const pool = new Pool(3, { backend: 'event-loop', module: TASKS_URL });
  try {
    const seen = [];
    const results = pool.imapUnordered(tasks.sleepOrFail, [400, 100, 10]);
    /** @type {any} */
    let error;
    try {
      for await (const ms of results) seen.push(ms);
    } catch (e) {
      error = e;
    }
    assert.deepEqual(seen, [10]);
    assert.equal(error?.name, 'RangeError');
    assert.match(error.message, /100 failed/);
    assert.deepEqual(await results.next(), { value: undefined, done: true }, 'the iteration ended with the failure');
  } finally {
    pool.close();
    await pool.join();
  }
});

test('after close(), submissions throw PoolClosed ("Pool not running"); join() waits for queued work', { timeout: 30_000 }, async () => {
  const pool = new Pool(1, { backend: 'thread', module: TASKS_URL });
  const pending = pool.applyAsync(sleep, [100, 'finished']);
  pool.close();
  throwsNamed(() => pool.applyAsync(square, [2]), 'PoolClosed');
  await rejectsNamed(pool.map(square, [1]), 'PoolClosed');
  await rejectsNamed(pool.apply(square, [1]), 'PoolClosed');
  await pool.join();
  // Work submitted before close() still ran to the end.
  assert.equal(pending.ready(), true);
  assert.equal(await pending.get(), 'finished');
});

test('join() on a running pool throws InvalidStateError (Python: ValueError)', { timeout: 30_000 }, async () => {
  const pool = new Pool(1, { backend: 'serial', module: TASKS_URL });
  await rejectsNamed(pool.join(), 'InvalidStateError');
  pool.close();
  await pool.join();
});

test('terminate() with tasks running: they fail with PoolTerminated and no worker is left', { timeout: 30_000 }, async () => {
  const trace = recorder();
  const pool = new Pool(2, { backend: 'process', module: TASKS_URL, onTrace: trace.onTrace });
  const pids = new Set((await pool.map(whoami, [1, 2])).map((w) => w.process.pid));
  const running = [pool.applyAsync(spin, [20_000]), pool.applyAsync(spin, [20_000]), pool.applyAsync(square, [3])];
  await pool.terminate();
  for (const r of running) {
    assert.equal(r.ready(), true);
    await rejectsNamed(r.get(), 'PoolTerminated');
  }
  throwsNamed(() => pool.applyAsync(square, [1]), 'PoolClosed');
  await pool.join(); // allowed after terminate()
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} must be gone`);
  assert.ok(trace.of('worker-exit').length >= 2);
  assert.equal(trace.of('run-end').length, 1);
});

test('maxtasksperchild: 2 recycles the worker every 2 tasks (new worker-start events, new names)', { timeout: 30_000 }, async () => {
  const trace = recorder();
  const pool = new Pool(1, { backend: 'process', module: TASKS_URL, maxtasksperchild: 2, onTrace: trace.onTrace });
  const ran = await pool.map(whoami, [1, 2, 3, 4, 5, 6]);
  pool.close();
  await pool.join();
  const starts = trace.of('worker-start');
  assert.ok(starts.length >= 3, `expected ≥ 3 worker starts for 6 tasks at 2 per worker, got ${starts.length}`);
  assert.ok(trace.of('worker-exit').filter((e) => e.reason === 'recycled').length >= 2);
  // A recycled worker is a new process with the next Python-like number.
  const pids = new Set(ran.map((w) => w.process.pid));
  assert.ok(pids.size >= 3, `expected ≥ 3 distinct worker PIDs, got ${pids.size}`);
  const names = new Set(starts.map((e) => e.name));
  assert.equal(names.size, starts.length);
  for (const name of names) assert.match(name, /^SpawnPoolWorker-\d+$/);
});

test('a function that is not exported by the task module is refused with NotExported', { timeout: 30_000 }, async () => {
  const pool = new Pool(1, { backend: 'thread', module: TASKS_URL });
  try {
    function local(x) { return x; }
    await rejectsNamed(pool.apply(local, [1]), 'NotExported');
    // Same name as an export, but not that very function: refused too (functions travel by reference).
    const square = (x) => x * x;
    const error = await rejectsNamed(pool.apply(square, [1]), 'NotExported');
    assert.match(error.message, /different function/);
    // Once the module is loaded, the refusal is immediate (at submit, like pickling in Python).
    throwsNamed(() => pool.applyAsync(local, [1]), 'NotExported');
    // An export under another name is found by identity.
    assert.equal(await pool.apply(tasks.squareAlias, [4]), 16);
    // Export names work too.
    assert.equal(await pool.apply('add', [1, 2]), 3);
  } finally {
    await pool.terminate();
  }
});

test('the pool emits the engine\'s events plus main-wait spans labelled with the call', { timeout: 30_000 }, async () => {
  const trace = recorder();
  const pool = new Pool(2, { backend: 'thread', module: TASKS_URL, onTrace: trace.onTrace });
  await pool.map(sleep, [50, 50, 50]);
  pool.close();
  await pool.join();
  assert.equal(trace.of('task-end').filter((e) => e.ok).length, 3);
  const waits = trace.of('main-wait');
  assert.ok(waits.some((e) => e.label === 'pool.map(sleep) × 3'), `labels: ${waits.map((e) => e.label)}`);
  for (const w of waits) assert.ok(w.end > w.start);
  assert.ok(trace.of('run-start')[0].label.startsWith('Pool(2)'));
});

test('pool[Symbol.asyncDispose]() (what `await using` calls) terminates the pool, as Python\'s with-block does', { timeout: 30_000 }, async () => {
  const pool = new Pool(2, { backend: 'process', module: TASKS_URL });
  assert.deepEqual(await pool.map(square, [1, 2, 3]), [1, 4, 9]);
  const unfinished = pool.applyAsync(spin, [20_000]);
  await pool[Symbol.asyncDispose]();
  await rejectsNamed(unfinished.get(), 'PoolTerminated');
  throwsNamed(() => pool.applyAsync(square, [1]), 'PoolClosed');
  assert.deepEqual(await childrenGone(), []);
});

test('new Pool(0) and bad chunksize throw RangeError; no module throws NoTaskModule', async () => {
  assert.throws(() => new Pool(0, { module: TASKS_URL }), { name: 'RangeError' });
  assert.throws(() => new Pool(1, { module: TASKS_URL, maxtasksperchild: 0 }), { name: 'RangeError' });
  assert.throws(() => new Pool(1, { backend: 'serial' }), { name: 'NoTaskModule' });
  const pool = new Pool(1, { backend: 'serial', module: TASKS_URL });
  await rejectsNamed(pool.map(square, [1], 0), 'RangeError');
  assert.deepEqual(await pool.map(square, [1, 2, 3], 2), [1, 4, 9]);
  pool.close();
  await pool.join();
});

for (const backend of /** @type {const} */ (['thread', 'process'])) {
  test(`a task module that cannot load in workers breaks the pool (${backend}): PoolBroken, then refused at submit`, { timeout: 30_000 }, async () => {
    const broken = await import('../fixtures/api/broken-in-workers.mjs');
    const url = new URL('../fixtures/api/broken-in-workers.mjs', import.meta.url).href;
    const pool = new Pool(2, { backend, module: url });
    try {
      const error = await rejectsNamed(pool.map(broken.square, [1, 2, 3]), 'PoolBroken');
      assert.match(error.message, /refuses to load in a worker/);
      // Like Python's BrokenProcessPool: a broken pool takes no new work.
      throwsNamed(() => pool.applyAsync(broken.square, [1]), 'PoolBroken');
    } finally {
      await pool.terminate();
    }
  });
}

test('engine errors reach the API by name: TaskTimeout (timeout option) and WorkerCrashed (process.exit in a task)', { timeout: 30_000 }, async () => {
  const pool = new Pool(1, { backend: 'process', module: TASKS_URL, timeout: 300 });
  try {
    const timedOut = await rejectsNamed(pool.apply(spin, [10_000]), 'TaskTimeout');
    assert.equal(timedOut.data.timeoutMs, 300);
    const crashed = await rejectsNamed(pool.apply(tasks.exitNow, [3]), 'WorkerCrashed');
    assert.equal(crashed.data.exitCode, 3);
    // The worker was replaced: the pool keeps working.
    assert.equal(await pool.apply(square, [4]), 16);
  } finally {
    await pool.terminate();
  }
});
