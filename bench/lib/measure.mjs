// One measurement in a fresh Node process: `node measure.mjs '<spec json>'`.
// The orchestrator forks this per (workload, pool, round), so pools never
// share a heap, a JIT profile or leftover threads, and reads the result from
// the IPC channel (stdout stays free for whatever the pools print).
import { readdirSync, readFileSync } from 'node:fs';
import { childPids } from '../../test/fixtures/processes.mjs';
import { performance } from 'node:perf_hooks';
import { openPool, preloadPool } from './pools.mjs';
import { median } from './stats.mjs';
import { trivialThroughput, roundTrips, cpuBound, cpuBoundInline, ioBound } from './workloads.mjs';
import { measureApiPath } from './api-paths.mjs';

const spec = JSON.parse(process.argv[2]);

/** CPU time (µs, ns resolution) of this process's main thread: the one that feeds the workers and records the trace. */
function cpuUsOfMainThread() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

/**
 * CPU time (µs) used so far by this process (all its threads, so thread
 * workers too) plus its live child processes (process workers; /proc ticks
 * of 10 ms). Unlike wall time, it barely moves when a busy neighbour steals
 * the cores, so small overheads stay measurable on a shared machine.
 */
function cpuUsOfProcessTree() {
  const own = process.cpuUsage();
  let us = own.user + own.system;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === process.pid) us += (Number(f[11]) + Number(f[12])) * 10_000; // utime + stime, 100 Hz ticks
    } catch { /* exited meanwhile */ }
  }
  return us;
}

/** CPU time (ns) of every thread of process `pid` (/proc/<pid>/task/<tid>/schedstat: on-CPU ns, exact, per thread). */
function cpuNsOfProcess(pid) {
  let ns = 0;
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch { /* exited */ }
  for (const tid of tasks) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* thread exited */ }
  }
  return ns;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function warm(pool, n) {
  await Promise.all(Array.from({ length: n }, (_, i) => pool.run('identity', i)));
}

