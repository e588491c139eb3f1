// Measurements of the other parts that belong in the same bench run:
// - the runner's start-up (issue 5): `poolscope run` start → first task-start,
//   cold (empty bundle cache), warm (cache hit) and spare (cache hit, the runner
//   forked a second ahead as the extension's warm start does), via dist/runner.js and its
//   IPC protocol (src/runner/protocol.ts), launched the way launchRunner() does;
// - the timeline's rendering bench (issue 6): bench/render.mjs's benchRender(),
//   when the webview engineer's file exists.
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median, round } from './stats.mjs';

/** Row kind of a task-start in the runner's column batches (src/common/trace-columns.ts). */
const { RowKind } = await import(new URL('../../dist/pool.mjs', import.meta.url).href);
const ROW_STARTED = RowKind.Started;

const RUNNER = fileURLToPath(new URL('../../dist/runner.js', import.meta.url));
const RENDER = fileURLToPath(new URL('../render.mjs', import.meta.url));
const USER_FILE = fileURLToPath(new URL('../fixtures/startup-task.ts', import.meta.url));

/** How long a spare runner has been up before its request comes (a user's second click comes later still). */
const SPARE_IDLE_MS = 1000;

/**
 * One runner launch: ms from fork() to the first task-start event; with `spare`, from the request sent to
 * a runner forked SPARE_IDLE_MS earlier (the extension's warm start, src/runner/launch.ts).
 */
async function runnerToFirstTask(backend, cacheDir, { spare = false, timeoutMs = 60_000 } = {}) {
  const child = fork(RUNNER, [], {
    execArgv: ['--enable-source-maps'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  let t0 = performance.now();
  if (spare) {
    await new Promise((resolve) => setTimeout(resolve, SPARE_IDLE_MS));
    t0 = performance.now();
  }
  return new Promise((resolve) => {
    let firstTaskMs = null;
    let error = null;
    const timer = setTimeout(() => { error = 'timeout'; child.kill('SIGKILL'); }, timeoutMs);
    child.on('message', (m) => {
      // A Node pool's events come as columns: a Started row is a task-start.
      if (m.type === 'trace-columns' && firstTaskMs === null && m.columns.kind.includes(ROW_STARTED)) firstTaskMs = performance.now() - t0;
      if (m.type === 'load-error') error = `${m.error.name}: ${m.error.message}`;
    });
    child.on('close', () => { clearTimeout(timer); resolve(firstTaskMs !== null ? { ms: firstTaskMs } : { error: error ?? 'no task-start' }); });
    child.send({ type: 'run', mode: 'fn', file: USER_FILE, fn: 'double', inputs: [[1], [2], [3], [4]], backend, workers: 2, cacheDir });
  });
}

async function runnerStartup(progress) {
  const out = {};
  for (const backend of ['thread', 'process']) {
    const cold = [];
    const warm = [];
    const spare = [];
    const load = [];
    for (let r = 0; r < 3; r++) {
      const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'poolscope-bench-cache-'));
      try {
        progress(`runner start-up ${backend} (round ${r + 1}/3)`);
        load.push(round(os.loadavg()[0]));
        cold.push(await runnerToFirstTask(backend, cacheDir));
        // Warm and spare alternate which goes first, so drift hits both alike.
        if (r % 2 === 0) {
          warm.push(await runnerToFirstTask(backend, cacheDir));
          spare.push(await runnerToFirstTask(backend, cacheDir, { spare: true }));
        } else {
          spare.push(await runnerToFirstTask(backend, cacheDir, { spare: true }));
          warm.push(await runnerToFirstTask(backend, cacheDir));
        }
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    }
    const ms = (xs) => xs.filter((x) => x.ms != null).map((x) => x.ms);
    const err = [...cold, ...warm, ...spare].find((x) => x.error)?.error;
    out[backend] = {
      coldMs: round(median(ms(cold)), 1), warmMs: round(median(ms(warm)), 1),
      // The extension's second click: a runner forked ahead (launch.ts warm start), bundle cache hot.
      spareMs: round(median(ms(spare)), 1),
      coldSamples: ms(cold).map((x) => round(x, 1)), warmSamples: ms(warm).map((x) => round(x, 1)),
      spareSamples: ms(spare).map((x) => round(x, 1)), loadavg1: load, ...(err ? { error: err } : {}),
    };
  }
  return out;
}

/** `parts`: 'runner' (start-up) and/or 'render'. */
export async function runExtras(progress, parts = ['runner', 'render']) {
  const extras = {};
  if (parts.includes('runner') && existsSync(RUNNER)) {
    try {
      extras.runnerStartup = await runnerStartup(progress);
    } catch (err) {
      extras.runnerStartup = { error: String(err?.message ?? err) };
    }
  }
  if (parts.includes('render') && existsSync(RENDER)) {
    progress('render bench (bench/render.mjs)');
    try {
      const { benchRender } = await import(pathToFileURL(RENDER).href);
      extras.render = await benchRender();
    } catch (err) {
      extras.render = { error: String(err?.message ?? err) };
    }
  }
  return extras;
}
