// The CLI on .py files: Python backend names in --backend and --backends, and
// --python (python-cli.test.mjs covers the rest of the Python CLI surface).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fixture, runCli } from '../fixtures/cli/run-cli.mjs';

const python = 'python3';
const skip = spawnSync(python, ['--version']).status === 0 ? false : 'python3 not installed';

test('run py_tasks.py --backend py-process --workers 2 --python python3 → six tasks on at most two worker PIDs', { skip }, async () => {
  const r = await runCli(['run', fixture('py_tasks.py'), '--fn', 'pid', '--inputs', 'range(6)', '--backend', 'py-process', '--workers', '2', '--python', python, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.runs[0].backend, 'py-process');
  assert.equal(doc.runs[0].ok, 6);
  assert.ok(doc.runs[0].pids.length >= 1 && doc.runs[0].pids.length <= 2);
  assert.deepEqual(r.leftover, []);
});

test('compare py_tasks.py --backends py-serial,py-thread → two rows, py-serial is the baseline', { skip }, async () => {
  const r = await runCli(['compare', fixture('py_tasks.py'), '--fn', 'square', '--inputs', '[1, 2, 3]', '--backends', 'py-serial,py-thread', '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^\s+py-/.test(l));
  assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), ['py-serial', 'py-thread']);
  assert.match(rows[0], /1\.00×/);
  assert.deepEqual(r.leftover, []);
});
