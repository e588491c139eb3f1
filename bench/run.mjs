// `npm run bench` — PoolScope's backends and the peer pools (piscina, tinypool,
// workerpool) on the same workloads, in one run on this machine. Prints a
// table, checks the targets honestly and writes bench/results.json.
//
//   node bench/run.mjs                 the main bench (a few minutes)
//   node bench/run.mjs --soak          only the 1 000 000-task soak (separate: it is long)
//   node bench/run.mjs --soak --backends=event-loop --tasks=100000   part of it
//   node bench/run.mjs --quick         fewer repetitions (a smoke run; numbers are rough)
//   node bench/run.mjs --only=trivial,cpu   some sections only (trivial, latency, startup, cpu, io, overhead, api, honest, cli, extras;
//                                           runner or render: one part of extras)
//   node bench/run.mjs --only=cli --cli-tasks=200000   the CLI at scale with fewer tasks (default 1 000 000)
//   node bench/run.mjs --pools=piscina,poolscope-thread
//
// Every measurement runs in a fresh Node process (lib/measure.mjs) and the
// pools take turns round by round, so slow drift on a shared machine hits
// all of them alike; medians are reported.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { POOLS, POOL_SETUP, poolscopeAvailable } from './lib/pools.mjs';
import { measureInChild } from './lib/fork-measure.mjs';
import { calibrateBurn } from './lib/workloads.mjs';
import { median, round, bootstrapInterval, seededRandom, percentile } from './lib/stats.mjs';
import { checkTargets } from './lib/targets.mjs';
import { printReport } from './lib/report.mjs';
import { runExtras } from './lib/extras.mjs';
import { runHonest } from './lib/honest.mjs';
import { runSoak } from './soak.mjs';
import { API_PATHS } from './lib/api-paths.mjs';
import { measureCliScale } from './lib/cli-scale.mjs';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const listFlag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1].split(',');

const quick = flag('quick');
const config = {
  workers: 2,
  trivial: { tasks: 50_000, rounds: quick ? 1 : 3 },
  latency: { count: quick ? 500 : 2000 },
  startup: { rounds: quick ? 3 : 15 },
  cpu: { tasks: 16, targetMs: 50, rounds: quick ? 1 : 3 },
  io: { tasks: 200, ms: 20, workers: 4, reps: quick ? 1 : 2 },
  // Tracing overhead (issue 17: ≤ 3 % median and ≤ 5 % in every one of 5 runs, thread): `runs` fresh processes, each
  // `epochs` × fresh pools per mode × `pairs` rounds of `tasks` tasks a mode (lib/measure.mjs overheadPaired).
  overhead: {
    tasks: 2000, pairs: 4,
    thread: {
      runs: quick ? 2 : 5, epochs: quick ? 4 : 12, modes: ['off', 'columns', 'listener', 'off#2'],
      // One pool per epoch with its tracing switched round by round (lib/measure.mjs overheadToggle): ~8–14 s a run.
      // With it the section takes ~3.5 min at load 5–10 (the fresh-pools runs had 16 epochs before; the whole bench ~10 min).
      // Rounds per epoch: `warmRounds` read and dropped, then `pairs`, a multiple of the 3 arms so that each arm
      // goes first, second and last equally often (16 put 'off' first once more). Larger rounds did not narrow the
      // control's spread over 5–6 runs (8000 × 4: 14 points, 16000 × 2: 17, against 7–11 for 2000 × 16).
      sameInstance: { runs: quick ? 2 : 5, epochs: 4, pairs: quick ? 9 : 15, warmRounds: 1 },
    },
    process: { runs: quick ? 1 : 3, epochs: quick ? 2 : 6, modes: ['off', 'columns', 'listener'] },
  },
  api: { tasks: 30_000, rounds: quick ? 1 : 3, reps: quick ? 2 : 8 },
  honest: { tasks: 16, targetMs: 40, rounds: quick ? 1 : 5 },
  cli: { tasks: Number(listFlag('cli-tasks')?.[0] ?? (quick ? 100_000 : 1_000_000)), rounds: Number(listFlag('cli-rounds')?.[0] ?? (quick ? 1 : 3)) },
};

/** Pools whose numbers feed the targets (lib/targets.mjs). */
const TARGET_POOLS = ['poolscope-thread', 'poolscope-process', 'poolscope-event-loop', 'piscina', 'tinypool-process', 'workerpool-process'];

