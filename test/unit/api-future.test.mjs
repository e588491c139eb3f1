// Future — Python's concurrent.futures.Future: result(), exception(), cancel() only while pending, callbacks.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone, rejectsNamed, until, use } from '../fixtures/api/helpers.mjs';

const { ThreadPoolExecutor, ProcessPoolExecutor } = api;
const { square, sleep, spin, fail } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

test('future.result() / exception() / done() on success and on failure', { timeout: 30_000 }, async (t) => {
  const ex = use(t, new ThreadPoolExecutor({ maxWorkers: 2, module: TASKS_URL }));
  const ok = ex.submit(square, 6);
  const bad = ex.submit(fail, 'bad input');
  assert.equal(ok.done(), false);
  assert.equal(await ok.result(), 36);
  assert.equal(await ok.exception(), undefined);
  assert.equal(ok.done(), true);
  assert.equal(ok.cancelled(), false);
  const error = await rejectsNamed(bad.result(), 'RangeError');
  assert.equal(error.message, 'bad input');
  assert.equal((await bad.exception()).name, 'RangeError');
  assert.equal(bad.done(), true);
});

test('cancel() is true only for a pending future; a running or finished one cannot be cancelled', { timeout: 30_000 }, async (t) => {
  const ex = use(t, new ThreadPoolExecutor({ maxWorkers: 1, module: TASKS_URL, engine: { pipeline: 1 } }));
  const running = ex.submit(spin, 1500, 'spun');
  const pending = ex.submit(square, 3);
  await until(() => running.running(), 10_000, 'the first task to start');
  assert.equal(running.cancel(), false);
  assert.equal(running.cancelled(), false);
  assert.equal(pending.running(), false);
  assert.equal(pending.cancel(), true);
  assert.equal(pending.cancel(), true, 'cancelling again still answers true');
  assert.equal(pending.cancelled(), true);
  assert.equal(pending.done(), true);
  await rejectsNamed(pending.result(), 'CancelledError');
  await rejectsNamed(pending.exception(), 'CancelledError');
  assert.equal(await running.result(), 'spun');
  assert.equal(running.cancel(), false, 'a finished future cannot be cancelled');
});

test('result({ timeout }) raises TimeoutError while the call keeps running', { timeout: 30_000 }, async (t) => {
  const ex = use(t, new ProcessPoolExecutor({ maxWorkers: 1, module: TASKS_URL }));
  const f = ex.submit(sleep, 700, 'done');
  await rejectsNamed(f.result({ timeout: 30 }), 'TimeoutError');
  await rejectsNamed(f.exception({ timeout: 30 }), 'TimeoutError');
  assert.equal(f.done(), false);
  assert.equal(await f.result({ timeout: 20_000 }), 'done');
});

test('addDoneCallback runs once when done, and at once for a future that is already done', { timeout: 30_000 }, async (t) => {
  // One task in flight at a time, so the second submission below is still pending when cancelled.
  const ex = use(t, new ThreadPoolExecutor({ maxWorkers: 1, module: TASKS_URL, engine: { pipeline: 1 } }));
  const f = ex.submit(sleep, 50, 'x');
  const calls = [];
  f.addDoneCallback((future) => calls.push(['first', future === f, future.done()]));
  f.addDoneCallback(() => { throw new Error('a failing callback is logged, not fatal'); });
  await f.result();
  await until(() => calls.length === 1, 5000, 'the done callback');
  f.addDoneCallback(() => calls.push(['late']));
  assert.deepEqual(calls, [['first', true, true], ['late']]);
  const cancelledCalls = [];
  const blocker = ex.submit(sleep, 300);
  const g = ex.submit(square, 2);
  g.addDoneCallback((future) => cancelledCalls.push(future.cancelled()));
  assert.equal(g.cancel(), true);
  await blocker.result();
  await until(() => cancelledCalls.length === 1, 5000, 'the cancelled future\'s callback');
  assert.deepEqual(cancelledCalls, [true]);
});
