// task-start reaches the listener while the task is still running (the timeline shows it live),
// with the start time the worker measured itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, eventually, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['event-loop', 'thread', 'process']) {
  test(`${backend}: a 1.5 s CPU-bound task is announced (task-start) before it ends`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    await pool.submit('square', [1]).promise;
    let done = false;
    const h = pool.submit('spin', [1500]);
    h.promise.then(() => { done = true; });
    const start = await eventually(events, (e) => e.type === 'task-start' && e.taskId === h.taskId, 5000);
    assert.equal(done, false, 'task-start arrived only after the task had finished');
    assert.equal(ofType(events, 'task-end').some((e) => e.taskId === h.taskId), false);
    await h.promise;
    await pool.close();
    const end = ofType(events, 'task-end').find((e) => e.taskId === h.taskId);
    assert.ok(end.t - start.t >= 1500 * 1000 * 0.95, `span ${end.t - start.t} µs`);
    assert.equal(ofType(events, 'task-start').filter((e) => e.taskId === h.taskId).length, 1);
    await assertNothingLeft(events);
  });
}
