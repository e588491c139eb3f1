// Scenario 46: a Python process worker's runaway allocation past --max-memory
// raises MemoryError in that task (the worker's address space may grow only
// that much past what it mapped at start: RLIMIT_AS, Linux); the worker lives
// on, the other tasks keep their results, nothing is left. In-process Python
// backends (py-serial, py-thread, file mode) have no per-worker limit: the
// whole Python runner is one process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPy } from './py-helpers.mjs';

for (const backend of ['py-process', 'py-mp-pool']) {
  test(`${backend}: allocation past --max-memory 64 → MemoryError for that task only`, async () => {
    const r = await runPy('hoard', [0, 1, 2, 3], backend, ['--workers', '2', '--max-memory', '64']);
    assert.equal(r.code, 1, r.stderr);
    const hoard = r.tasks.get(2);
    assert.equal(hoard.ok, false);
    assert.equal(hoard.error.name, 'MemoryError', JSON.stringify(hoard.error));
    assert.match(hoard.error.message, /memory limit of 64 MiB/);
    for (const id of [1, 3, 4]) assert.equal(r.tasks.get(id).ok, true, `task ${id}: ${JSON.stringify(r.tasks.get(id).error)}`);
    assert.deepEqual(r.leftover, []);
  });
}
