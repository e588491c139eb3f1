// TaskHandle.cancel(): a queued task is removed; a running one stops with its worker recycled.
// Either way it rejects with CancelledError, and other tasks are unaffected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, eventually, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

test('thread: cancel() a queued task → CancelledError, never starts; the others run', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1 });
  const first = pool.submit('sleep', [100]);
  const queued = pool.submit('square', [5]);
  const last = pool.submit('square', [6]);
  assert.equal(queued.state, 'queued');
  assert.equal(queued.cancel(), true);
  assert.equal(queued.cancel(), false, 'a settled task cannot be cancelled again');
  assert.equal((await rejection(queued.promise)).name, 'CancelledError');
  assert.equal(queued.state, 'cancelled');
  assert.equal(await first.promise, 100);
  assert.equal(await last.promise, 36);
  await pool.close();
  assert.equal(ofType(events, 'task-start').filter((e) => e.taskId === queued.taskId).length, 0);
  const end = ofType(events, 'task-end').find((e) => e.taskId === queued.taskId);
  assert.equal(end.error.name, 'CancelledError');
  await assertNothingLeft(events);
});

for (const backend of ['thread', 'process']) {
  test(`${backend}: cancel() a running infinite loop → CancelledError, worker stopped and replaced`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    await pool.submit('square', [1]).promise;
    const loop = pool.submit('forever', []);
    await eventually(events, (e) => e.type === 'task-start' && e.taskId === loop.taskId);
    assert.equal(loop.cancel(), true);
    assert.equal((await rejection(loop.promise)).name, 'CancelledError');
    assert.equal(await pool.submit('square', [8]).promise, 64);
    await eventually(events, (e) => e.type === 'worker-exit' && e.reason === 'killed');
    await pool.close();
    assert.equal(ofType(events, 'worker-start').length, 2);
    await assertNothingLeft(events);
  });
}

test('thread: an AbortSignal cancels its task', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1 });
  const controller = new AbortController();
  const blocker = pool.submit('sleep', [80]);
  const h = pool.submit('square', [2], { signal: controller.signal });
  controller.abort();
  assert.equal((await rejection(h.promise)).name, 'CancelledError');
  assert.equal(await blocker.promise, 80);
  const pre = new AbortController();
  pre.abort();
  assert.equal((await rejection(pool.submit('square', [2], { signal: pre.signal }).promise)).name, 'CancelledError');
  await pool.close();
  await assertNothingLeft(events);
});

// cancelPending(): only a task that has not started. A task sent ahead to a busy thread worker is taken back
// through its claim cell (the worker skips it, no worker is stopped); on a process worker that cannot be made
// sure (it may be starting that very moment), so the answer is false and the task runs.
for (const [backend, expectCancel] of [['thread', true], ['process', false]]) {
  test(`${backend}: cancelPending() on a task sent ahead behind a running one → ${expectCancel}`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    const running = pool.submit('spin', [1500]);
    const ahead = pool.submit('square', [7]);
    const queued = pool.submit('square', [8]);
    await eventually(events, () => running.started, 20_000);
    assert.equal(ahead.state, 'running', 'handed to the worker');
    assert.equal(ahead.started, false, 'but not begun');
    assert.equal(queued.state, 'queued');
    assert.equal(running.cancelPending(), false, 'a started task is left running');
    assert.equal(ahead.cancelPending(), expectCancel);
    const aheadOutcome = expectCancel ? rejection(ahead.promise) : ahead.promise;
    assert.equal(queued.cancelPending(), true);
    const queuedRejection = rejection(queued.promise);
    assert.equal(await running.promise, 1500);
    if (expectCancel) assert.equal((await aheadOutcome).name, 'CancelledError');
    else assert.equal(await aheadOutcome, 49);
    assert.equal((await queuedRejection).name, 'CancelledError');
    await pool.close();
    assert.equal(ofType(events, 'worker-start').length, 1, 'no worker was stopped');
    assert.equal(ofType(events, 'task-start').filter((e) => e.taskId === ahead.taskId).length, expectCancel ? 0 : 1);
    await assertNothingLeft(events);
  });
}
