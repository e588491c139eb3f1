// terminate() stops at once: queued and running tasks reject with PoolTerminated, workers are killed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, eventually, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['event-loop', 'thread', 'process']) {
  test(`${backend}: terminate() during infinite loops → PoolTerminated for running and queued; nothing left`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2 });
    await pool.submit('square', [2]).promise;
    const loops = [pool.submit('forever', []), pool.submit('forever', [])];
    const running = loops.map((h) => h.promise);
    const queued = Array.from({ length: 5 }, () => pool.submit('square', [3]).promise);
    // A loop is spinning (on the event loop the second one never gets its turn).
    await eventually(events, (e) => e.type === 'task-start' && e.taskId === loops[0].taskId, 20_000);
    const started = performance.now();
    await pool.terminate();
    assert.ok(performance.now() - started < 3000, 'terminate does not wait for the tasks');
    for (const p of [...running, ...queued]) assert.equal((await rejection(p)).name, 'PoolTerminated');
    assert.throws(() => pool.submit('square', [1]), { name: 'PoolClosed' });

    const exits = ofType(events, 'worker-exit');
    assert.ok(exits.length >= 1 && exits.every((e) => e.reason === 'killed'));
    const end = events[events.length - 1];
    assert.equal(end.type, 'run-end');
    assert.equal(end.error.name, 'PoolTerminated');
    assert.equal(end.stats.failed, 7);
    await assertNothingLeft(events);
  });
}
