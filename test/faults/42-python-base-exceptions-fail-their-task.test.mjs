// KeyboardInterrupt, SystemExit and GeneratorExit raised by a task fail that task, by name, on every
// Python backend; the other tasks keep their results and the run ends (multiprocessing.Pool used to
// lose the worker and wait forever). No process is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPy } from './py-helpers.mjs';

for (const backend of ['py-mp-pool', 'py-process', 'py-thread', 'py-serial']) {
  test(`${backend}: KeyboardInterrupt / SystemExit(5) / GeneratorExit fail only their own task`, async () => {
    const r = await runPy('base_exceptions', [0, 1, 2, 3, 4], backend, ['--workers', '2']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.tasks.get(2).error.name, 'KeyboardInterrupt');
    assert.equal(r.tasks.get(3).error.name, 'SystemExit');
    assert.equal(r.tasks.get(3).error.message, '5');
    assert.equal(r.tasks.get(4).error.name, 'GeneratorExit');
    for (const id of [1, 5]) assert.equal(r.tasks.get(id).ok, true, `task ${id}: ${JSON.stringify(r.tasks.get(id).error)}`);
    assert.deepEqual(r.leftover, []);
  });
}
