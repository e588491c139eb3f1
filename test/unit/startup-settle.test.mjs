// waitForIdleProcesses (src/runner/startup-settle.ts): the process pool's warm-up waits, bounded, until its
// worker processes stop using CPU, so their start-up work is not inside the timed task phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../src/runner/startup-settle.ts', import.meta.url));
const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
const { waitForIdleProcesses } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

/** A child that says "ready" on stdout, then does what `body` says. */
async function child(body) {
  const proc = spawn(process.execPath, ['-e', `process.stdout.write('ready\\n'); ${body}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(proc.stdout, 'data');
  return proc;
}

test('an idle process: resolves after one quiet poll', async () => {
  const idle = await child('setInterval(() => {}, 1e6);');
  try {
    await waitForIdleProcesses([idle.pid], 60_000);
    assert.equal(idle.exitCode, null, 'still there: it was idle, not gone');
  } finally {
    idle.kill('SIGKILL');
  }
});

test('a process that never stops using CPU: resolves at the bound, it does not wait for ever', async () => {
  const busy = await child('for (;;) {}');
  try {
    await waitForIdleProcesses([busy.pid], 300);
    assert.equal(busy.exitCode, null);
  } finally {
    busy.kill('SIGKILL');
  }
});

test('no processes, or one that is gone: resolves at once', async () => {
  await waitForIdleProcesses([]);
  const gone = await child('process.exit(0);');
  await once(gone, 'exit');
  await waitForIdleProcesses([gone.pid], 60_000);
});
