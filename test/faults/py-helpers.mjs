// Shared by the test/faults/4x-python-*.test.mjs scenarios (not a test file itself): run a Python
// fixture through the CLI the way a user does and read what --json reports. runCli scans /proc for
// every process of the invocation (they carry its tag) and reports those left after the CLI exits.
import { readFileSync } from 'node:fs';
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

/** True while `pid` is a live (not zombie) process. */
export function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
