// examples/return-values.ts — applyAsync in a loop, get() each, ready()/successful(), on every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, runExample, runCli } from '../fixtures/api/examples.mjs';

for (const backend of BACKENDS) {
  test(`examples/return-values.ts on ${backend}: results in order, ready()/successful() as in Python`, { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runExample('return-values.ts', backend, 2);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines, [
      'ready() right after applyAsync: false',
      'successful() before ready: InvalidStateError',
      'squares: 0 1 4 9 16 25 36 49',
      'ready: true, successful: true',
      'reciprocal(0): ready true, successful false',
      'get() raised RangeError: reciprocal of zero',
    ]);
  });
}

test('poolscope run examples/return-values.ts: exit code 1, the deliberately failing task listed with its .ts line', { timeout: 90_000 }, async () => {
  const { code, stdout, stderr } = await runCli(['run', 'examples/return-values.ts', '--backend', 'thread', '--workers', '2']);
  assert.equal(code, 1, 'the CLI reports that a task failed');
  const all = stdout + stderr;
  assert.match(all, /squares: 0 1 4 9 16 25 36 49/);
  assert.match(all, /reciprocal\(0\): RangeError: reciprocal of zero/);
  assert.match(all, /examples\/return-values\.ts:\d+/);
});
