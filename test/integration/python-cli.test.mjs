// The poolscope CLI on .py files: the runner hands them to the Python runner; py-* backends by name,
// Node backend names mapped, compare on the Python set, usage errors by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TASKS = fileURLToPath(new URL('../../examples/python/tasks.py', import.meta.url));

function cli(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

test('poolscope run tasks.py --backend py-mp-pool: two ForkPoolWorker PIDs, trace written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-pycli-'));
  try {
    const trace = join(dir, 'trace.json');
    const { code, stdout, stderr } = await cli(['run', TASKS, '--fn', 'whoami', '--inputs', '[[1],[2],[3],[4]]', '--backend', 'py-mp-pool', '-w', '2', '--trace', trace]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /py-mp-pool\s+2\s+4\s+4\s+0/);
    // Which worker picks up the four quick tasks is up to multiprocessing; both workers start.
    assert.match(stdout, /'process': 'ForkPoolWorker-[12]'/);
    const events = JSON.parse(readFileSync(trace, 'utf8')).poolscope.events;
    const starts = events.filter((e) => e.type === 'worker-start');
    assert.deepEqual(starts.map((e) => e.name).sort(), ['ForkPoolWorker-1', 'ForkPoolWorker-2']);
    assert.equal(new Set(starts.map((e) => e.pid)).size, 2);
    assert.ok(events.some((e) => e.type === 'cpu-sample'), 'on-CPU samples recorded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('poolscope run tasks.py --backend process maps onto py-process; a raising task exits 1 with its traceback', async () => {
  const { code, stdout, stderr } = await cli(['run', TASKS, '--fn', 'flaky', '--inputs', '[[2],[3]]', '--backend', 'process', '-w', '2']);
  assert.equal(code, 1);
  const out = stdout + stderr;
  assert.match(out, /py-process/);
  assert.match(out, /ValueError/);
  assert.match(out, /odd input 3/);
});

test('poolscope compare tasks.py: the Python set (py-serial, py-thread, py-process)', async () => {
  const { code, stdout, stderr } = await cli(['compare', TASKS, '--fn', 'sleep_io', '--inputs', '[[50],[50]]', '-w', '2']);
  assert.equal(code, 0, stderr);
  for (const b of ['py-serial', 'py-thread', 'py-process']) assert.match(stdout, new RegExp(`^\\s*${b}\\s`, 'm'));
});

test('a py-* backend for a .ts file is a usage error (exit 2)', async () => {
  const { code, stderr } = await cli(['run', fileURLToPath(new URL('../../examples/compute.ts', import.meta.url)), '--backend', 'py-thread']);
  assert.equal(code, 2);
  assert.match(stderr, /'py-thread' runs Python files \(\.py\)/);
});

test('--python with a missing interpreter: PythonNotFound, not a hang', async () => {
  const { code, stdout, stderr } = await cli(['run', TASKS, '--fn', 'fib', '--inputs', '[[5]]', '--python', '/nonexistent/python3']);
  assert.notEqual(code, 0);
  assert.match(stdout + stderr, /PythonNotFound/);
});
