// Pool.onTaskEnded(): the hook the CPU sampler reads a worker's thread on (src/runner/cpu-sampler.ts poke). It is
// told the worker of every task that ran and ended — with a value or an error — as the result arrives, and not of
// a task that never started; a listener that throws changes no task's outcome.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['thread', 'process', 'event-loop']) {
  test(`${backend}: onTaskEnded is told the worker of each task that ran, ok or failed; not of one cancelled while queued`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    const told = [];
    const stop = pool.onTaskEnded((workerId) => told.push(workerId));
    pool.onTaskEnded(() => {
      throw new Error('a broken listener');
    });
    const first = pool.submit('sleep', [50]);
    const queued = pool.submit('square', [5]);
    assert.equal(queued.cancel(), true);
    const bad = pool.submit('fail', ['boom']);
    const ok = pool.submit('square', [7]);
    assert.equal(await first.promise, 50);
    assert.equal((await rejection(queued.promise)).name, 'CancelledError');
    assert.equal((await rejection(bad.promise)).message, 'boom');
    assert.equal(await ok.promise, 49);
    stop();
    assert.equal(await pool.submit('square', [2]).promise, 4);
    await pool.close();
    const ran = ofType(events, 'task-end').filter((e) => e.workerId >= 0);
    assert.equal(ran.length, 4, 'four tasks ran');
    // One call per task that ran, with its worker, up to the unsubscribe: the last task is not told.
    assert.deepEqual(told, ran.slice(0, 3).map((e) => e.workerId));
    await assertNothingLeft(events);
  });
}
