// serial backend: tasks run in the caller's own process and thread, one at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

test("createPool({ backend: 'serial' }): pid = ours, threadId = ours, no worker identity, no overlap", async () => {
  const { pool, events } = tracedPool({ backend: 'serial', workers: 4 });
  const results = await Promise.all(Array.from({ length: 4 }, () => pool.submit('sleep', [20]).promise));
  const who = await pool.submit('whoAmI', []).promise;
  await pool.close();
  assert.deepEqual(results, [20, 20, 20, 20]);
  assert.equal(who.pid, process.pid);
  assert.equal(who.threadId, threadId);
  assert.equal(who.worker, null, 'serial tasks see no worker identity');
  const starts = ofType(events, 'worker-start');
  assert.equal(starts.length, 1);
  assert.equal(starts[0].pid, process.pid);
  assert.equal(starts[0].threadId, threadId);
  // One at a time: each task starts after the previous one ended.
  const start = ofType(events, 'task-start');
  const end = ofType(events, 'task-end');
  for (let i = 1; i < start.length; i++) assert.ok(start[i].t >= end[i - 1].t);
  await assertNothingLeft(events);
});
