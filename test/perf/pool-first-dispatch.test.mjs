// At start-up, tasks spread over every worker, booted or still booting: N long tasks on N fresh workers
// run side by side, never queued behind each other on whichever worker happened to boot first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tracedPool, assertNothingLeft, ofType } from '../fixtures/pool/harness.mjs';

for (const backend of ['thread', 'process']) {
  test(`${backend}: 3 long tasks on 3 fresh workers → 3 different workers, running at the same time`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 3 });
    await Promise.all([0, 1, 2].map(() => pool.submit('sleep', [400]).promise));
    await pool.close();
    const starts = ofType(events, 'task-start');
    const ends = ofType(events, 'task-end');
    assert.equal(new Set(starts.map((e) => e.workerId)).size, 3, `workers: ${starts.map((e) => e.workerId).join(', ')}`);
    // Each started before any other ended: they overlapped.
    const firstEnd = Math.min(...ends.map((e) => e.t));
    for (const s of starts) assert.ok(s.t < firstEnd, `task ${s.taskId} started at ${s.t}, after a task ended at ${firstEnd}`);
    await assertNothingLeft(events);
  });
}
