/**
 * The honest numbers of a run, computed from recorded samples: the task phase
 * (first task sent → last task end), speed-up over serial on that phase and
 * with start-up, cores used (on-CPU time of the run's task threads ÷ task
 * phase), the CPU other programs used meanwhile (machine busy time minus the
 * run's own process tree), the busy-machine flag, the ideal speed-up, a capped
 * efficiency, and the compare verdict and warnings.
 *
 * Pure functions over plain numbers and sample arrays, so the trace model of
 * the CLI and the webview's columns compute the same figures the same way.
 */
import type { Backend } from './events.js';

/** Another program used at least this many cores on average during a run: the machine was busy. */
export const BUSY_OTHER_CORES = 0.25;

/** Errors that mean "stopped", not "failed": Stop, terminate(), cancel(), a stopped Python run. */
export const CANCEL_ERROR_NAMES: ReadonlySet<string> = new Set(['PoolTerminated', 'CancelledError', 'RunStopped']);

/** True for a task that was cut short by Stop/terminate/cancel rather than failing on its own. */
export function isCancelledError(error: { name?: string } | undefined): boolean {
  return error !== undefined && typeof error.name === 'string' && CANCEL_ERROR_NAMES.has(error.name);
}

const SERIAL: ReadonlySet<Backend> = new Set<Backend>(['serial', 'py-serial']);

export function isSerialBackend(backend: Backend): boolean {
  return SERIAL.has(backend);
}

/** A sample that covers (t − intervalUs, t]: the on-CPU time of one thread, or the machine's. */
export interface IntervalSample {
  t: number;
  intervalUs: number;
}

/**
 * Σ value × (share of the sample's interval inside [from, to]) — the part of
 * each sample that falls in the window, assuming the time was spread evenly
 * over the sample's interval.
 */
export function sumInWindow<S extends IntervalSample>(samples: Iterable<S>, from: number, to: number, value: (s: S) => number): number {
  if (!(to > from)) return 0;
  let sum = 0;
  for (const s of samples) {
    const v = value(s);
    if (!(v > 0)) continue;
    const end = s.t;
    const start = s.t - Math.max(0, s.intervalUs);
    if (end <= from || start >= to) continue;
    if (end <= start) {
      sum += v; // a zero-length sample inside the window
      continue;
    }
    const overlap = Math.min(end, to) - Math.max(start, from);
    sum += v * Math.max(0, Math.min(1, overlap / (end - start)));
  }
  return sum;
}

/** One `cpu-sample`'s numbers. */
export interface ThreadCpuSample extends IntervalSample {
  pid: number;
  tid: number;
  cpuUs: number;
  /** Run-queue wait: ready to run, no CPU free. */
  waitUs?: number;
}

/** One `machine-sample`'s numbers: the whole machine's busy CPU time and the run's own share of it. */
export interface MachineSampleNumbers extends IntervalSample {
  cores: number;
  /** CPU time all programs used during the interval (Σ over CPUs, /proc/stat). */
  busyUs: number;
  /** CPU time of the run's own process tree (runner, workers, the runner's parent) during the interval. */
  ownUs: number;
}

/**
 * Cores the run's task threads used during [from, to]: Σ their on-CPU time ÷ the
 * window. `isTaskThread` picks the worker threads (the samples of other threads —
 * libuv pool, GC helpers, the runner's main thread — do not count).
 * Undefined without samples of any task thread (no /proc, or an old trace).
 */
export function coresUsedIn(samples: readonly ThreadCpuSample[], isTaskThread: (pid: number, tid: number) => boolean, from: number, to: number): number | undefined {
  if (!(to > from)) return undefined;
  const task = samples.filter((s) => isTaskThread(s.pid, s.tid));
  if (task.length === 0) return undefined;
  return sumInWindow(task, from, to, (s) => s.cpuUs) / (to - from);
}