const measurements = {
  /** One path of the Python-shaped API, or the engine under it (lib/api-paths.mjs). */
  apiPath: measureApiPath,

  /** Tasks/s on trivial tasks; `reps` runs back to back on one warm pool. */
  async throughput({ pool: id, workers, tasks, reps, trace }) {
    const pool = await openPool(id, { workers, trace });
    try {
      await warm(pool, 2000);
      const samples = [];
      for (let r = 0; r < reps; r++) samples.push(await trivialThroughput(pool, tasks));
      return { samples, traceEvents: pool.info.events ?? null };
    } finally {
      await pool.close();
    }
  },

  /** Sequential round-trip latency on a warm pool. */
  async latency({ pool: id, workers, count }) {
    const pool = await openPool(id, { workers });
    try {
      await warm(pool, 200);
      for (let i = 0; i < 200; i++) await pool.run('identity', i);
      return await roundTrips(pool, count);
    } finally {
      await pool.close();
    }
  },

  /** Pool construction → first result, with the library already imported. */
  async startup({ pool: id, workers }) {
    // Import first so that module loading is not counted; only the pool's own start is.
    await preloadPool(id);
    const t0 = performance.now();
    const pool = await openPool(id, { workers });
    await pool.run('identity', 1);
    const ms = performance.now() - t0;
    await pool.close();
    return { ms };
  },

  /** CPU-bound speedup: the inline serial loop and the pool, interleaved. */
  async cpu({ pool: id, workers, tasks, iterations, reps }) {
    const pool = await openPool(id, { workers });
    try {
      await warm(pool, 50);
      await cpuBound(pool, workers * 2, Math.round(iterations / 10)); // JIT the task in every worker
      const serialMs = [];
      const poolMs = [];
      for (let r = 0; r < reps; r++) {
        serialMs.push(cpuBoundInline(tasks, iterations));
        poolMs.push(await cpuBound(pool, tasks, iterations));
      }
      return { serialMs, poolMs };
    } finally {
      await pool.close();
    }
  },

  /** I/O-bound wall time. */
  async io({ pool: id, workers, tasks, ms, reps }) {
    const pool = await openPool(id, { workers });
    try {
      await warm(pool, 50);
      const wallMs = [];
      for (let r = 0; r < reps; r++) wallMs.push(await ioBound(pool, tasks, ms));
      return { wallMs };
    } finally {
      await pool.close();
    }
  },

  /**
   * One tracing mode ('off', 'columns', 'listener') on a warm pool: medians
   * of `reps` runs. The orchestrator runs the modes in separate processes,
   * interleaved, so that no mode inherits another's JIT state or heap.
   */
  async overheadOne({ pool: id, workers, tasks, reps, trace }) {
    const pool = await openPool(id, { workers, trace });
    try {
      await warm(pool, 2000);
      await trivialThroughput(pool, tasks);
      const tasksPerSec = [];
      const cpuUsPerTask = [];
      const mainCpuUsPerTask = [];
      for (let r = 0; r < reps; r++) {
        const cpu0 = cpuUsOfProcessTree();
        const main0 = cpuUsOfMainThread();
        tasksPerSec.push(await trivialThroughput(pool, tasks));
        mainCpuUsPerTask.push((cpuUsOfMainThread() - main0) / tasks);
        cpuUsPerTask.push((cpuUsOfProcessTree() - cpu0) / tasks);
      }
      return { tasksPerSec: median(tasksPerSec), cpuUsPerTask: median(cpuUsPerTask), mainCpuUsPerTask: median(mainCpuUsPerTask), traceEvents: pool.info.events ?? 0 };
    } finally {
      await pool.close();
    }
  },

  /**
   * Tracing overhead, paired (issue 17). One pool per mode ('off' and the traced modes) in this one process,
   * all warm, then `pairs` short rounds in which every mode runs `tasks` trivial tasks back to back, the order
   * rotating each round (AB, BA, AB …): a round's modes run within a few tens of ms of each other and see the
   * same machine. That is one epoch; the pools are then closed and the next epoch opens fresh ones (in the
   * other order): a pool instance can settle into a costlier rhythm with its workers for its whole life (two
   * untraced pools measured 5.3 and 9.8 µs of CPU a task side by side on a loaded machine), so one pair of
   * instances says little; many epochs do. Judged on on-CPU time per task: every thread of this process and of
   * its child processes, from /proc schedstat (ns) — a busy neighbour stretches wall time, barely the CPU a
   * task costs. Wall-clock tasks/s is kept alongside. Mode names may carry a `#tag` ('off#2': a second
   * untraced pool, the method's own control).
   *
   * Each round ends with a settle (`settleMs`, longer than the trace sink's 10 ms batching interval) before
   * its CPU is read, and that reading starts the next round: the last trace batch of a round is delivered
   * (and billed) in its own round, not in the next mode's, and every thread is asleep when its counter is read.
   * schedstat's figure for a thread that is on a CPU at that moment lags by the time since it was last
   * switched in, up to a scheduler tick (4 ms here): a round's main thread read while it was running was off
   * by up to that much out of ~10 ms.
   */
  async overheadPaired({ pool: id, workers, tasks, pairs, epochs = 1, modes, settleMs = 15 }) {
    const rounds = [];
    const events = Object.fromEntries(modes.map((m) => [m, 0]));
    const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs));
    for (let epoch = 0; epoch < epochs; epoch++) {
      const pools = {};
      const order = epoch % 2 === 0 ? modes : [...modes].reverse();
      try {
        for (const mode of order) pools[mode] = await openPool(id, { workers, trace: mode.split('#')[0] });
        for (const mode of order) {
          await warm(pools[mode], 2000);
          await trivialThroughput(pools[mode], tasks);
        }
        const children = childPids();
        const cpuNs = () => children.reduce((sum, pid) => sum + cpuNsOfProcess(pid), cpuNsOfProcess(process.pid));
        await settle();
        let c0 = cpuNs();
        let m0 = cpuUsOfMainThread();
        for (let r = 0; r < pairs; r++) {
          const round = { epoch };
          for (let k = 0; k < modes.length; k++) {
            const mode = modes[(r + k) % modes.length];
            const e0 = pools[mode].info.events;
            const tasksPerSec = await trivialThroughput(pools[mode], tasks);
            await settle();
            // A batch that is late on a loaded machine still belongs (and is billed) to this round.
            const expected = mode.startsWith('off') ? 0 : 3 * tasks;
            for (let waited = 0; pools[mode].info.events - e0 < expected && waited < 1000; waited += 2) await sleep(2);
            const c1 = cpuNs();
            const m1 = cpuUsOfMainThread();
            round[mode] = { cpuUsPerTask: (c1 - c0) / 1000 / tasks, mainCpuUsPerTask: (m1 - m0) / tasks, tasksPerSec };
            c0 = c1;
            m0 = m1;
          }
          rounds.push(round);
        }
        for (const mode of modes) events[mode] += pools[mode].info.events ?? 0;
      } finally {
        for (const pool of Object.values(pools)) await pool.close();
      }
    }
    return { rounds, traceEvents: events };
  },

  /**
   * Tracing overhead within one pool instance (issue 17): the fresh-pools method above cannot tell 3 % from 0
   * in minutes on a loaded machine — one untraced pool instance can cost 15–40 % more CPU a task than another for
   * its whole life — so this one takes the instances out: a traced pool ('columns': the runner's subscriber)
   * whose main-thread tracing is switched off and on round by round (the engine's `tracing` flag: the
   * three rows a task, the clock read at submit, the 15 ms start poll, batches and their delivery). Arms 'off',
   * 'on' and 'off#2' (the control) rotate within each pair of rounds; `epochs` fresh pools. What stays on in
   * every arm: the workers' own trace work, fixed when they start (per task one call that closes the task's log
   * capture; previews of object results, none here) — so this is the main thread's tracing and what it does to
   * the workers' rhythm, not all of it. Each arm's trace events are counted, so a flag that stops
   * switching tracing fails the measurement instead of measuring nothing.
   */
  async overheadToggle({ pool: id, workers, tasks, pairs, epochs = 1, settleMs = 15, warmRounds = 1 }) {
    const arms = ['off', 'on', 'off#2'];
    const rounds = [];
    const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs));
    for (let epoch = 0; epoch < epochs; epoch++) {
      const pool = await openPool(id, { workers, trace: 'columns' });
      try {
        const engine = pool.engine;
        if (typeof engine?.tracing !== 'boolean') throw new Error('the engine has no tracing flag to switch');
        await warm(pool, 2000);
        await trivialThroughput(pool, tasks);
        const children = childPids();
        const cpuNs = () => children.reduce((sum, pid) => sum + cpuNsOfProcess(pid), cpuNsOfProcess(process.pid));
        await settle();
        let c0 = cpuNs();
        let m0 = cpuUsOfMainThread();
        // The first `warmRounds` rounds are run and read like the others, then dropped. A pool often starts in a
        // costlier rhythm that fades within a round or a few, so the first arm read — always 'off' — came out
        // 20-26 % above its round's two untraced arms (median of 20 epochs, 2000-task rounds; ~1 % in later
        // rounds): an untraced reference made dearer, tracing made cheaper. One dropped round leaves ~12 %.
        for (let r = -warmRounds; r < pairs; r++) {
          const round = { epoch };
          for (let k = 0; k < arms.length; k++) {
            const arm = arms[(((r + k) % arms.length) + arms.length) % arms.length];
            engine.tracing = arm === 'on';
            const e0 = pool.info.events;
            const tasksPerSec = await trivialThroughput(pool, tasks);
            await settle();
            // A batch that is late on a loaded machine still belongs (and is billed) to this round.
            for (let waited = 0; arm === 'on' && pool.info.events - e0 < 3 * tasks && waited < 1000; waited += 2) await sleep(2);
            const c1 = cpuNs();
            const m1 = cpuUsOfMainThread();
            const events = pool.info.events - e0;
            if (events !== (arm === 'on' ? 3 * tasks : 0)) throw new Error(`tracing ${arm}: ${events} trace events for ${tasks} tasks (expected ${arm === 'on' ? 3 * tasks : 0}): switching the engine's tracing flag no longer works`);
            round[arm] = { cpuUsPerTask: (c1 - c0) / 1000 / tasks, mainCpuUsPerTask: (m1 - m0) / tasks, tasksPerSec };
            c0 = c1;
            m0 = m1;
          }
          if (r >= 0) rounds.push(round);
        }
      } finally {
        pool.engine.tracing = true;
        await pool.close();
      }
    }
    return { rounds };
  },
};

try {
  const result = await measurements[spec.workload](spec);
  process.send({ ok: true, result }, () => process.exit(0));
} catch (err) {
  process.send({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(1));
}
