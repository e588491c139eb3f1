// maxTasksPerWorker (Python's maxtasksperchild): a worker retires after that many tasks
// (worker-exit reason 'recycled') and a fresh one takes its place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['thread', 'process']) {
  test(`${backend}: maxTasksPerWorker: 3, 10 tasks on 1 worker → 4 workers, 3 recycled, ≤ 3 tasks each`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1, maxTasksPerWorker: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.submit('square', [i]).promise));
    assert.deepEqual(results, Array.from({ length: 10 }, (_, i) => i * i));
    await pool.close();

    const starts = ofType(events, 'worker-start');
    assert.equal(starts.length, 4);
    if (backend === 'process') assert.equal(new Set(starts.map((e) => e.pid)).size, 4, 'each worker is a new process');
    else assert.equal(new Set(starts.map((e) => e.threadId)).size, 4, 'each worker is a new thread');
    const exits = ofType(events, 'worker-exit');
    assert.deepEqual(exits.map((e) => e.reason).sort(), ['idle', 'recycled', 'recycled', 'recycled']);
    assert.ok(exits.every((e) => e.code === 0));
    const perWorker = new Map();
    for (const e of ofType(events, 'task-end')) perWorker.set(e.workerId, (perWorker.get(e.workerId) ?? 0) + 1);
    assert.deepEqual([...perWorker.values()].sort(), [1, 3, 3, 3]);
    await assertNothingLeft(events);
  });
}
