// Scenario 30: inputs and files that used to hang or blow up the CLI are
// refused up front with a named error and exit 2, in bounded time: inputs
// nested 5000 deep (inline and from @file), range() beyond 2^53, and as the
// file a FIFO, a directory, /dev/zero behind a symlink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leakCheck, assertNoLeaks, within } from './harness.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TASKS = fileURLToPath(new URL('../fixtures/faults/tasks.mjs', import.meta.url));

/** Runs the CLI; resolves { code, signal, stderr } (bounded by `within`). */
function cli(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t) => { stderr += t; });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr: () => stderr })));
  return within(done, 60_000, `poolscope ${args.join(' ').slice(0, 80)}`).finally(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
}

const deep = (n) => '['.repeat(n) + ']'.repeat(n);

async function refused(args, name) {
  const snapshot = leakCheck();
  const exit = await cli(args);
  assert.equal(exit.signal, null);
  assert.equal(exit.code, 2, exit.stderr());
  assert.match(exit.stderr(), new RegExp(name));
  assert.doesNotMatch(exit.stderr(), /internal error/);
  await assertNoLeaks(snapshot);
}

test('inputs nested 5000 deep → InvalidInputs, exit 2 (no stack overflow, no hang)', async () => {
  await refused(['run', TASKS, '--fn', 'echo', '--inputs', `[${deep(5000)}]`], 'InvalidInputs');
});

test('inputs nested 5000 deep from an @file → InvalidInputs, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-fault30-'));
  try {
    writeFileSync(join(dir, 'deep.json'), `[${deep(5000)}]`);
    await refused(['run', TASKS, '--fn', 'echo', '--inputs', `@${join(dir, 'deep.json')}`], 'InvalidInputs');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('range() beyond the safe integers → InvalidInputs, exit 2 (no duplicated inputs)', async () => {
  await refused(['run', TASKS, '--fn', 'echo', '--inputs', 'range(9007199254740990, 9007199254741000)'], 'InvalidInputs');
});

test('a FIFO as the file → NotAFile, exit 2 (no hang)', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-fault30-'));
  try {
    const fifo = join(dir, 'task.ts');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    await refused(['run', fifo, '--fn', 'f'], 'NotAFile');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink to /dev/zero as the file → NotAFile, exit 2 (the bundler never reads it)', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-fault30-'));
  try {
    const link = join(dir, 'task.ts');
    symlinkSync('/dev/zero', link);
    await refused(['run', link, '--fn', 'f'], 'NotAFile');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory as the file → NotAFile, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-fault30-'));
  try {
    await refused(['run', dir, '--fn', 'f'], 'NotAFile');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
