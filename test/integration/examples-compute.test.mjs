// examples/compute.ts — CPU-bound work through Pool(n), then close() and join(), on every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, runExample, runCli, grab } from '../fixtures/api/examples.mjs';

for (const backend of BACKENDS) {
  test(`examples/compute.ts on ${backend}: every task runs, then the pool is closed and joined`, { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runExample('compute.ts', backend, 2);
    assert.equal(code, 0, stderr);
    // serial is one worker whatever size was asked for; the example gives each worker two tasks.
    const size = backend === 'serial' ? 1 : 2;
    assert.equal(grab(stdout, /Pool\((\d+)\) on the/), String(size));
    assert.equal(grab(stdout, /on the '([\w-]+)' backend/), backend);
    assert.equal(grab(stdout, /: (\d+) CPU-bound tasks/), String(2 * size));
    assert.match(stdout, new RegExp(`all ${2 * size} tasks done in \\d+ ms, worker start-up included; the pool is closed and joined`));
  });
}

test('poolscope run examples/compute.ts --backend process: the CLI runs the script; its tasks show in the summary', { timeout: 90_000 }, async () => {
  const { code, stdout, stderr } = await runCli(['run', 'examples/compute.ts', '--backend', 'process', '--workers', '2']);
  assert.equal(code, 0, stderr + stdout);
  assert.match(stdout, /all 4 tasks done in \d+ ms, worker start-up included; the pool is closed and joined/);
  // The task's own log line, captured in a SpawnPoolWorker process.
  assert.match(stdout, /primes below 200000: 17984 \(SpawnPoolWorker-\d+ pid \d+, MainThread\)/);
});
