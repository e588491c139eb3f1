// Warm start (launchRunner({ warm: true }), what the extension uses): after a run, a runner is forked for the
// next one and waits; the next launch with the same options runs on it; different options fork afresh;
// disposeSpareRunners() ends the spare. Timing (how much faster the second click is) is in the bench.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT, tempDir } from '../fixtures/cli/run-cli.mjs';

const built = await esbuild.build({
  entryPoints: [fileURLToPath(new URL('../../src/runner/launch.ts', import.meta.url))],
  bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20',
});
const { launchRunner, disposeSpareRunners, spareRunnerPids, preparedSpareRunnerPids, readySpareRunnerPids, refreshSpareRunners } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

const RUNNER = join(ROOT, 'dist', 'runner.js');
const dir = tempDir();
after(() => {
  disposeSpareRunners();
  dir.cleanup();
});
const file = join(dir.dir, 'ident.ts');
writeFileSync(file, 'export function ident(x: number): number {\n  return x;\n}\n');

function run(inputs, extra = {}, launchExtra = {}) {
  const ends = [];
  const events = [];
  const handle = launchRunner({
    runnerPath: RUNNER, stdio: 'pipe', warm: true, cwd: dir.dir, ...launchExtra,
    request: { type: 'run', mode: 'fn', file, fn: 'ident', inputs: inputs.map((x) => [x]), backend: 'thread', workers: 1, cacheDir: join(dir.dir, 'cache'), ...extra },
    onMessage: (m) => {
      if (m.type !== 'events') return;
      events.push(...m.batch);
      for (const e of m.batch) if (e.type === 'task-end') ends.push(e);
    },
  });
  return { handle, ends, events };
}

