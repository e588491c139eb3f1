// process backend: N child processes, N distinct PIDs, none of them ours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

test("createPool({ backend: 'process', workers: 2 }): 2 distinct PIDs, none equal to process.pid", async () => {
  const { pool, events } = tracedPool({ backend: 'process', workers: 2 });
  const results = await Promise.all(Array.from({ length: 8 }, () => pool.submit('spinThenWho', [20]).promise));
  await pool.close();

  const starts = ofType(events, 'worker-start');
  assert.equal(starts.length, 2);
  const pids = starts.map((e) => e.pid);
  assert.equal(new Set(pids).size, 2);
  assert.ok(!pids.includes(process.pid));
  assert.ok(starts.every((e) => e.threadId === 0), "a child process's main thread has threadId 0");
  assert.ok(starts.every((e) => e.tid === e.pid), "a child's main OS thread id is its pid");

  const seen = new Set(results.map((r) => r.pid));
  assert.ok([...seen].every((pid) => pids.includes(pid)));
  assert.ok(results.every((r) => r.worker.backend === 'process' && r.worker.pid === r.pid));
  assert.deepEqual(ofType(events, 'run-end')[0].stats.pids.sort(), [...pids].sort());
  await assertNothingLeft(events);
});
