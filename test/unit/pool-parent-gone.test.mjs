// Process workers exit by themselves when the pool's process disappears (their IPC channel
// closes), even when it is killed without a chance to clean up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { alive } from '../fixtures/pool/harness.mjs';

const PARENT = fileURLToPath(new URL('../fixtures/pool/parent-with-pool.mjs', import.meta.url));

test('process backend: SIGKILL the pool owner → its worker processes exit on their own', async () => {
  const parent = spawn(process.execPath, [PARENT, 'process'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout.setEncoding('utf8');
  const pids = await new Promise((resolve, reject) => {
    parent.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    parent.on('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
  });
  assert.equal(pids.length, 2);
  assert.ok(pids.every(alive));
  const exited = new Promise((r) => parent.once('exit', r));
  parent.kill('SIGKILL');
  await exited;
  for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
  const left = pids.filter(alive);
  for (const pid of left) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  assert.deepEqual(left, [], 'worker processes outlived their pool');
});