/** Waits (bounded) until `cond()`. */
async function until(cond, what) {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits (bounded) until none of `pids` is alive: a killed process is gone once the kernel reaped it. */
async function gone(pids) {
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(alive);
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

test('after a run that went through, the spare starts the same pool ahead; the next run uses it, stamped from its request', async () => {
  disposeSpareRunners();
  const first = run([1, 2], { workers: 2 });
  assert.equal((await first.handle.done).done?.ok, true);
  const [spare] = preparedSpareRunnerPids();
  assert.ok(spare > 0, 'the spare was asked to start the pool ahead');

  const second = run([3, 4, 5], { workers: 2 });
  assert.equal(second.handle.pid, spare);
  const exit = await second.handle.done;
  assert.equal(exit.done?.ok, true);
  assert.equal(exit.done?.marks?.prepared, true, 'the run used the pool started ahead');
  assert.deepEqual(second.ends.map((e) => e.resultPreview).sort(), ['3', '4', '5']);
  const start = second.events.find((e) => e.type === 'run-start');
  assert.equal(start?.seq, 0);
  assert.equal(start?.fn, 'ident');
  assert.equal(start?.inputsCount, 3);
  const workers = second.events.filter((e) => e.type === 'worker-start');
  assert.equal(workers.length, 2);
  for (const w of workers) {
    // Started before the request: on the timeline the lanes start with the run, without a start-up of their own.
    assert.ok(w.t >= start.t, `worker-start ${w.t} before run-start ${start.t}`);
    assert.ok(w.startupUs >= 0 && w.t - w.startupUs >= start.t - 0.01, JSON.stringify({ w, start }));
  }
  const queued = second.events.find((e) => e.type === 'task-queued');
  assert.ok(queued.t >= start.t);
  const end = second.events.find((e) => e.type === 'run-end');
  assert.ok(Math.abs(end.stats.wallUs - (end.t - start.t)) < 1, 'run-end wall time from the run\'s start');
  disposeSpareRunners();
});

test('startPoolAhead: false keeps the spare plain: the module\'s top-level code runs only after the next request', async () => {
  disposeSpareRunners();
  const marker = join(dir.dir, 'imports.txt');
  const sideEffects = join(dir.dir, 'side-effects.ts');
  // Importing this module appends a line (a top-level side effect): when it ran is when the module was loaded.
  writeFileSync(sideEffects, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, Date.now() + '\\n');\nexport function ident(x: number): number {\n  return x;\n}\n`);
  const lines = () => { try { return readFileSync(marker, 'utf8').trim().split('\n').filter(Boolean).map(Number); } catch { return []; } };
  const first = run([1], { file: sideEffects }, { startPoolAhead: false });
  assert.equal((await first.handle.done).done?.ok, true);
  const afterFirst = lines().length;
  assert.ok(afterFirst >= 1, 'the run imported the module');
  assert.deepEqual(preparedSpareRunnerPids(), [], 'no pool started ahead');
  assert.equal(spareRunnerPids().length, 1, 'a plain spare runner is kept');
  const launchedAt = Date.now();
  const second = run([2], { file: sideEffects }, { startPoolAhead: false });
  const exit = await second.handle.done;
  assert.equal(exit.done?.ok, true);
  assert.notEqual(exit.done?.marks?.prepared, true);
  const later = lines().slice(afterFirst);
  assert.ok(later.length >= 1, 'the second run imported the module');
  for (const t of later) assert.ok(t >= launchedAt, `an import at ${t}, before the second request (${launchedAt})`);
  disposeSpareRunners();
});

test('a pool started ahead is not used for another size, nor after the file changed: the run loads the new code', async () => {
  disposeSpareRunners();
  const first = run([1]);
  assert.equal((await first.handle.done).done?.ok, true);
  const other = run([2], { workers: 2 });
  const exitOther = await other.handle.done;
  assert.equal(exitOther.done?.ok, true);
  assert.equal(exitOther.done?.marks?.prepared, undefined, 'another pool size starts its own pool');
  assert.deepEqual(other.ends.map((e) => e.resultPreview), ['2']);

  // The spare now holds a 2-worker pool of ident as it was; the file changes before the next run.
  assert.equal(preparedSpareRunnerPids().length, 1);
  writeFileSync(file, 'export function ident(x: number): number {\n  return x + 100;\n}\n');
  try {
    const changed = run([3], { workers: 2 });
    const exit = await changed.handle.done;
    assert.equal(exit.done?.ok, true);
    assert.equal(exit.done?.marks?.prepared, undefined, 'a pool of the old bundle is never used');
    assert.deepEqual(changed.ends.map((e) => e.resultPreview), ['103']);
  } finally {
    writeFileSync(file, 'export function ident(x: number): number {\n  return x;\n}\n');
  }
  disposeSpareRunners();
});

test('refreshSpareRunners replaces a spare holding a pool by a plain one; dispose leaves no process', async () => {
  disposeSpareRunners();
  const first = run([1], { workers: 2 });
  assert.equal((await first.handle.done).done?.ok, true);
  const [prepared] = preparedSpareRunnerPids();
  assert.ok(prepared > 0);
  refreshSpareRunners();
  assert.deepEqual(preparedSpareRunnerPids(), []);
  const [plain] = spareRunnerPids();
  assert.ok(plain > 0 && plain !== prepared, 'a plain spare took its place');
  assert.deepEqual(await gone([prepared]), [], 'the spare that held the pool (and its worker threads) is gone');

  const next = run([5], { workers: 2 });
  assert.equal(next.handle.pid, plain);
  const exit = await next.handle.done;
  assert.equal(exit.done?.ok, true);
  assert.equal(exit.done?.marks?.prepared, undefined);
  const spares = spareRunnerPids();
  disposeSpareRunners();
  assert.deepEqual(await gone(spares), []);
});

test('a run on a pool started ahead is sampled on-CPU like any other: its workers\' threads have cpu-samples', async () => {
  disposeSpareRunners();
  const busy = join(dir.dir, 'busy.ts');
  writeFileSync(busy, 'export function busy(ms: number): number {\n  const end = Date.now() + ms;\n  while (Date.now() < end) { /* on CPU */ }\n  return ms;\n}\n');
  const extra = { file: busy, fn: 'busy', workers: 2, cpuSampleMs: 5 };
  const first = run([30, 30], extra);
  assert.equal((await first.handle.done).done?.ok, true);
  assert.equal(preparedSpareRunnerPids().length, 1);
  // The spare says when its workers are up: the next run finds them started before its request.
  await until(() => readySpareRunnerPids().length === 1, 'the spare\'s pool to be ready');
  const second = run([60, 60, 60, 60], extra);
  const exit = await second.handle.done;
  assert.equal(exit.done?.marks?.prepared, true);
  const tids = new Set(second.events.filter((e) => e.type === 'worker-start').map((e) => e.tid));
  assert.equal(tids.size, 2);
  // As workers (every cpuSampleMs), not only as the process's other threads (every 50 ms).
  const sampled = new Set(second.events.filter((e) => e.type === 'cpu-sample' && tids.has(e.tid) && e.intervalUs < 25_000).map((e) => e.tid));
  assert.equal(sampled.size, 2, 'both workers\' threads were sampled as workers');
  disposeSpareRunners();
});