const sections = listFlag('only') ?? ['trivial', 'latency', 'startup', 'cpu', 'io', 'overhead', 'api', 'honest', 'cli', 'extras'];
const wanted = listFlag('pools');
const pools = POOLS.filter((p) => (!p.poolscope || poolscopeAvailable()) && (!wanted || wanted.includes(p.id)));
if (!poolscopeAvailable()) console.warn('dist/pool.mjs is missing (run `npm run build`): PoolScope is left out of this run.');

function progress(text) {
  process.stderr.write(`[bench] ${text}\n`);
}

/** Runs `spec` for every pool, `rounds` times, pools interleaved; returns { poolId: [result…] }. */
async function interleaved(section, rounds, specFor, poolList = pools) {
  const out = Object.fromEntries(poolList.map((p) => [p.id, []]));
  for (let r = 0; r < rounds; r++) {
    // The order rotates every round: no pool always runs first (cold page cache, a quiet machine …).
    for (let k = 0; k < poolList.length; k++) {
      const p = poolList[(r + k) % poolList.length];
      const spec = specFor(p, r);
      if (!spec) continue;
      progress(`${section} ${p.id} (round ${r + 1}/${rounds}, ${Math.round(process.uptime())} s)`);
      const reply = await measureInChild(spec);
      if (reply.ok) out[p.id].push(reply.result);
      else { progress(`  ${p.id} failed: ${reply.error.split('\n')[0]}`); out[p.id].push({ error: reply.error.split('\n')[0] }); }
    }
  }
  return out;
}

const ok = (rs) => rs.filter((r) => !r.error);
const firstError = (rs) => rs.find((r) => r.error)?.error;

/**
 * 95 % interval of the median of runs' figures (each the median of its rounds' ratios): every resample
 * draws each run's epochs with replacement, takes that run's median, then the median across the runs.
 */
function medianOfRunsInterval(runsClusters, reps = 1000) {
  const random = seededRandom(7);
  const stats = [];
  for (let r = 0; r < reps; r++) {
    stats.push(median(runsClusters.map((clusters) => {
      const sample = [];
      for (let i = 0; i < clusters.length; i++) sample.push(...clusters[Math.floor(random() * clusters.length)]);
      return median(sample);
    })));
  }
  return [percentile(stats, 2.5), percentile(stats, 97.5)];
}

