// The "honest numbers" section of `npm run bench`: what `poolscope compare` itself reports (through the CLI,
// runner and all) for ~40 ms CPU-bound tasks × 16 on 2 workers — speed-up on the task phase of a warm pool,
// cores used from /proc, the busy-machine flag — and the fairness of the serial baseline: serial's per-task
// run time against a 1-worker thread pool's on the same function.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { burn } from '../tasks.mjs';
import { median, round } from './stats.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TASK = fileURLToPath(new URL('../fixtures/honest-task.ts', import.meta.url));

/** Iterations of burn that take `targetMs` of this thread's CPU time (not wall time: the machine may be shared). */
export function calibrateCpu(targetMs) {
  burn(1e6);
  const probes = [];
  for (let i = 0; i < 5; i++) {
    const n = 2e6;
    const c0 = process.cpuUsage();
    burn(n);
    const c = process.cpuUsage(c0);
    probes.push(n / ((c.user + c.system) / 1000));
  }
  return Math.round(median(probes) * targetMs);
}

function compareJson(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'compare', TASK, '--fn', 'burn', ...args, '--json'], { maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`compare failed: ${err?.message ?? ''} ${stderr.split('\n').slice(-3).join(' ')}`));
      }
    });
  });
}

const okTasks = (docs, backend) => docs.flatMap((doc) => {
  const ids = new Set(doc.runs.filter((r) => r.backend === backend).map((r) => r.runId));
  return doc.tasks.filter((t) => ids.has(t.runId) && t.ok && t.endT !== undefined && t.startT !== undefined);
});
/** Median run time (start → end) of a backend's tasks. */
const perTaskUs = (docs, backend) => median(okTasks(docs, backend).map((t) => t.endT - t.startT));
/** Median on-CPU time of a backend's tasks (from /proc): the work itself, whatever else the machine ran. */
const perTaskCpuUs = (docs, backend) => {
  const cpu = okTasks(docs, backend).map((t) => t.cpuUs).filter((x) => typeof x === 'number');
  return cpu.length ? median(cpu) : undefined;
};

/** Runs the section; returns its results for bench/results.json. */
export async function runHonest({ rounds, tasks = 16, workers = 2, targetMs = 40, progress }) {
  const iterations = calibrateCpu(targetMs);
  const inputs = JSON.stringify(Array.from({ length: tasks }, () => [iterations]));
  const loadBefore = os.loadavg().map((x) => round(x));
  progress(`honest numbers: compare × ${rounds} rounds (${tasks} × ~${targetMs} ms CPU on ${workers} workers)`);
  const doc = await compareJson(['--inputs', inputs, '--workers', String(workers), '--repeat', String(rounds)]);
  const backends = {};
  for (const b of doc.rounds ?? []) {
    backends[b.backend] = {
      rounds: b.rounds, busyRounds: b.busyRounds,
      speedupVsSerial: b.speedupVsSerial && round(b.speedupVsSerial.median, 2), speedupRange: b.speedupVsSerial && [round(b.speedupVsSerial.min, 2), round(b.speedupVsSerial.max, 2)],
      speedupWithStartup: b.speedupWithStartup && round(b.speedupWithStartup.median, 2),
      coresUsed: b.coresUsed && round(b.coresUsed.median, 2), coresRange: b.coresUsed && [round(b.coresUsed.min, 2), round(b.coresUsed.max, 2)],
      parallelism: b.parallelism && round(b.parallelism.median, 2),
      otherCpuCores: b.otherCpuCores && round(b.otherCpuCores.median, 2),
      taskPhaseMs: b.taskPhaseUs && round(b.taskPhaseUs.median / 1000, 1),
    };
  }
  // With one round there is no `rounds` list: read the runs themselves.
  if (!doc.rounds) {
    for (const r of doc.runs) {
      backends[r.backend] = { rounds: 1, busyRounds: r.busy ? 1 : 0, speedupVsSerial: round(r.speedupVsSerial ?? 1, 2), speedupWithStartup: round(r.speedupWithStartup ?? 1, 2),
        coresUsed: r.coresUsed && round(r.coresUsed, 2), parallelism: r.parallelism && round(r.parallelism, 2), otherCpuCores: r.otherCpuCores && round(r.otherCpuCores, 2), taskPhaseMs: round(r.taskPhaseUs / 1000, 1) };
    }
  }
  progress(`honest numbers: serial vs a 1-worker thread pool, per-task run time (× ${rounds} rounds, each order)`);
  // Both orders, so whatever the run before leaves behind (its pool's teardown) falls on each alike.
  const fair = [
    await compareJson(['--inputs', inputs, '--workers', '1', '--backends', 'serial,thread', '--repeat', String(rounds)]),
    await compareJson(['--inputs', inputs, '--workers', '1', '--backends', 'thread,serial', '--repeat', String(rounds)]),
  ];
  const serialUs = perTaskUs(fair, 'serial');
  const threadUs = perTaskUs(fair, 'thread');
  const serialCpuUs = perTaskCpuUs(fair, 'serial');
  const threadCpuUs = perTaskCpuUs(fair, 'thread');
  return {
    tasks, workers, targetMs, iterations, rounds, loadavgBefore: loadBefore, loadavgAfter: os.loadavg().map((x) => round(x)),
    machine: doc.machine, warnings: doc.warnings, verdict: doc.verdict, backends,
    serialVsThread: {
      serialPerTaskMs: round(serialUs / 1000, 2), threadPerTaskMs: round(threadUs / 1000, 2), ratio: round(serialUs / threadUs, 3),
      // The same on the tasks' on-CPU time: equal when serial does the same work as a worker; the wall ratio
      // also carries what other programs took from either.
      ...(serialCpuUs && threadCpuUs ? { serialCpuPerTaskMs: round(serialCpuUs / 1000, 2), threadCpuPerTaskMs: round(threadCpuUs / 1000, 2), cpuRatio: round(serialCpuUs / threadCpuUs, 3) } : {}),
      busy: fair.some((doc) => doc.machine?.busy),
    },
  };
}
