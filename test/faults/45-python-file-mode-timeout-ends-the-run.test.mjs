// File mode: a task of the script's own pool runs past --timeout. PoolScope cannot stop one task of a
// pool it did not make, so the task fails with TaskTimeout, the run ends at once saying why (the
// script's own error, exit 1), the tasks that finished keep their results, and no process is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCli } from '../fixtures/cli/run-cli.mjs';

const SCRIPT = fileURLToPath(new URL('../fixtures/faults/py_spin_script.py', import.meta.url));

test('file mode: an endless task in the script\'s ThreadPoolExecutor with --timeout 500 → TaskTimeout, the run ends', async () => {
  const r = await runCli(['run', SCRIPT, '--backend', 'py-thread', '--timeout', '500', '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  const tasks = new Map(doc.tasks.map((t) => [t.taskId, t]));
  assert.equal(tasks.get(2).error.name, 'TaskTimeout');
  assert.match(tasks.get(2).error.message, /file mode\), where PoolScope cannot stop one task, so the run was ended/);
  assert.equal(tasks.get(1).ok, true);
  assert.equal(doc.runs[0].error.name, 'TaskTimeout');
  assert.deepEqual(r.leftover, []);
});
