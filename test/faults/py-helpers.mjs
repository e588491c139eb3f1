// Shared by the test/faults/4x-python-*.test.mjs scenarios (not a test file itself): run a Python
// fixture through the CLI the way a user does and read what --json reports. runCli scans /proc for
// every process of the invocation (they carry its tag) and reports those left after the CLI exits.
import { fileURLToPath } from 'node:url';
import { runCli } from '../fixtures/cli/run-cli.mjs';

export const PY_FAULTS = fileURLToPath(new URL('../fixtures/faults/py_faults.py', import.meta.url));

/** `poolscope run py_faults.py --fn <fn> --inputs <inputs> -b <backend> --json …extra`; resolves { code, tasks, runs, stderr, leftover, ms }. */
export async function runPy(fn, inputs, backend, extra = [], options = {}) {
  const r = await runCli(['run', PY_FAULTS, '--fn', fn, '--inputs', JSON.stringify(inputs), '--backend', backend, '--json', ...extra], { timeoutMs: 90_000, ...options });
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  const tasks = new Map(doc.tasks.map((t) => [t.taskId, t]));
  return { ...r, doc, tasks, runs: doc.runs };
}

export { alive } from '../fixtures/processes.mjs';