/**
 * Task threads that were running or ready to run, on average over [from, to]:
 * Σ (on-CPU + run-queue wait) ÷ window. On an idle machine it equals cores
 * used; on a busy one it still says how many tasks ran at once (threads that
 * wanted a CPU), which is what separates one event loop from N threads.
 * Undefined when the samples carry no run-queue wait (no schedstat).
 */
export function parallelismIn(samples: readonly ThreadCpuSample[], isTaskThread: (pid: number, tid: number) => boolean, from: number, to: number): number | undefined {
  if (!(to > from)) return undefined;
  const task = samples.filter((s) => isTaskThread(s.pid, s.tid));
  if (!task.some((s) => s.waitUs !== undefined)) return undefined;
  return sumInWindow(task, from, to, (s) => s.cpuUs + (s.waitUs ?? 0)) / (to - from);
}

/** Average cores other programs used during [from, to]; undefined without machine samples covering it. */
export function otherCoresIn(samples: readonly MachineSampleNumbers[], from: number, to: number): number | undefined {
  if (!(to > from) || samples.length === 0) return undefined;
  // Divide by the part of the window the samples cover: the last ~100 ms may not have a sample yet.
  const covered = sumInWindow(samples, from, to, (s) => s.intervalUs);
  if (!(covered > 0)) return undefined;
  return sumInWindow(samples, from, to, (s) => Math.max(0, s.busyUs - s.ownUs)) / covered;
}

/**
 * The machine was busy: other programs used ≥ {@link BUSY_OTHER_CORES} cores on
 * average, so fewer cores were free than the run could have used.
 */
export function isBusy(otherCpuCores: number | undefined): boolean | undefined {
  return otherCpuCores === undefined ? undefined : otherCpuCores >= BUSY_OTHER_CORES;
}

/**
 * The best speed-up the run could reach over serial: one core per worker, up to
 * the cores available (min(workers, cores)); serial's is 1.
 */
export function idealSpeedup(backend: Backend, workers: number, cores: number | undefined): number {
  if (isSerialBackend(backend)) return 1;
  const w = Math.max(1, workers);
  return cores !== undefined && cores > 0 ? Math.min(w, cores) : w;
}

/** What stats need of one run to compare it with a serial baseline. */
export interface PhaseNumbers {
  backend: Backend;
  workers: number;
  finished: boolean;
  /** First task sent → last task end (µs). */
  taskPhaseUs?: number;
  /** Pool creation (run-start) → last task end (µs). */
  startupWallUs?: number;
  cores?: number;
  busy?: boolean;
  coresUsed?: number;
  parallelism?: number;
}

export interface Speedups {
  speedupVsSerial?: number;
  speedupWithStartup?: number;
  /** speedupVsSerial ÷ ideal, at most 1. */
  efficiency?: number;
  /** Why the measured efficiency was above 100 % (then `efficiency` is capped at 1). */
  efficiencyNote?: string;
}

/** Measured efficiency above this (1 + 5 %) is explained, not hidden. */
const OVER_IDEAL_TOLERANCE = 1.05;

/**
 * Speed-ups of `run` against `serial`, only once both finished (a live run's
 * wall time is not a speed-up), and its efficiency against the ideal.
 */
export function speedupsAgainst(run: PhaseNumbers, serial: PhaseNumbers | undefined): Speedups {
  const out: Speedups = {};
  if (!serial || !run.finished || !serial.finished) return out;
  if (serial.taskPhaseUs && run.taskPhaseUs) out.speedupVsSerial = serial.taskPhaseUs / run.taskPhaseUs;
  if (serial.startupWallUs && run.startupWallUs) out.speedupWithStartup = serial.startupWallUs / run.startupWallUs;
  if (out.speedupVsSerial === undefined) return out;
  const ideal = idealSpeedup(run.backend, run.workers, run.cores);
  const raw = out.speedupVsSerial / ideal;
  out.efficiency = Math.min(1, raw);
  if (raw > OVER_IDEAL_TOLERANCE && !isSerialBackend(run.backend)) {
    // Tasks that mostly wait overlap beyond the cores whether or not the machine was busy: that reason comes first
    // (a busy machine blamed for an I/O-bound speed-up would teach the wrong lesson).
    const serialShare = serial.parallelism ?? serial.coresUsed;
    const measured = `measured ${Math.round(raw * 100)} %`;
    out.efficiencyNote = serialShare !== undefined && serialShare < 0.5
      ? `${measured}: the tasks mostly wait, so more of them overlap than there are cores`
      : serial.busy
        ? `${measured}: the serial baseline ran while the machine was busy`
        : `${measured}: the serial baseline ran slower than one worker (a busy or throttled machine)`;
  }
  return out;
}

