// Python's future states while tasks are pipelined (issue 17). A worker is sent tasks ahead of the one it runs;
// such a task has not started:
// - thread rule (ThreadPoolExecutor, PoolExecutor on threads): it is pending — running() is false and cancel()
//   succeeds; the worker then skips it, exactly once decided with the worker (it never runs after cancel() said
//   true, and cancel() never says true for one that began);
// - ProcessPoolExecutor follows CPython: a call handed to a worker (CPython: moved to the call queue) counts as
//   running and can no longer be cancelled.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone, recorder, rejectsNamed, until, use } from '../fixtures/api/helpers.mjs';

const { ThreadPoolExecutor, ProcessPoolExecutor, PoolExecutor } = api;
const { square, spin } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

for (const [name, make] of /** @type {const} */ ([
  ['ThreadPoolExecutor', (trace) => new ThreadPoolExecutor({ maxWorkers: 1, module: TASKS_URL, onTrace: trace.onTrace })],
  ['PoolExecutor(thread)', (trace) => new PoolExecutor({ backend: 'thread', maxWorkers: 1, module: TASKS_URL, onTrace: trace.onTrace })],
])) {
  test(`${name}: a call sent ahead behind a running one is pending — running() false, cancel() true, it never runs`, { timeout: 60_000 }, async (t) => {
    const trace = recorder();
    const ex = use(t, make(trace));
    // Both are handed to the one worker together (two in flight before task lengths are known).
    const a = ex.submit(spin, 1500, 'spun');
    const b = ex.submit(square, 7);
    await until(() => a.running(), 20_000, 'the first call to start');
    assert.equal(b.running(), false, 'sent ahead, not started: not running');
    assert.equal(b.done(), false);
    assert.equal(String(b), 'Future<square> pending');
    assert.equal(b.cancel(), true);
    assert.equal(b.cancelled(), true);
    assert.equal(b.done(), true);
    assert.equal(a.cancel(), false, 'the running call cannot be cancelled');
    await rejectsNamed(b.result(), 'CancelledError');
    assert.equal(await a.result(), 'spun');
    await ex.shutdown();
    // b never started, and its worker was not stopped for it: one worker, one task-start, one ok task-end.
    assert.equal(trace.of('worker-start').length, 1);
    assert.equal(trace.of('task-start').length, 1);
    const ends = trace.of('task-end');
    assert.equal(ends.length, 2);
    assert.deepEqual(ends.filter((e) => !e.ok).map((e) => e.error.name), ['CancelledError']);
    assert.match(ends.find((e) => e.ok).resultPreview, /spun/);
  });
}

test('thread rule, exactly once: cancel() during a stream of short pipelined calls — true means it never ran, false means it ran', { timeout: 60_000 }, async (t) => {
  const trace = recorder();
  const ex = use(t, new ThreadPoolExecutor({ maxWorkers: 1, module: TASKS_URL, onTrace: trace.onTrace }));
  await ex.submit(square, 0).result(); // worker up; short tasks now go 16 deep
  const n = 400;
  const futures = Array.from({ length: n }, (_, i) => ex.submit(square, i + 1));
  const answers = new Map();
  // Cancel every other call over several turns of the event loop, while the worker is taking them.
  for (let i = 1; i < n; i += 2) {
    answers.set(i, futures[i].cancel());
    if (i % 40 === 1) await new Promise((resolve) => setImmediate(resolve));
  }
  await ex.shutdown();
  const ran = new Set(trace.of('task-end').filter((e) => e.ok).map((e) => Number(e.resultPreview)));
  let cancelled = 0;
  for (let i = 0; i < n; i++) {
    const value = (i + 1) ** 2;
    if (answers.get(i) === true) {
      cancelled++;
      assert.equal(futures[i].cancelled(), true);
      assert.equal(ran.has(value), false, `call ${i} was cancelled but ran`);
      await rejectsNamed(futures[i].result(), 'CancelledError');
    } else {
      assert.equal(await futures[i].result(), value);
      assert.equal(ran.has(value), true);
    }
  }
  assert.ok(cancelled > 0, 'some calls were still pending when cancelled');
  // No worker was stopped to cancel a call that had not started.
  assert.equal(trace.of('worker-exit').filter((e) => e.reason === 'killed').length, 0);
});

test('ProcessPoolExecutor follows CPython: a call handed to a worker counts as running; cancel() is false and it runs', { timeout: 60_000 }, async (t) => {
  const ex = use(t, new ProcessPoolExecutor({ maxWorkers: 1, module: TASKS_URL }));
  const a = ex.submit(spin, 1500, 'spun');
  const b = ex.submit(square, 7);
  const c = ex.submit(square, 8); // the third stays in the pool's queue (two in flight at first)
  await until(() => a.running(), 20_000, 'the first call to start');
  assert.equal(b.running(), true, 'in the worker\'s hands (CPython: the call queue)');
  assert.equal(b.cancel(), false);
  assert.equal(c.running(), false, 'still in the pool\'s own queue: pending');
  assert.equal(c.cancel(), true);
  assert.equal(await a.result(), 'spun');
  assert.equal(await b.result(), 49);
  await rejectsNamed(c.result(), 'CancelledError');
});
