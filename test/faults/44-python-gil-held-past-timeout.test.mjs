// A task that holds the GIL in C code (one builtin call that never lets another thread run) cannot be
// stopped from inside its process, and the runner's own timeout watchdog thread cannot run either.
// Process pools: the watchdog lives in the runner, so the worker is killed and replaced. py-thread and
// py-serial: faulthandler's C thread (which needs no GIL) ends the Python runner shortly after the
// timeout; the run reports TaskTimeout, every input settles, nothing is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPy } from './py-helpers.mjs';

for (const backend of ['py-thread', 'py-serial']) {
  test(`${backend}: a task holding the GIL past --timeout → the run ends with TaskTimeout, every task settled`, async () => {
    const r = await runPy('hold_gil', [0, 1, 2], backend, ['--workers', '1', '--timeout', '500']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.doc.tasks.length, 3);
    for (const t of r.doc.tasks) assert.ok(t.ok || ['TaskTimeout', 'PoolTerminated'].includes(t.error.name), JSON.stringify(t));
    assert.equal(r.tasks.get(2).ok, false);
    assert.equal(r.runs[0].error?.name, 'TaskTimeout');
    assert.match(r.stderr, /Timeout \(\d+:\d\d:\d\d/);
    assert.deepEqual(r.leftover, []);
  });
}

test('py-process: a task holding the GIL past --timeout → its worker is killed and replaced, the others run', async () => {
  const r = await runPy('hold_gil', [0, 1, 2, 3], 'py-process', ['--workers', '2', '--timeout', '500']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.tasks.get(2).error.name, 'TaskTimeout');
  assert.match(r.tasks.get(2).error.message, /was killed and replaced/);
  for (const id of [1, 3, 4]) assert.equal(r.tasks.get(id).ok, true, `task ${id}: ${JSON.stringify(r.tasks.get(id).error)}`);
  assert.deepEqual(r.leftover, []);
});