/** What the verdict and warnings read of each run. */
export interface VerdictRun {
  backend: Backend;
  workers: number;
  finished: boolean;
  speedupVsSerial?: number;
  coresUsed?: number;
  parallelism?: number;
  otherCpuCores?: number;
  busy?: boolean;
  cores?: number;
  taskPhaseUs?: number;
  efficiencyNote?: string;
}

const BACKEND_NAMES: Partial<Record<Backend, string>> = {
  'serial': 'serial', 'event-loop': 'the event loop', 'thread': 'threads', 'process': 'processes',
  'py-serial': 'serial Python', 'py-thread': 'Python threads', 'py-process': 'Python processes',
  'py-mp-pool': 'multiprocessing.Pool', 'py-thread-ft': 'free-threaded Python threads',
};

function cores(n: number): string {
  const text = n.toFixed(1);
  return `${text} ${text === '1.0' ? 'core' : 'cores'}`;
}

function ratio(n: number): string {
  return `${n.toFixed(2)}×`;
}

/** The machine's cores as the runs saw them (the largest reported), if any. */
export function machineCores(runs: readonly VerdictRun[]): number | undefined {
  let best: number | undefined;
  for (const r of runs) if (r.cores !== undefined && r.cores > 0) best = Math.max(best ?? 0, r.cores);
  return best;
}

/** Average cores other programs used over the runs, weighted by task phase; undefined without samples. */
export function averageOtherCores(runs: readonly VerdictRun[]): number | undefined {
  let weighted = 0;
  let total = 0;
  for (const r of runs) {
    if (r.otherCpuCores === undefined || !r.taskPhaseUs) continue;
    weighted += r.otherCpuCores * r.taskPhaseUs;
    total += r.taskPhaseUs;
  }
  return total > 0 ? weighted / total : undefined;
}

/**
 * One sentence that states the lesson of a compare from what the OS measured,
 * so it holds on a busy machine too. Idle: "CPU-bound: the event loop ran one
 * task at a time (1.0 core); threads used 1.9 cores, processes 1.9 cores (2
 * cores available)." Busy: how many tasks ran at once (threads running or
 * waiting for a CPU) leads, cores used follow. Without /proc: wall-time
 * speed-ups, said so.
 */
