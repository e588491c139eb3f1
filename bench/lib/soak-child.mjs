// One soak run in a fresh process: this process owns the pool. Tasks are kept
// `window` in flight (as a real producer would), every settlement is counted
// per task (exactly once), and RSS / threads / child processes / active
// handles are compared before and after.
import { readdirSync, readFileSync } from 'node:fs';
import { childPids } from '../../test/fixtures/processes.mjs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../../test/fixtures/seeded-random.mjs';

const spec = JSON.parse(process.argv[2]);
const { createPool } = await import(pathToFileURL(fileURLToPath(new URL('../../dist/pool.mjs', import.meta.url))).href);
const TASKS_URL = new URL('../tasks.mjs', import.meta.url).href;


const MiB = 2 ** 20;
const threadCount = () => readdirSync('/proc/self/task').length;
function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch { return 0; }
}
/** Multiset difference a − b of resource names. */
function extra(a, b) {
  const left = [...b];
  return a.filter((x) => { const i = left.indexOf(x); if (i >= 0) { left.splice(i, 1); return false; } return true; });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Create stdout/stderr's handles now (they are made lazily on first use) so they belong to the baseline.
void process.stdout; void process.stderr;
// Warm libuv's thread pool first: it starts its threads on first use, which would look like a leak.
readFileSync('/proc/self/stat');
await new Promise((r) => import('node:fs').then((fs) => fs.stat('/', r)));
const baseline = { handles: process.getActiveResourcesInfo(), threads: threadCount(), children: childPids() };
const rss = { start: process.memoryUsage().rss, peak: 0, end: 0 };
let workerRssPeak = 0;
const sampler = setInterval(() => {
  rss.peak = Math.max(rss.peak, process.memoryUsage().rss);
  if (spec.backend === 'process') for (const pid of childPids()) workerRssPeak = Math.max(workerRssPeak, rssOf(pid));
}, 200);

const random = seededRandom(spec.seed);
const crashKind = spec.backend === 'serial' ? 'throw' : 'exit';
const pool = createPool({ backend: spec.backend, workers: spec.workers, module: TASKS_URL, trace: true });
const events = { total: 0, workerStart: 0, workerExit: {} };
pool.onTrace((batch) => {
  events.total += batch.length;
  for (const e of batch) {
    if (e.type === 'worker-start') events.workerStart++;
    else if (e.type === 'worker-exit') events.workerExit[e.reason] = (events.workerExit[e.reason] ?? 0) + 1;
  }
});

const settledCount = new Uint8Array(spec.tasks);
const failedByName = {};
let ok = 0, failed = 0, doubleSettled = 0, wrongValue = 0, crashesInjected = 0, next = 0, inFlight = 0;
const t0 = performance.now();
await new Promise((allDone) => {
  const settle = (i) => {
    if (settledCount[i]++ > 0) doubleSettled++;
    inFlight--;
    pump();
  };
  function pump() {
    while (inFlight < spec.window && next < spec.tasks) {
      const i = next++;
      const crash = random() < spec.crashRate ? crashKind : null;
      if (crash) crashesInjected++;
      inFlight++;
      pool.submit('maybeCrash', [[i, crash]]).promise.then(
        (v) => { if (v !== i) wrongValue++; ok++; settle(i); },
        (err) => { failed++; failedByName[err?.name ?? String(err)] = (failedByName[err?.name ?? String(err)] ?? 0) + 1; settle(i); },
      );
    }
    if (inFlight === 0 && next === spec.tasks) allDone();
  }
  pump();
});
const wallMs = performance.now() - t0;
rss.peak = Math.max(rss.peak, process.memoryUsage().rss);
await pool.close();
clearInterval(sampler);

// Threads and processes exit asynchronously after close(): give them a bounded moment.
// (The process backend also keeps a grace timer to SIGKILL each worker's process group, then lets go.)
const settledDown = () => threadCount() <= baseline.threads && extra(childPids(), baseline.children).length === 0
  && extra(process.getActiveResourcesInfo(), baseline.handles).length === 0;
const closedAt = performance.now();
for (let i = 0; i < 100 && !settledDown(); i++) await sleep(100);
const quietAfterCloseMs = Math.round(performance.now() - closedAt);
global.gc?.();
rss.end = process.memoryUsage().rss;
let settled = 0;
for (let i = 0; i < spec.tasks; i++) if (settledCount[i] > 0) settled++;

const result = {
  submitted: spec.tasks, settled, doubleSettled, ok, failed, wrongValue, failedByName, crashesInjected,
  tasksPerSec: Math.round(spec.tasks / (wallMs / 1000)), wallS: Math.round(wallMs / 100) / 10,
  rssMiB: { start: Math.round(rss.start / MiB), peak: Math.round(rss.peak / MiB), end: Math.round(rss.end / MiB) },
  workerRssPeakMiB: spec.backend === 'process' ? Math.round(workerRssPeak / MiB) : undefined,
  workersStarted: events.workerStart, workerExits: events.workerExit, traceEvents: events.total,
  quietAfterCloseMs,
  leaks: {
    handles: extra(process.getActiveResourcesInfo(), baseline.handles),
    processes: extra(childPids(), baseline.children),
    threads: threadCount() - baseline.threads,
  },
};
process.send({ ok: true, result }, () => process.exit(0));
