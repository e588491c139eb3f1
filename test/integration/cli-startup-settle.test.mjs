// Compare times each backend's task phase against serial's, so a process pool's start-up — V8 still compiling
// in the background after the workers said ready — is kept out of it: the first task waits until the worker
// processes go quiet, at most 1 s (src/runner/startup-settle.ts). A single run has nothing to compare: it sends
// its first task as soon as the workers are ready. The fixture's workers never go quiet (a thread of their own
// burns CPU for 3 s), so compare waits its full bound and a run does not wait at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

/** ms from the (last) worker-start to the first task-queued, from a `--trace` file. */
async function readyToFirstTaskMs(mode) {
  const { dir, cleanup } = tempDir();
  try {
    const trace = join(dir, 'trace.json');
    const backendArgs = mode === 'run' ? ['--backend', 'process'] : ['--backends', 'process'];
    const r = await runCli([mode, fixture('busy-startup.ts'), '--fn', 'ident', '--inputs', '[[1],[2]]', ...backendArgs, '--workers', '1', '--trace', trace]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.leftover, []);
    const events = JSON.parse(readFileSync(trace, 'utf8')).poolscope.events;
    const ready = events.filter((e) => e.type === 'worker-start').at(-1);
    const queued = events.find((e) => e.type === 'task-queued');
    assert.ok(ready && queued, 'a worker-start and a task-queued in the trace');
    return (queued.t - ready.t) / 1000;
  } finally {
    cleanup();
  }
}

test('compare waits (bounded) for process workers to go quiet before its timed phase; a single run does not', { timeout: 120_000 }, async () => {
  const compareMs = await readyToFirstTaskMs('compare');
  const runMs = await readyToFirstTaskMs('run');
  assert.ok(compareMs >= 900, `compare: first task ${compareMs.toFixed(0)} ms after the worker was ready (the settle waits up to 1 s)`);
  assert.ok(runMs < 900, `run: first task ${runMs.toFixed(0)} ms after the worker was ready (no settle)`);
});