export function compareVerdict(runs: readonly VerdictRun[]): string {
  const done = runs.filter((r) => r.finished);
  if (done.length === 0) return '';
  const name = (r: VerdictRun) => BACKEND_NAMES[r.backend] ?? r.backend;
  const serial = done.find((r) => isSerialBackend(r.backend));
  const pooled = done.filter((r) => !isSerialBackend(r.backend));
  const available = machineCores(done);
  const availableText = available !== undefined ? ` (${available} ${available === 1 ? 'core' : 'cores'} available)` : '';
  if (!done.some((r) => r.coresUsed !== undefined)) {
    const list = pooled.filter((r) => r.speedupVsSerial !== undefined).map((r) => `${name(r)} ${ratio(r.speedupVsSerial!)}`);
    return list.length ? `Speed-up over serial (wall time; no on-CPU data on this system): ${list.join(', ')}.` : '';
  }
  // How much a task wants the CPU, from the run that ran them one at a time (on a busy machine, waiting
  // for a CPU counts as wanting it: that is why parallelism, not cores used, decides).
  const oneAtATime = serial ?? done.find((r) => r.backend === 'event-loop' || r.backend === 'py-thread');
  const share = oneAtATime?.parallelism ?? oneAtATime?.coresUsed;
  if (share !== undefined && share < 0.3) {
    const sp = pooled.filter((r) => r.speedupVsSerial !== undefined).map((r) => `${name(r)} ${ratio(r.speedupVsSerial!)}`);
    return `I/O-bound: the tasks mostly waited (one at a time they kept ${cores(share)} busy), so every backend overlapped them`
      + `${sp.length ? ` — ${sp.join(', ')}` : ''}; the event loop did it on one thread.`;
  }
  const kind = share !== undefined && share >= 0.6 ? 'CPU-bound' : 'Partly CPU-bound';
  const busy = done.some((r) => r.busy) && done.some((r) => r.parallelism !== undefined);
  const atOnce = (r: VerdictRun) => r.parallelism ?? r.coresUsed;
  const parts: string[] = [];
  const eventLoop = pooled.find((r) => r.backend === 'event-loop');
  if (eventLoop && atOnce(eventLoop) !== undefined) {
    const n = atOnce(eventLoop)!;
    const used = eventLoop.coresUsed ?? n;
    const detail = busy ? `${n.toFixed(1)} at once, ${cores(used)} used` : cores(used);
    parts.push(n <= 1.15 ? `the event loop ran one task at a time (${detail})` : `the event loop ran ${n.toFixed(1)} at once (${detail})`);
  }
  const parallel = pooled.filter((r) => r.backend !== 'event-loop' && atOnce(r) !== undefined);
  if (parallel.length) {
    parts.push(parallel.map((r, i) => busy
      ? `${name(r)}${i === 0 ? ' ran' : ''} ${atOnce(r)!.toFixed(1)} at once (${cores(r.coresUsed ?? atOnce(r)!)} used)`
      : `${name(r)}${i === 0 ? ' used' : ''} ${cores(r.coresUsed ?? atOnce(r)!)}`).join(', '));
  }
  if (parts.length === 0) return '';
  const tail = !busy ? availableText
    : available !== undefined ? ` — on ${available} ${available === 1 ? 'core' : 'cores'} shared with other programs` : ' — on cores shared with other programs';
  return `${kind}: ${parts.join('; ')}${tail}.`;
}

/**
 * Plain sentences to show above a compare's figures: the busy machine, an
 * efficiency that measured above 100 %, on-CPU data missing.
 */
export function compareWarnings(runs: readonly VerdictRun[], what = 'this compare'): string[] {
  const out: string[] = [];
  const done = runs.filter((r) => r.finished);
  const available = machineCores(done);
  if (done.some((r) => r.busy)) {
    const other = averageOtherCores(done.filter((r) => r.busy)) ?? 0;
    const of = available !== undefined ? ` of ${available}` : '';
    out.push(`Other programs used ${other.toFixed(1)}${of} cores during ${what}: speed-ups are lower than on an idle machine.`);
  }
  for (const r of done) {
    if (r.efficiencyNote) out.push(`${BACKEND_NAMES[r.backend] ?? r.backend}: efficiency capped at 100 % (${r.efficiencyNote}).`);
  }
  if (done.length > 0 && done.every((r) => r.coresUsed === undefined)) {
    out.push('On-CPU data is not available on this system (no /proc): cores used and the busy-machine check are missing.');
  }
  return out;
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What `compare --json`, the HTML report and the Chrome-trace metadata say about a set of runs as a whole. */
export interface CompareFindings {
  machine: { cores?: number; busy: boolean; otherCpuCores?: number };
  warnings: string[];
  verdict: string;
}

/** The machine, the warnings and the verdict for runs shown together (a compare, or the runs of a trace). */
export function compareFindings(runs: readonly VerdictRun[], what = 'this compare'): CompareFindings {
  const done = runs.filter((r) => r.finished);
  const other = averageOtherCores(done);
  return {
    machine: { cores: machineCores(done), busy: done.some((r) => r.busy === true), ...(other !== undefined ? { otherCpuCores: other } : {}) },
    warnings: compareWarnings(done, what),
    verdict: compareVerdict(done),
  };
}
