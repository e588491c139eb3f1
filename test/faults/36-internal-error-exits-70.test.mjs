// Scenario 36: when PoolScope itself fails — here an exception thrown from the
// CLI's own event handling while a process pool is busy with never-ending
// tasks — the CLI says so ("internal error"), exits with code 70 (sysexits'
// EX_SOFTWARE, documented in `poolscope --help`) within a few seconds rather
// than waiting on the run, and takes the run down: no runner, worker or
// child of theirs is left.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CLI, fixture, processesTagged, tempDir } from '../fixtures/cli/run-cli.mjs';
import { waitFor, within } from './harness.mjs';

const cache = tempDir();
after(() => cache.cleanup());

test('an internal error during a process run → "internal error", exit 70 within seconds, nothing of the run left', async () => {
  const tag = randomUUID();
  const cli = spawn(process.execPath, ['-r', fixture('internal-fault.cjs'), CLI, 'run', fixture('infinite-loop.ts'), '--fn', 'spinForever',
    '--inputs', '[[], []]', '--backend', 'process', '--workers', '2', '--cache-dir', cache.dir], {
    env: { ...process.env, POOLSCOPE_TEST_TAG: tag }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  cli.stderr.setEncoding('utf8').on('data', (t) => { stderr += t; });
  const exited = new Promise((resolve) => cli.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    // The CLI, the runner and both workers are up, the workers spinning.
    assert.ok(await waitFor(() => processesTagged(tag).length >= 4, 60_000), `the run did not start: ${stderr}`);
    const faultAt = performance.now();
    cli.kill('SIGUSR2');
    const exit = await within(exited, 30_000, 'the CLI to exit after the internal error');
    const ms = performance.now() - faultAt;
    assert.deepEqual(exit, { code: 70, signal: null }, stderr);
    assert.match(stderr, /poolscope: internal error: Error: injected fault in the CLI \(--verbose prints the stack\)/);
    // "Within 2 s" on an idle machine; generous here, the machine is shared.
    assert.ok(ms < 10_000, `exit took ${Math.round(ms)} ms`);
    assert.ok(await waitFor(() => processesTagged(tag).length === 0, 5_000), `left running: ${processesTagged(tag)}`);
  } finally {
    for (const pid of processesTagged(tag)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});
