// The extension's click, stage by stage, without VS Code: launchRunner({ warm: true }) as the extension calls it
// (src/extension/run-controller.ts), the same request (fn mode, thread × 2, 4 tasks, the extension's cache
// directory kind), cold (no spare runner) and then warm (the spare the first run left, after an idle pause like
// a user's). Every stage is on one clock (CLOCK_MONOTONIC: the runner's marks and trace events are on it, and
// this process reads it with process.hrtime), in ms since the "command" (the launch call).
//
//   node bench/click.mjs [--rounds 3] [--idle-ms 2000] [--backend thread] [--workers 2] [--root DIR]
//
// --root: another checkout (built) to time, e.g. an older commit, for a before/after at the same load.
//
// The webview's part (event → host → webview → first painted bar) is measured in the workbench
// (test/vscode/suite/warm-click.test.ts); this bench covers command → first task-start received by the host.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROUNDS = Number(arg('rounds', 3));
const IDLE_MS = Number(arg('idle-ms', 2000));
const BACKEND = arg('backend', 'thread');
const WORKERS = Number(arg('workers', 2));

const ROOT = path.resolve(arg('root', fileURLToPath(new URL('..', import.meta.url))));
const built = await esbuild.build({
  entryPoints: [path.join(ROOT, 'src', 'runner', 'launch.ts')],
  bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20',
});
const launch = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
const RUNNER = path.join(ROOT, 'dist', 'runner.js');

const dir = mkdtempSync(path.join(os.tmpdir(), 'poolscope-click-'));
const file = path.join(dir, 'tasks.ts');
writeFileSync(file, 'export function square(x: number): number {\n  return x * x;\n}\n');
const cacheDir = path.join(dir, 'cache');

function monoUs() {
  const t = process.hrtime();
  return t[0] * 1e6 + t[1] / 1e3;
}

/** One click: launch → done; the stages in ms since the launch call. */
async function click() {
  const stages = {};
  let origin;
  let workersSeen = 0;
  let note = '';
  const t0 = monoUs();
  const at = (us) => Math.round((us - t0) / 100) / 10;
  const handle = launch.launchRunner({
    runnerPath: RUNNER, stdio: 'pipe', warm: true, cwd: dir,
    request: { type: 'run', mode: 'fn', file, fn: 'square', inputs: [[1], [2], [3], [4]], backend: BACKEND, workers: WORKERS, cacheDir, cacheDirIsDefault: true, cpuSampleMs: 50 },
    onMessage: (m) => {
      const now = monoUs();
      if (m.type === 'bundled') {
        note = m.cacheHit ? 'cache hit' : 'cache miss';
        stages.bundleMs = Math.round(m.durationMs * 10) / 10;
        if (m.marks) {
          stages.runnerStarted = at(m.marks.runnerStartMonoUs);
          stages.requestReceived = at(m.marks.requestMonoUs);
          stages.bundled = at(m.marks.bundledMonoUs);
        }
      }
      if (m.type !== 'events') return;
      for (const e of m.batch) {
        if (e.type === 'run-start') { origin = e.originUs; stages.runStart = at(origin + e.t); stages.runStartReceived = at(now); }
        if (origin === undefined) continue;
        if (e.type === 'worker-start') {
          workersSeen++;
          stages.workersReady = at(origin + e.t);
        }
        if (e.type === 'task-queued' && stages.firstQueued === undefined) stages.firstQueued = at(origin + e.t);
        if (e.type === 'task-start' && stages.firstTaskStart === undefined) {
          stages.firstTaskStart = at(origin + e.t);
          stages.firstTaskStartReceived = at(now);
        }
      }
    },
  });
  stages.launched = at(monoUs());
  const exit = await handle.done;
  stages.done = at(monoUs());
  if (!exit.done?.ok) throw new Error(`run failed: ${JSON.stringify(exit)}`);
  const marks = exit.done.marks ?? {};
  for (const k of ['loaded', 'released', 'warm', 'firstSubmit']) if (marks[`${k}MonoUs`] !== undefined) stages[k] = at(marks[`${k}MonoUs`]);
  return { stages, note: `${note}, ${workersSeen} workers${marks.prepared ? ', pool started ahead' : ''}` };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rows = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    launch.disposeSpareRunners();
    await sleep(200);
    const cold = await click();
    rows.push({ round, kind: 'cold', ...cold });
    await sleep(IDLE_MS);
    const ready = launch.readySpareRunnerPids?.().length > 0;
    const warm = await click();
    if (launch.readySpareRunnerPids) warm.note += ready ? ', spare ready at the click' : ', spare not ready at the click';
    rows.push({ round, kind: 'warm', ...warm });
  }
} finally {
  launch.disposeSpareRunners();
  rmSync(dir, { recursive: true, force: true });
}

const keys = ['launched', 'runnerStarted', 'requestReceived', 'bundled', 'warm', 'loaded', 'released', 'firstSubmit', 'firstTaskStart', 'firstTaskStartReceived', 'done'];
console.log(`click bench: ${BACKEND} × ${WORKERS}, 4 tasks, idle ${IDLE_MS} ms before the warm click; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('ms since the launch call (negative: before it, e.g. a spare runner started earlier)');
console.log(['round', 'kind', ...keys, 'bundleMs', 'note'].join('\t'));
for (const r of rows) console.log([r.round, r.kind, ...keys.map((k) => r.stages[k] ?? '-'), r.stages.bundleMs ?? '-', r.note].join('\t'));
for (const kind of ['cold', 'warm']) {
  const v = rows.filter((r) => r.kind === kind).map((r) => r.stages.firstTaskStartReceived).sort((a, b) => a - b);
  console.log(`${kind}: command → first task-start at the host, median ${v[v.length >> 1]} ms (${v.join(', ')})`);
}
