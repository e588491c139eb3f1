// Warm start (launchRunner({ warm: true }), what the extension uses): after a run, a runner is forked for the
// next one and waits; the next launch with the same options runs on it; different options fork afresh;
// disposeSpareRunners() ends the spare. Timing (how much faster the second click is) is in the bench.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT, tempDir } from '../fixtures/cli/run-cli.mjs';

const built = await esbuild.build({
  entryPoints: [fileURLToPath(new URL('../../src/runner/launch.ts', import.meta.url))],
  bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20',
});
const { launchRunner, disposeSpareRunners, spareRunnerPids } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

const RUNNER = join(ROOT, 'dist', 'runner.js');
const dir = tempDir();
after(() => {
  disposeSpareRunners();
  dir.cleanup();
});
const file = join(dir.dir, 'ident.ts');
writeFileSync(file, 'export function ident(x: number): number {\n  return x;\n}\n');

function run(inputs, extra = {}) {
  const ends = [];
  const handle = launchRunner({
    runnerPath: RUNNER, stdio: 'pipe', warm: true, cwd: dir.dir,
    request: { type: 'run', mode: 'fn', file, fn: 'ident', inputs: inputs.map((x) => [x]), backend: 'thread', workers: 1, cacheDir: join(dir.dir, 'cache'), ...extra },
    onMessage: (m) => { if (m.type === 'events') for (const e of m.batch) if (e.type === 'task-end') ends.push(e); },
  });
  return { handle, ends };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a warm launch runs on the runner the previous launch kept; other options fork their own; dispose ends the spare', async () => {
  const first = run([1, 2, 3]);
  const exit1 = await first.handle.done;
  assert.equal(exit1.done?.ok, true);
  assert.equal(first.ends.length, 3);
  const [spare] = spareRunnerPids();
  assert.ok(spare > 0 && spare !== first.handle.pid, 'a new runner waits for the next run');

  const second = run([4, 5]);
  assert.equal(second.handle.pid, spare, 'the second run starts on the spare');
  const exit2 = await second.handle.done;
  assert.equal(exit2.done?.ok, true);
  assert.deepEqual(second.ends.map((e) => e.resultPreview).sort(), ['4', '5']);

  // A heap limit changes the runner's command line: not the same kind of launch.
  const [next] = spareRunnerPids();
  const third = run([6], { maxMemoryMb: 512 });
  assert.notEqual(third.handle.pid, next);
  assert.equal((await third.handle.done).done?.ok, true);

  const spares = spareRunnerPids();
  assert.equal(spares.length, 2, 'one spare per kind of launch');
  disposeSpareRunners();
  assert.deepEqual(spareRunnerPids(), []);
  // Gone for good: wait for the kernel to reap them (bounded).
  const deadline = Date.now() + 10_000;
  while (spares.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(spares.filter(alive), []);
});

test('a launch whose Node cannot start keeps no spare, and does not stop other launches from keeping theirs', async () => {
  disposeSpareRunners();
  const broken = launchRunner({
    runnerPath: RUNNER, stdio: 'pipe', warm: true, cwd: dir.dir, nodePath: join(dir.dir, 'no-such-node'),
    request: { type: 'run', mode: 'fn', file, fn: 'ident', inputs: [[1]], backend: 'thread', workers: 1, cacheDir: join(dir.dir, 'cache') },
    onMessage: () => undefined,
  });
  const exit = await broken.done;
  assert.notEqual(exit.done?.ok, true, 'the run with a missing Node fails');
  assert.deepEqual(spareRunnerPids(), [], 'no spare for a Node that cannot start');

  const good = run([7]);
  assert.equal((await good.handle.done).done?.ok, true);
  assert.equal(spareRunnerPids().length, 1, 'a launch with a working Node still keeps its spare');
  disposeSpareRunners();
});
