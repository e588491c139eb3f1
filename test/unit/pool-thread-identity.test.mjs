// thread backend: every task runs in this process (one PID) on N distinct worker threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

test("createPool({ backend: 'thread', workers: 3 }): one PID (ours), 3 distinct threadIds, named workers", async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 3, workerName: (i) => `T-${i}` });
  // Slow enough that every worker gets some of them.
  const results = await Promise.all(Array.from({ length: 12 }, () => pool.submit('spinThenWho', [20]).promise));
  await pool.close();

  const starts = ofType(events, 'worker-start');
  assert.equal(starts.length, 3);
  assert.deepEqual(new Set(starts.map((e) => e.pid)), new Set([process.pid]));
  assert.equal(new Set(starts.map((e) => e.threadId)).size, 3);
  assert.ok(starts.every((e) => e.threadId > 0), 'worker threads have threadId > 0');
  assert.deepEqual(starts.map((e) => e.name).sort(), ['T-1', 'T-2', 'T-3']);
  assert.ok(starts.every((e) => Number.isInteger(e.tid) && e.tid !== process.pid), 'each worker reports its OS thread id');
  assert.ok(starts.every((e) => e.startupUs > 0));

  // Task code saw the same identity, and the worker global names its worker.
  assert.ok(results.every((r) => r.pid === process.pid));
  const seen = new Set(results.map((r) => r.threadId));
  assert.ok(seen.size >= 2, `tasks ran on ${seen.size} thread(s)`);
  for (const r of results) {
    assert.equal(r.worker.backend, 'thread');
    assert.equal(r.worker.threadId, r.threadId);
    assert.match(r.worker.name, /^T-\d$/);
  }
  const end = ofType(events, 'run-end')[0];
  assert.deepEqual(end.stats.pids, [process.pid]);
  assert.equal(end.stats.threadIds.length, 3);
  assert.equal(end.stats.ok, 12);
  await assertNothingLeft(events);
});