async function mainBench() {
  const results = {
    date: new Date().toISOString(),
    machine: {
      node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model, totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
      loadavgBefore: os.loadavg().map((x) => round(x)),
      nodeExtraCaCerts: Boolean(process.env.NODE_EXTRA_CA_CERTS),
    },
    config: { ...config, quick },
    pools: Object.fromEntries(pools.map((p) => [p.id, p.label])),
    poolSetup: Object.fromEntries(pools.map((p) => [p.id, POOL_SETUP[p.id]])),
  };
  const W = config.workers;
  const t0 = Date.now();

  if (sections.includes('trivial')) {
    // The pools the targets compare get every round; the others one (the slow peers take ~10 s a round).
    const raw = await interleaved('trivial', config.trivial.rounds,
      (p, round) => (round === 0 || TARGET_POOLS.includes(p.id)
        ? { workload: 'throughput', pool: p.id, workers: W, tasks: config.trivial.tasks, reps: 1, trace: 'listener' } : null));
    results.trivial = Object.fromEntries(Object.entries(raw).map(([id, rs]) => {
      const samples = ok(rs).flatMap((r) => r.samples);
      return [id, {
        tasksPerSec: round(median(samples), 0), samples: samples.map((x) => round(x, 0)),
        traceEventsPerTask: ok(rs)[0]?.traceEvents != null ? round(ok(rs)[0].traceEvents / (config.trivial.tasks + 2000), 2) : undefined,
        error: firstError(rs),
      }];
    }));
  }

  if (sections.includes('latency')) {
    const raw = await interleaved('latency', 1, (p) => ({ workload: 'latency', pool: p.id, workers: W, count: config.latency.count }));
    results.latency = Object.fromEntries(Object.entries(raw).map(([id, rs]) => [id, ok(rs)[0]
      ? { p50Us: round(ok(rs)[0].p50Us, 1), p99Us: round(ok(rs)[0].p99Us, 1) } : { error: firstError(rs) }]));
  }

  if (sections.includes('startup')) {
    const raw = await interleaved('startup', config.startup.rounds, (p) => ({ workload: 'startup', pool: p.id, workers: W }));
    results.startup = Object.fromEntries(Object.entries(raw).map(([id, rs]) => {
      const samples = ok(rs).map((r) => r.ms);
      return [id, { ms: round(median(samples), 1), samples: samples.map((x) => round(x, 1)), error: firstError(rs) }];
    }));
  }

  if (sections.includes('cpu')) {
    const iterations = calibrateBurn(config.cpu.targetMs);
    results.cpuIterations = iterations;
    // One repetition per round, pools interleaved: the CPU numbers are the most sensitive to a busy neighbour.
    const raw = await interleaved('cpu', config.cpu.rounds,
      (p) => ({ workload: 'cpu', pool: p.id, workers: W, tasks: config.cpu.tasks, iterations, reps: 1 }));
    results.cpu = Object.fromEntries(Object.entries(raw).map(([id, rs]) => {
      if (!ok(rs).length) return [id, { error: firstError(rs) }];
      const r = { serialMs: ok(rs).flatMap((x) => x.serialMs), poolMs: ok(rs).flatMap((x) => x.poolMs) };
      // Speedup per repetition against the serial loop measured right before it, then the median.
      const speedups = r.poolMs.map((ms, i) => r.serialMs[i] / ms);
      return [id, {
        speedup: round(median(speedups), 2), poolMs: round(median(r.poolMs), 0), serialMs: round(median(r.serialMs), 0),
        taskMs: round(median(r.serialMs) / config.cpu.tasks, 1), speedups: speedups.map((x) => round(x, 2)),
      }];
    }));
  }

  if (sections.includes('io')) {
    const { tasks, ms, workers, reps } = config.io;
    const raw = await interleaved('io', 1, (p) => ({ workload: 'io', pool: p.id, workers, tasks, ms, reps: p.kind === 'serial' ? 1 : reps }));
    const idealMs = (tasks / workers) * ms;
    results.io = Object.fromEntries(Object.entries(raw).map(([id, rs]) => {
      const r = ok(rs)[0];
      if (!r) return [id, { error: firstError(rs) }];
      const wallMs = median(r.wallMs);
      return [id, { wallMs: round(wallMs, 0), idealMs, efficiency: round(idealMs / wallMs, 2) }];
    }));
  }

  if (sections.includes('overhead') && poolscopeAvailable()) {
    results.overhead = {};
    const { tasks, pairs } = config.overhead;
    for (const id of ['poolscope-thread', 'poolscope-process']) {
      if (!pools.some((p) => p.id === id)) continue;
      const { runs, epochs, modes } = config.overhead[id.slice('poolscope-'.length)];
      const traced = modes.filter((m) => m !== 'off');
      const perRun = [];
      let error;
      const clustersByRun = [];
      for (let run = 0; run < runs && !error; run++) {
        progress(`overhead ${id} run ${run + 1}/${runs}: ${epochs} epochs of fresh ${modes.join(' / ')} pools, ${pairs} rotating rounds of ${tasks} tasks each (${Math.round(process.uptime())} s)`);
        const loadavg1 = round(os.loadavg()[0]);
        const started = Date.now();
        const reply = await measureInChild({ workload: 'overheadPaired', pool: id, workers: W, tasks, pairs, epochs, modes }, { timeoutMs: 600_000 });
        if (!reply.ok) { error = reply.error.split('\n')[0]; break; }
        const rounds = reply.result.rounds;
        // Each round's traced mode against the untraced one of the same round; the run's figure is the median.
        const ratio = (x, mode, key, inverse = false) => (inverse ? x.off[key] / x[mode][key] : x[mode][key] / x.off[key]) - 1;
        const paired = (mode, key, inverse = false) => round(median(rounds.map((x) => ratio(x, mode, key, inverse))) * 100, 1);
        // Rounds of one epoch share their pool instances, so epochs (not rounds) are the independent samples the
        // interval resamples.
        const byEpoch = [...new Set(rounds.map((x) => x.epoch))].map((e) => rounds.filter((x) => x.epoch === e));
        const clusters = Object.fromEntries(traced.map((m) => [m, byEpoch.map((e) => e.map((x) => ratio(x, m, 'cpuUsPerTask')))]));
        clustersByRun.push(clusters);
        perRun.push({
          loadavg1, seconds: round((Date.now() - started) / 1000, 0),
          offCpuUsPerTask: round(median(rounds.map((x) => x.off.cpuUsPerTask)), 2),
          offMainCpuUsPerTask: round(median(rounds.map((x) => x.off.mainCpuUsPerTask)), 2),
          offTasksPerSec: round(median(rounds.map((x) => x.off.tasksPerSec)), 0),
          modes: Object.fromEntries(traced.map((m) => [m, {
            cpuPct: paired(m, 'cpuUsPerTask'), mainCpuPct: paired(m, 'mainCpuUsPerTask'), wallPct: paired(m, 'tasksPerSec', true),
            cpuPctCi: bootstrapInterval(clusters[m], median).map((x) => round(x * 100, 1)),
            cpuUsPerTask: round(median(rounds.map((x) => x[m].cpuUsPerTask)), 2),
          }])),
        });
      }
      if (error) { results.overhead[id] = { error }; continue; }
      const across = (mode, key) => perRun.map((r) => r.modes[mode][key]);
      results.overhead[id] = {
        method: `${runs} runs (a fresh process each) × ${epochs} epochs (fresh pools per mode, opened in alternating order) × ${pairs} rounds of ${tasks} tasks per mode, order rotating, each round settled before it is read; ` +
          'overhead = median over a run\'s rounds of (traced ÷ untraced in the same round − 1), on-CPU time per task of every thread of the process tree (/proc schedstat); off#2 = a second untraced pool (the method\'s noise floor); ' +
          '95 % intervals by resampling epochs (a run) and runs\' epochs (the median of runs)',
        runs: perRun,
        modes: Object.fromEntries(traced.map((m) => [m, {
          cpuPctMedian: round(median(across(m, 'cpuPct')), 1), cpuPctWorst: Math.max(...across(m, 'cpuPct')),
          cpuPctMedianCi: medianOfRunsInterval(clustersByRun.map((c) => c[m])).map((x) => round(x * 100, 1)),
          mainCpuPctMedian: round(median(across(m, 'mainCpuPct')), 1), wallPctMedian: round(median(across(m, 'wallPct')), 1),
          cpuPctRuns: across(m, 'cpuPct'),
        }])),
      };
      const noise = results.overhead[id].modes['off#2'];
      if (noise) {
        // How many epochs a run would need for its interval to be ±1.5 % (half the 3 % target) at the noise seen:
        // an interval narrows with the square root of the epochs.
        const halfWidth = median(perRun.map((r) => (r.modes['off#2'].cpuPctCi[1] - r.modes['off#2'].cpuPctCi[0]) / 2));
        const epochsFor = Math.ceil(epochs * (halfWidth / 1.5) ** 2);
        const secondsPerEpoch = median(perRun.map((r) => r.seconds)) / epochs;
        noise.resolution = { halfWidthPct: round(halfWidth, 1), epochsForHalfWidth1_5: epochsFor, secondsPerRunThen: Math.round(epochsFor * secondsPerEpoch) };
      }
    }
    // The same pool, its main-thread tracing switched round by round (lib/measure.mjs overheadToggle): no pool
    // instance effect, so it resolves a few % where the fresh-pools figure above cannot.
    const toggle = config.overhead.thread.sameInstance;
    if (pools.some((p) => p.id === 'poolscope-thread') && results.overhead['poolscope-thread'] && !results.overhead['poolscope-thread'].error) {
      const perRun = [];
      const clustersByRun = [];
      let error;
      for (let run = 0; run < toggle.runs && !error; run++) {
        progress(`overhead poolscope-thread, same pool, tracing switched per round: run ${run + 1}/${toggle.runs} (${toggle.epochs} pools × ${toggle.pairs} rounds of off / on / off#2) (${Math.round(process.uptime())} s)`);
        const loadavg1 = round(os.loadavg()[0]);
        const reply = await measureInChild({ workload: 'overheadToggle', pool: 'poolscope-thread', workers: W, tasks, pairs: toggle.pairs, epochs: toggle.epochs, warmRounds: toggle.warmRounds }, { timeoutMs: 600_000 });
        if (!reply.ok) { error = reply.error.split('\n')[0]; break; }
        const rounds = reply.result.rounds;
        const byEpoch = [...new Set(rounds.map((x) => x.epoch))].map((e) => rounds.filter((x) => x.epoch === e));
        const clusters = Object.fromEntries(['on', 'off#2'].map((a) => [a, byEpoch.map((e) => e.map((x) => x[a].cpuUsPerTask / x.off.cpuUsPerTask - 1))]));
        clustersByRun.push(clusters);
        perRun.push({
          loadavg1, offCpuUsPerTask: round(median(rounds.map((x) => x.off.cpuUsPerTask)), 2),
          ...Object.fromEntries(['on', 'off#2'].map((a) => [a, {
            cpuPct: round(median(rounds.map((x) => x[a].cpuUsPerTask / x.off.cpuUsPerTask - 1)) * 100, 1),
            cpuPctCi: bootstrapInterval(clusters[a], median).map((x) => round(x * 100, 1)),
            mainCpuPct: round(median(rounds.map((x) => x[a].mainCpuUsPerTask / x.off.mainCpuUsPerTask - 1)) * 100, 1),
          }])),
        });
      }
      const summary = (a) => ({
        cpuPctMedian: round(median(perRun.map((r) => r[a].cpuPct)), 1), cpuPctWorst: Math.max(...perRun.map((r) => r[a].cpuPct)),
        cpuPctMedianCi: medianOfRunsInterval(clustersByRun.map((c) => c[a])).map((x) => round(x * 100, 1)),
        mainCpuPctMedian: round(median(perRun.map((r) => r[a].mainCpuPct)), 1), cpuPctRuns: perRun.map((r) => r[a].cpuPct),
      });
      results.overhead['poolscope-thread'].sameInstance = error ? { error } : {
        method: `${toggle.runs} runs × ${toggle.epochs} pools (tracing on, the runner's column subscriber) × ${toggle.pairs} rounds of ${tasks} tasks per arm, after ${toggle.warmRounds} round(s) read and dropped; ` +
          'the engine\'s tracing switched off / on / off (off#2: the control) round by round, order rotating; the workers\' own trace work (one call a task here) stays on in every arm',
        runs: perRun, on: summary('on'), noise: summary('off#2'),
      };
    }
  }

  if (sections.includes('api') && poolscopeAvailable()) {
    // Each path against the engine it is built on: a fresh process per (path, round), the order rotating every
    // round; inside it a warm engine pool and the path's pool take turns run by run (lib/api-paths.mjs). A path's
    // ratio is the median, over every round, of each of its runs ÷ the engine's run next to it (a single run moves
    // by ±25 % on a busy 2-core machine; a pair moves together). The engine row gathers the engine's runs.
    const { tasks, rounds, reps } = config.api;
    const paths = API_PATHS.filter((p) => !p.startsWith('engine'));
    const raw = Object.fromEntries(paths.map((p) => [p, []]));
    let error;
    for (let r = 0; r < rounds && !error; r++) {
      for (let k = 0; k < paths.length; k++) {
        const path = paths[(r + k) % paths.length];
        progress(`api ${path} (round ${r + 1}/${rounds}, ${Math.round(process.uptime())} s)`);
        const reply = await measureInChild({ workload: 'apiPath', path, tasks, workers: W, reps });
        if (!reply.ok) { error = `${path}: ${reply.error.split('\n')[0]}`; break; }
        raw[path].push(reply.result);
      }
    }
    results.api = { tasks, workers: W, backend: 'thread', reps, rounds, error, paths: {} };
    const engineRuns = Object.values(raw).flat().map((x) => x.engine);
    if (engineRuns.length) {
      results.api.paths[API_PATHS[0]] = {
        tasksPerSec: round(median(engineRuns.flatMap((x) => x.tasksPerSec)), 0),
        samples: engineRuns.map((x) => round(median(x.tasksPerSec), 0)),
        mainCpuUsPerTask: round(median(engineRuns.flatMap((x) => x.mainCpuUsPerTask)), 2),
        vsEngine: 1, cpuVsEngine: 1, mainWaitSpans: 0,
      };
    }
    for (const path of paths) {
      const rs = raw[path];
      if (!rs.length) continue;
      results.api.paths[path] = {
        tasksPerSec: round(median(rs.flatMap((x) => x.tasksPerSec)), 0),
        samples: rs.map((x) => round(median(x.tasksPerSec), 0)),
        mainCpuUsPerTask: round(median(rs.flatMap((x) => x.mainCpuUsPerTask)), 2),
        // Every run of the path over the engine's run next to it (same process, back to back): the median of all.
        vsEngine: round(median(rs.flatMap((x) => x.pairRatios)), 2),
        vsEngineRounds: rs.map((x) => round(x.vsEngine, 2)),
        cpuVsEngine: round(median(rs.map((x) => x.cpuVsEngine)), 2),
        mainWaitSpans: Math.max(...rs.flatMap((x) => x.mainWaitSpans)),
      };
    }
  }

  if (sections.includes('honest') && poolscopeAvailable()) {
    // What `poolscope compare` itself reports, through the CLI and runner: speed-up on a warm pool's task
    // phase, cores used from /proc, the busy flag; and serial's per-task time against one thread worker's.
    try {
      results.honest = await runHonest({ ...config.honest, workers: W, progress });
    } catch (e) {
      results.honest = { error: e.message };
    }
  }

  if (sections.includes('cli') && poolscopeAvailable()) {
    try {
      // Rounds back to back (one process tree at a time: it is the machine's whole load), medians; each round
      // records the load average it started under.
      const rounds = [];
      for (let r = 0; r < config.cli.rounds; r++) {
        const loadavg1 = round(os.loadavg()[0]);
        rounds.push({ loadavg1, ...await measureCliScale({ tasks: config.cli.tasks, progress }) });
      }
      const good = rounds.filter((x) => x.code === 0);
      const med = (key) => (good.length ? round(median(good.map((x) => x[key]).filter((v) => v != null)), 1) : null);
      results.cliScale = {
        tasks: config.cli.tasks, code: good.length === rounds.length ? 0 : rounds.find((x) => x.code !== 0)?.code,
        wallS: med('wallS'), peakRssMiB: med('peakRssMiB'), firstTaskAfterReadyMs: med('firstTaskAfterReadyMs'), firstTaskAfterFirstWorkerMs: med('firstTaskAfterFirstWorkerMs'),
        traceBytesPerTask: med('traceBytesPerTask'), htmlBytesPerTask: med('htmlBytesPerTask'),
        outputProgressShown: rounds.every((x) => x.outputProgressShown),
        rounds, ...(rounds.find((x) => x.error) ? { error: rounds.find((x) => x.error).error } : {}),
      };
    } catch (err) {
      results.cliScale = { error: String(err?.message ?? err) };
    }
  }

  const extraParts = sections.includes('extras') ? ['runner', 'render'] : sections.filter((s) => s === 'runner' || s === 'render');
  // --only=runner or --only=render re-measures one part: the other keeps its last figures.
  if (extraParts.length) results.extras = { ...(sections.includes('extras') ? {} : previousResults().extras), ...await runExtras(progress, extraParts) };

  // The warm click as the extension sees it comes from the last workbench run (npm run test:workbench:
  // test/vscode/suite/warm-click.test.ts); the bench only reports it, with its date.
  const click = fileURLToPath(new URL('../e2e-out/mocha/warm-click.json', import.meta.url));
  if (existsSync(click)) {
    try {
      results.workbenchClick = JSON.parse(readFileSync(click, 'utf8'));
    } catch { /* a half-written file: leave it out */ }
  }

  results.machine.loadavgAfter = os.loadavg().map((x) => round(x));
  // Wall-clock targets need idle cores; say so when the machine was shared.
  results.machine.busy = Math.max(results.machine.loadavgBefore[0], results.machine.loadavgAfter[0]) > results.machine.cpus * 0.75;
  results.durationS = round((Date.now() - t0) / 1000, 1);
  return results;
}

function previousResults() {
  try {
    return existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  } catch {
    return {};
  }
}

let results;
if (flag('soak')) {
  // The soak is its own step; keep the main bench's last figures next to it.
  const tasks = Number(listFlag('tasks')?.[0] ?? 1_000_000);
  const soak = await runSoak({ progress, tasks, backends: listFlag('backends') });
  // Read the file only now: another bench run may have written it meanwhile.
  const previous = previousResults();
  // --backends=… re-runs some backends: keep the others' last figures when they were for the same task count.
  if (listFlag('backends') && previous.soak?.tasks === tasks) {
    soak.backends = { ...previous.soak.backends, ...soak.backends };
    soak.date = `${previous.soak.date} (re-run ${listFlag('backends').join(', ')}: ${soak.date})`;
  }
  results = { ...previous, soak };
} else {
  // A partial run (--only, --pools) replaces only the sections it measured.
  const measured = await mainBench();
  results = { ...previousResults(), ...measured };
}
results.targets = checkTargets(results);
// Written before the report is printed: a bug in printing must not lose minutes of measurements.
writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
printReport(results);
console.log(`\nwrote ${RESULTS}`);
