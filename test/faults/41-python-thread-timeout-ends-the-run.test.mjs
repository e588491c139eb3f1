// py-thread (and py-thread-ft): a Python thread cannot be stopped, so a task past --timeout fails
// with TaskTimeout, the tasks still open fail with PoolTerminated, and the run ends at once, saying
// why — instead of running on forever. Finished tasks keep their results; no process is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPy } from './py-helpers.mjs';

test('py-thread: an endless loop with --timeout 500 → TaskTimeout, run ended with the reason, nothing left', async () => {
  const r = await runPy('spin', [0, 1, 2, 3], 'py-thread', ['--workers', '1', '--timeout', '500']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.tasks.get(1).ok, true);
  const spun = r.tasks.get(2);
  assert.equal(spun.error.name, 'TaskTimeout');
  assert.match(spun.error.message, /a Python thread cannot be stopped, so the run was ended/);
  // One worker thread: tasks 3 and 4 were still queued behind the endless one.
  for (const id of [3, 4]) assert.equal(r.tasks.get(id).error.name, 'PoolTerminated');
  assert.equal(r.doc.tasks.length, 4);
  assert.deepEqual(r.leftover, []);
});
