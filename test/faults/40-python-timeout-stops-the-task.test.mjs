// --timeout really stops a Python task on the process pools and py-serial: the task fails with
// TaskTimeout at the timeout (SIGALRM in its process), every other task keeps its result, the run goes
// on. A task that swallows TaskTimeout has its worker process killed and replaced a second later
// (py-serial, where the task runs on the runner's own thread, ends the run instead). No process is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPy } from './py-helpers.mjs';

const INPUTS = [0, 1, 2, 3];

for (const backend of ['py-process', 'py-mp-pool', 'py-serial']) {
  test(`${backend}: an endless loop with --timeout 500 → that task TaskTimeout, the others their results`, async () => {
    const r = await runPy('spin', INPUTS, backend, ['--workers', '2', '--timeout', '500']);
    assert.equal(r.code, 1, r.stderr);
    const spun = r.tasks.get(2);
    assert.equal(spun.ok, false);
    assert.equal(spun.error.name, 'TaskTimeout');
    assert.match(spun.error.message, /longer than the 500 ms timeout/);
    for (const id of [1, 3, 4]) assert.equal(r.tasks.get(id).ok, true, `task ${id}: ${JSON.stringify(r.tasks.get(id).error)}`);
    assert.equal(r.doc.tasks.length, 4);
    assert.deepEqual(r.leftover, []);
  });
}

for (const backend of ['py-process', 'py-mp-pool']) {
  test(`${backend}: a task that swallows TaskTimeout → its worker is killed and replaced, the others still run`, async () => {
    const r = await runPy('spin_ignoring_timeout', [0, 1, 2, 3, 4, 5], backend, ['--workers', '2', '--timeout', '500']);
    assert.equal(r.code, 1, r.stderr);
    const spun = r.tasks.get(2);
    assert.equal(spun.error.name, 'TaskTimeout');
    assert.match(spun.error.message, /worker process \(pid \d+\) was killed and replaced/);
    for (const id of [1, 3, 4, 5, 6]) assert.equal(r.tasks.get(id).ok, true, `task ${id}: ${JSON.stringify(r.tasks.get(id).error)}`);
    assert.deepEqual(r.leftover, []);
  });
}

test('py-serial: a task that swallows TaskTimeout → the run ends (TaskTimeout, the rest PoolTerminated), saying why', async () => {
  const r = await runPy('spin_ignoring_timeout', [0, 1, 2], 'py-serial', ['--timeout', '500']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.tasks.get(1).ok, true);
  assert.equal(r.tasks.get(2).error.name, 'TaskTimeout');
  assert.match(r.tasks.get(2).error.message, /runner's own thread, so the run was ended/);
  assert.equal(r.tasks.get(3).error.name, 'PoolTerminated');
  assert.deepEqual(r.leftover, []);
});
