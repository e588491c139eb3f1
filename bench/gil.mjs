// `node bench/gil.mjs` — the on-CPU figures of issue 22, measured on this machine:
//
// 1. What the /proc sampler costs: 4 busy threads sampled every 1, 2, 5, 10 ms; the sampling
//    thread's own CPU time (its schedstat) ÷ wall time = share of one core.
// 2. Mean per-task cpuFraction (src/trace/on-cpu.ts) of the same CPU-bound work on
//    py-thread × 4, py-process × 2, Node event-loop (4 in flight) and Node thread × 2,
//    through the CLI exactly as a user runs it (`poolscope run … --json`).
//
// The machine's load average is printed with every figure: on a shared 2-core machine the
// "≥ 0.8" figures need free cores, and say nothing when other programs hold them.
//
//   node bench/gil.mjs              both parts (~1 min on an idle machine)
//   node bench/gil.mjs --cost       part 1 only
//   node bench/gil.mjs --fractions  part 2 only
// Writes bench/gil-results.json.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${ROOT}dist/cli.js`;
const RESULTS = fileURLToPath(new URL('./gil-results.json', import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--cost') ? 'cost' : args.includes('--fractions') ? 'fractions' : undefined;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

function threadCpuUs() {
  const text = readFileSync('/proc/thread-self/schedstat', 'latin1');
  return Number(text.slice(0, text.indexOf(' '))) / 1000;
}

/** Part 1: the sampler's own cost while it samples `threads` busy threads every `intervalMs`. */
async function samplerCost(CpuSampler, intervalMs, threads = 4, seconds = 3) {
  const workers = [];
  const tids = [];
  for (let i = 0; i < threads; i++) {
    const w = new Worker(`
      const { parentPort } = require('node:worker_threads');
      const { readlinkSync } = require('node:fs');
      parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
      const end = Date.now() + ${(seconds + 2) * 1000};
      let x = 0;
      while (Date.now() < end) x += Math.sqrt(x + 1);
    `, { eval: true });
    workers.push(w);
    tids.push(await new Promise((resolve) => w.once('message', resolve)));
  }
  let samples = 0;
  const t0 = performance.now();
  const sampler = new CpuSampler({ intervalMs, now: () => (performance.now() - t0) * 1000, onSamples: (s) => { samples += s.length; } });
  for (const tid of tids) sampler.track(process.pid, tid);
  const cpu0 = threadCpuUs();
  const wall0 = performance.now();
  sampler.start();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  sampler.stop();
  const wallUs = (performance.now() - wall0) * 1000;
  const cpuUs = threadCpuUs() - cpu0;
  await Promise.all(workers.map((w) => w.terminate()));
  const { reads, busyUs } = sampler.cost;
  return {
    intervalMs, threads, seconds, samples, reads,
    readUs: +(busyUs / Math.max(1, reads)).toFixed(1),
    // Everything the sampling thread did (timers, reads, building samples) ÷ wall time.
    shareOfCorePct: +((cpuUs / wallUs) * 100).toFixed(2),
    // The reads alone.
    readsShareOfCorePct: +((busyUs / wallUs) * 100).toFixed(2),
    load: load(),
  };
}

/** Part 2: one CLI run, the per-task and mean cpuFraction. */
function cliRun(label, file, backend, workers, inputs) {
  const before = load();
  const out = execFileSync(process.execPath, [CLI, 'run', file, '--fn', 'work', '--inputs', JSON.stringify(inputs), '--backend', backend,
    '--workers', String(workers), '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const doc = JSON.parse(out);
  const run = doc.runs[0];
  return {
    label, backend, workers, tasks: doc.tasks.length,
    meanCpuFraction: run.cpuFraction === undefined ? null : +run.cpuFraction.toFixed(3),
    taskFractions: doc.tasks.map((t) => (t.cpuFraction === undefined ? null : +t.cpuFraction.toFixed(3))),
    source: [...new Set(doc.tasks.map((t) => t.cpuSource))].join(','),
    wallMs: Math.round(run.wallUs / 1000),
    gil: run.gil,
    loadBefore: before, loadAfter: load(),
  };
}

const results = { date: new Date().toISOString(), cores: cpus().length, loadAtStart: load() };
if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');

if (only !== 'fractions') {
  const { CpuSampler } = await import(`${ROOT}dist/python.mjs`);
  results.cost = [];
  for (const ms of [1, 2, 5, 10]) {
    const r = await samplerCost(CpuSampler, ms);
    results.cost.push(r);
    console.log(`sampler every ${ms} ms, 4 busy threads: ${r.shareOfCorePct} % of one core (reads alone ${r.readsShareOfCorePct} %, ${r.readUs} µs a read, ${r.samples} samples) · load ${r.load}`);
  }
}

if (only !== 'cost') {
  const py = `${ROOT}bench/fixtures/gil_work.py`;
  const ts = `${ROOT}bench/fixtures/gil-work.ts`;
  const pyInputs = [[2_000_000], [2_000_000], [2_000_000], [2_000_000]];
  const tsInputs = [[150], [150], [150], [150]];
  results.fractions = [
    cliRun('py-thread × 4 (one GIL)', py, 'py-thread', 4, pyInputs),
    cliRun('py-process × 2', py, 'py-process', 2, pyInputs),
    cliRun('event-loop, 4 in flight', ts, 'event-loop', 4, tsInputs),
    cliRun('thread × 2', ts, 'thread', 2, tsInputs),
  ];
  for (const r of results.fractions) {
    console.log(`${r.label.padEnd(26)} mean cpuFraction ${r.meanCpuFraction} (tasks ${r.taskFractions.join(' ')}; ${r.source}) wall ${r.wallMs} ms · load ${r.loadBefore} → ${r.loadAfter}`);
  }
}

writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written ${RESULTS}`);
