// A busy machine: with another program keeping a core busy, compare says so (busy flag, a plain warning at
// the top) and its verdict still ranks the event loop as one task at a time. No timing assertions: the
// figures themselves depend on the machine; what is asserted is what the product says about them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const cache = tempDir();
const hogs = [];
after(() => {
  for (const hog of hogs) hog.kill('SIGKILL');
  cache.cleanup();
});

/** A process that burns one core until killed; resolves once it is running. */
function startHog() {
  const hog = spawn(process.execPath, ['-e', 'process.stdout.write("spinning\\n"); for (;;) {}'], { stdio: ['ignore', 'pipe', 'inherit'] });
  hogs.push(hog);
  return new Promise((resolve, reject) => {
    hog.once('error', reject);
    hog.stdout.once('data', () => resolve(hog));
  });
}

test('compare with a CPU hog running: busy flag, the warning first, the event loop still one core', { skip: !existsSync('/proc/stat') && 'needs /proc' }, async () => {
  const hog = await startHog();
  try {
    const file = join(ROOT, 'examples', 'cpu-bound.ts');
    const args = ['compare', file, '--fn', 'cpuTask', '--inputs', 'range(6)', '--workers', '2', '--backends', 'serial,event-loop,thread', '--cache-dir', cache.dir];
    const json = await runCli([...args, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(doc.runs.map((r) => r.backend), ['serial', 'event-loop', 'thread']);
    for (const run of doc.runs) {
      assert.equal(run.busy, true, `${run.backend}: busy (other programs ${run.otherCpuCores} cores)`);
      assert.ok(run.otherCpuCores >= 0.25, `${run.backend}: otherCpuCores ${run.otherCpuCores}`);
    }
    assert.equal(doc.machine.busy, true);
    assert.match(doc.warnings[0], /^Other programs used \d\.\d of \d+ cores during this compare: speed-ups are lower than on an idle machine\.$/);
    assert.match(doc.verdict, /the event loop ran one task at a time/);
    const loop = doc.runs.find((r) => r.backend === 'event-loop');
    assert.ok((loop.parallelism ?? loop.coresUsed) <= 1.15, `event loop: one thread (${loop.parallelism ?? loop.coresUsed})`);

    const text = await runCli(args);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout.split('\n')[0], /^! Other programs used .* cores during this compare/, 'the warning comes first');
    assert.match(text.stdout, /→ .*the event loop ran one task at a time/);
  } finally {
    hog.kill('SIGKILL');
  }
});
