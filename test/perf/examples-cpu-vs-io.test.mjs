// examples/cpu-vs-io.ts — the event loop serializes CPU-bound tasks but overlaps I/O-bound ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, runExample, runCli, grab } from '../fixtures/api/examples.mjs';

/** How many tasks the example saw running at once, per batch. */
function overlaps(stdout) {
  return {
    cpu: Number(grab(stdout, /CPU-bound: .* at most (\d+) running at once/)),
    io: Number(grab(stdout, /I\/O-bound: .* at most (\d+) running at once/)),
  };
}

// What each backend must show with 4 workers; thread/process CPU overlap depends on scheduling, so ≥ 2.
const expected = {
  'serial': { cpu: (n) => n === 1, io: (n) => n === 1 },
  'event-loop': { cpu: (n) => n === 1, io: (n) => n === 4 },
  'thread': { cpu: (n) => n >= 2, io: (n) => n >= 2 },
  'process': { cpu: (n) => n >= 2, io: (n) => n >= 2 },
};

for (const backend of BACKENDS) {
  test(`examples/cpu-vs-io.ts on ${backend}: CPU-bound and I/O-bound overlap as the backend implies`, { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runExample('cpu-vs-io.ts', backend, 4);
    assert.equal(code, 0, stderr);
    // serial is one worker whatever the pool size asked for.
    assert.equal(grab(stdout, new RegExp(`backend: ([\\w-]+), workers: ${backend === 'serial' ? 1 : 4}`)), backend);
    const seen = overlaps(stdout);
    assert.ok(expected[backend].cpu(seen.cpu), `${backend} CPU-bound overlap ${seen.cpu}\n${stdout}`);
    assert.ok(expected[backend].io(seen.io), `${backend} I/O-bound overlap ${seen.io}\n${stdout}`);
  });
}

test('poolscope run examples/cpu-vs-io.ts --backend event-loop --workers 4: the GIL picture through the CLI', { timeout: 90_000 }, async () => {
  const { code, stdout, stderr } = await runCli(['run', 'examples/cpu-vs-io.ts', '--backend', 'event-loop', '--workers', '4']);
  assert.equal(code, 0, stderr + stdout);
  assert.deepEqual(overlaps(stdout), { cpu: 1, io: 4 });
});
