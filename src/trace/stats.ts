/**
 * Run statistics: wall time, Σ task time, throughput, queue-wait percentiles,
 * per-worker utilization, the "who ran it" identity line, speed-up against a
 * serial baseline on the task phase (and with start-up), cores used, the CPU
 * other programs took meanwhile and the busy-machine flag (computations in
 * run-numbers.ts). Pure and O(events), so the webview can recompute it on
 * every live batch (or keep a `TraceModel` and call `summarizeRuns` on it).
 */
import type { Backend, TraceEvent } from './events.js';
import { TaskStatus, TraceModel, type RunInfo } from './trace-model.js';
import { percentile } from './percentile.js';
import { forEachTaskCpu } from './on-cpu.js';
import {
  compareFindings, coresUsedIn, idealSpeedup, median, parallelismIn, type CompareFindings, type VerdictRun, isBusy, isCancelledError, isSerialBackend, otherCoresIn, speedupsAgainst, type PhaseNumbers, type ThreadCpuSample,
} from './run-numbers.js';

/** How busy one worker was during its run. */
export interface WorkerUtilization {
  workerId: number;
  name: string;
  pid: number;
  threadId: number;
  /** Tasks this worker finished (ok or failed). */
  tasks: number;
  /** Time the worker spent running tasks: Σ slices where recorded, else Σ (end − start). */
  busyUs: number;
  /** busyUs / the run's wall time, 0…1. */
  utilization: number;
  /** Mean on-CPU fraction of this worker's tasks (src/trace/on-cpu.ts), when measured. */
  cpuFraction?: number;
}

/** The numbers the timeline's summary, the CLI table and the report show for one run. */
export interface RunSummary {
  runId: string;
  backend: Backend;
  /** Pool size (event-loop: tasks in flight). */
  workers: number;
  label?: string;
  compareId?: string;
  fn?: string;
  file?: string;
  /** Run-clock µs of `run-start` (non-zero for later runs of a compare). */
  startT: number;
  /** `run-end` seen. */
  finished: boolean;
  /** run-start → run-end, or → the latest event while the run is live. */
  wallUs: number;
  /** Σ task run time (start → end) of finished tasks. */
  taskUs: number;
  /** Tasks seen (queued, started or ended). */
  tasks: number;
  ok: number;
  /** Tasks that failed on their own (errors, crashes, timeouts); cancelled ones are not counted here. */
  failed: number;
  /** Tasks cut short by Stop / terminate / cancel (PoolTerminated, CancelledError, RunStopped). */
  cancelled: number;
  /** Tasks not yet ended. */
  pending: number;
  /** Finished tasks per second of wall time. */
  throughput: number;
  queueWaitP50Us: number;
  queueWaitP95Us: number;
  /** Distinct PIDs of the workers (the runner's PID when no worker reported). */
  pids: number[];
  /** Distinct threadIds of the workers (Node: 0 is every process's main thread; Python: native ids). */
  threadIds: number[];
  /** OS threads that ran tasks: distinct (PID, thread) pairs — the same meaning for Node and Python. */
  threads: number;
  workersStarted: number;
  /** Workers that exited with reason `crash`. */
  crashes: number;
  utilization: WorkerUtilization[];
  /** e.g. "4 workers · 1 PID · 4 threads", "4 workers · 4 PIDs", "1 thread, 4 in flight". */
  identity: string;
  /** Run-clock µs of the first task sent (task-queued); undefined before any. */
  taskPhaseStartT?: number;
  /** First task sent → last task end, µs (the pool is warm by then in the runner's modes); undefined until a task ended. */
  taskPhaseUs?: number;
  /** Pool creation (run-start) → last task end, µs: the task phase plus worker start-up. */
  startupWallUs?: number;
  /** Cores the run could use (from run-start or the machine samples). */
  cores?: number;
  /** Best possible speed-up over serial: min(workers, cores); 1 for serial. */
  ideal: number;
  /** Σ on-CPU time of the run's task threads during the task phase ÷ task phase (from /proc samples). */
  coresUsed?: number;
  /** Task threads running or waiting for a CPU, on average over the task phase (≈ coresUsed on an idle machine). */
  parallelism?: number;
  /** Average cores other programs used during the task phase (machine busy time − the run's own process tree). */
  otherCpuCores?: number;
  /** Other programs used ≥ 0.25 cores on average during the task phase. */
  busy?: boolean;
  /** Serial baseline's task phase / this task phase, once both finished. */
  speedupVsSerial?: number;
  /** The same with worker start-up: serial's run-start → last end / this run's. */
  speedupWithStartup?: number;
  /** speedupVsSerial / ideal, never above 1. */
  efficiency?: number;
  /** Why the measured efficiency was above 100 % (efficiency is then capped). */
  efficiencyNote?: string;
  /** The run-end error, when the run ended abnormally. */
  error?: { name: string; message: string };
  /**
   * Mean on-CPU fraction of the finished tasks (each task's cpuUs ÷ its run
   * time, src/trace/on-cpu.ts), when measured: ≈ 1 when every task had a core,
   * ≈ cores ÷ threads for threads taking turns under one GIL.
   */
  cpuFraction?: number;
  /** Σ on-CPU µs of the tasks whose CPU time was measured. */
  cpuUs?: number;
  /** Python runs: whether the GIL was enabled (run-start `gil`). */
  gil?: boolean;
}

/** A serial run to compare against, when the trace itself has none. */
export interface SerialBaseline {
  /** Its task phase (first task sent → last end), µs. */
  taskPhaseUs: number;
  /** Its run-start → last end, µs (defaults to taskPhaseUs). */
  startupWallUs?: number;
  busy?: boolean;
  coresUsed?: number;
  parallelism?: number;
}

export interface SummaryOptions {
  /** Used for runs that have no serial run with the same `compareId` in the trace. */
  serialBaseline?: SerialBaseline;
}

const PROCESS_BACKENDS: ReadonlySet<Backend> = new Set<Backend>(['process', 'py-process', 'py-mp-pool', 'py-dask']);

/**
 * Summaries of every run in `events` that has a `run-start`, in order of first appearance.
 *
 * @example
 * const [serial, thread] = computeRunSummaries(events);
 * thread.speedupVsSerial; // e.g. 1.9 on 2 cores
 */
export function computeRunSummaries(events: Iterable<TraceEvent>, options: SummaryOptions = {}): RunSummary[] {
  const model = new TraceModel();
  model.add(events);
  return summarizeRuns(model, options);
}

/** Like `computeRunSummaries`, for a model that is being fed incrementally (the webview, a live CLI run). */
export function summarizeRuns(model: TraceModel, options: SummaryOptions = {}): RunSummary[] {
  const summaries = model.runs.flatMap((run) => {
    const summary = summarizeRun(model, run);
    return summary ? [summary] : [];
  });
  fillSpeedups(summaries, options.serialBaseline);
  return summaries;
}

/** Summary of one run without speed-up (that needs the other runs); undefined before its `run-start`. */
export function summarizeRun(model: TraceModel, run: RunInfo): RunSummary | undefined {
  const start = run.start;
  if (!start) return undefined;
  const endT = run.end ? run.end.t : run.lastT;
  const wallUs = Math.max(0, endT - start.t);

  const t = model.tasks;
  let taskUs = 0;
  let ok = 0;
  let failed = 0;
  let cancelled = 0;
  let firstSent = Infinity;
  let lastEnd = -Infinity;
  const waits: number[] = [];
  // By lane index: a lane is one worker of this run.
  const busy = new Map<number, { tasks: number; busyUs: number }>();
  for (const i of model.taskIndicesOf(run)) {
    const started = t.startSeen[i] === 1;
    const queued = t.queued[i];
    if (started && !Number.isNaN(queued)) waits.push(Math.max(0, t.start[i] - queued));
    const sent = !Number.isNaN(queued) ? queued : started ? t.start[i] : NaN;
    if (sent < firstSent) firstSent = sent;
    const status = t.status[i];
    if (status !== TaskStatus.Ok && status !== TaskStatus.Failed) continue;
    if (t.end[i] > lastEnd) lastEnd = t.end[i];
    if (status === TaskStatus.Ok) ok++;
    else if (isCancelledError(t.errors.get(i))) cancelled++;
    else failed++;
    const runUs = started ? Math.max(0, t.end[i] - t.start[i]) : 0;
    taskUs += runUs;
    if (t.lane[i] >= 0 && started) {
      const entry = busy.get(t.lane[i]) ?? { tasks: 0, busyUs: 0 };
      entry.tasks++;
      entry.busyUs += busyTimeOf(model, i, runUs);
      busy.set(t.lane[i], entry);
    }
  }

  // Sums, not a map per task: a million tasks' figures would outweigh the trace.
  const fractionsByLane = new Map<number, { sum: number; n: number }>();
  let cpuUs = 0;
  let fractionSum = 0;
  let fractionCount = 0;
  forEachTaskCpu(model, run, (i, c) => {
    cpuUs += c.cpuUs;
    fractionSum += c.cpuFraction;
    fractionCount++;
    const lane = t.lane[i];
    if (lane < 0) return;
    const acc = fractionsByLane.get(lane);
    if (acc) {
      acc.sum += c.cpuFraction;
      acc.n++;
    } else {
      fractionsByLane.set(lane, { sum: c.cpuFraction, n: 1 });
    }
  });

  const pids = new Set<number>();
  const threadIds = new Set<number>();
  const threads = new Set<string>();
  // The task threads' samples (lanes file each cpu-sample under its worker's OS thread).
  const taskThreadSamples: ThreadCpuSample[] = [];
  let crashes = 0;
  const utilization: WorkerUtilization[] = [];
  for (const worker of model.workersOf(run)) {
    if (worker.tid !== undefined) {
      for (let k = 0; k + 2 < worker.cpu.length; k += 3) {
        const sample: ThreadCpuSample = { pid: worker.pid, tid: worker.tid, t: worker.cpu[k], intervalUs: worker.cpu[k + 1], cpuUs: worker.cpu[k + 2] };
        const wait = worker.cpuWait[k / 3];
        if (!Number.isNaN(wait)) sample.waitUs = wait;
        taskThreadSamples.push(sample);
      }
    }
    pids.add(worker.pid);
    threadIds.add(worker.threadId);
    threads.add(`${worker.pid}:${worker.threadId}`);
    if (worker.exit?.reason === 'crash') crashes++;
    const entry = busy.get(worker.index) ?? { tasks: 0, busyUs: 0 };
    const lane: WorkerUtilization = {
      workerId: worker.workerId,
      name: worker.name,
      pid: worker.pid,
      threadId: worker.threadId,
      tasks: entry.tasks,
      busyUs: entry.busyUs,
      utilization: wallUs > 0 ? Math.min(1, entry.busyUs / wallUs) : 0,
    };
    const acc = fractionsByLane.get(worker.index);
    const laneFraction = acc ? acc.sum / acc.n : undefined;
    if (laneFraction !== undefined) lane.cpuFraction = laneFraction;
    utilization.push(lane);
  }
  if (pids.size === 0) pids.add(start.pid);

  const finishedTasks = ok + failed + cancelled;
  const phase = phaseOf(start.t, firstSent, lastEnd);
  const cores = start.cores ?? run.machine.at(-1)?.cores;
  const summary: RunSummary = {
    runId: run.runId,
    backend: start.backend,
    workers: start.workers,
    label: start.label,
    compareId: start.compareId,
    fn: start.fn,
    file: start.file,
    startT: start.t,
    finished: run.end !== undefined,
    wallUs,
    taskUs,
    tasks: run.tasks,
    ok,
    failed,
    cancelled,
    pending: run.tasks - finishedTasks,
    throughput: wallUs > 0 ? finishedTasks / (wallUs / 1e6) : 0,
    queueWaitP50Us: percentile(waits, 0.5),
    queueWaitP95Us: percentile(waits, 0.95),
    pids: [...pids].sort((a, b) => a - b),
    threadIds: [...threadIds].sort((a, b) => a - b),
    threads: Math.max(1, threads.size),
    workersStarted: utilization.length,
    crashes,
    utilization,
    identity: '',
    ...phase,
    cores,
    ideal: idealSpeedup(start.backend, start.workers, cores),
  };
  if (phase.taskPhaseStartT !== undefined && phase.taskPhaseUs !== undefined) {
    const from = phase.taskPhaseStartT;
    const to = from + phase.taskPhaseUs;
    const all = () => true;
    summary.coresUsed = coresUsedIn(taskThreadSamples, all, from, to);
    summary.parallelism = parallelismIn(taskThreadSamples, all, from, to);
    summary.otherCpuCores = otherCoresIn(run.machine, from, to);
    summary.busy = isBusy(summary.otherCpuCores);
  }
  if (run.end?.error) summary.error = { name: run.end.error.name, message: run.end.error.message };
  const runFraction = fractionCount > 0 ? fractionSum / fractionCount : undefined;
  if (start.gil !== undefined) summary.gil = start.gil;
  if (runFraction !== undefined) {
    summary.cpuFraction = runFraction;
    summary.cpuUs = cpuUs;
  }
  summary.identity = describeIdentity(summary);
  return summary;
}

/** The task phase (first task sent → last end) and run-start → last end, when a task has ended. */
export function phaseOf(runStartT: number, firstSentT: number, lastEndT: number): Pick<RunSummary, 'taskPhaseStartT' | 'taskPhaseUs' | 'startupWallUs'> {
  if (!Number.isFinite(firstSentT)) return {};
  if (!Number.isFinite(lastEndT)) return { taskPhaseStartT: firstSentT };
  return { taskPhaseStartT: firstSentT, taskPhaseUs: Math.max(0, lastEndT - firstSentT), startupWallUs: Math.max(0, lastEndT - runStartT) };
}

/** On-thread time of finished task `i`: its slices when the backend recorded them (event-loop), else its run time. */
function busyTimeOf(model: TraceModel, i: number, runUs: number): number {
  const first = model.tasks.firstSlice[i];
  if (first < 0) return runUs;
  let sum = 0;
  for (let k = first; k >= 0; k = model.slices.nextOfTask[k]) sum += Math.max(0, model.slices.end[k] - model.slices.start[k]);
  return sum;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The line that says where the work ran, from what the workers reported:
 * threads share one PID, processes do not, the event loop is one thread.
 */
/**
 * A run's identity line as its summary has it, from its workers alone: what the timeline's lane headers
 * show at every layout, without the run's statistics (a million tasks' summary costs ~0.1–0.6 s).
 */
export function runIdentity(model: TraceModel, run: RunInfo): string {
  const start = run.start;
  if (!start) return '';
  const pids = new Set<number>();
  const threads = new Set<string>();
  for (const worker of model.workersOf(run)) {
    pids.add(worker.pid);
    threads.add(`${worker.pid}:${worker.threadId}`);
  }
  if (pids.size === 0) pids.add(start.pid);
  return describeIdentity({ backend: start.backend, workers: start.workers, pids: [...pids], threads: Math.max(1, threads.size) });
}

export function describeIdentity(s: Pick<RunSummary, 'backend' | 'workers' | 'pids' | 'threads'>): string {
  if (isSerialBackend(s.backend)) return '1 thread, one task at a time';
  if (s.backend === 'event-loop') return `1 thread, ${s.workers} in flight`;
  const workers = plural(s.workers, 'worker');
  if (PROCESS_BACKENDS.has(s.backend)) return `${workers} · ${plural(s.pids.length, 'PID')}`;
  return `${workers} · ${plural(s.pids.length, 'PID')} · ${plural(s.threads, 'thread')}`;
}

/**
 * Speed-up = serial task phase / this task phase (and the same with start-up),
 * against the serial run of the same compare (or the given baseline), once both
 * finished; efficiency = speed-up / ideal, capped at 100 % with a reason.
 */
export function fillSpeedups(summaries: RunSummary[], fallback?: SerialBaseline): void {
  const serialByCompare = new Map<string, RunSummary>();
  for (const s of summaries) {
    if (isSerialBackend(s.backend) && s.compareId !== undefined && s.finished) serialByCompare.set(s.compareId, s);
  }
  const fallbackPhase: PhaseNumbers | undefined = fallback && {
    backend: 'serial', workers: 1, finished: true, taskPhaseUs: fallback.taskPhaseUs,
    startupWallUs: fallback.startupWallUs ?? fallback.taskPhaseUs, busy: fallback.busy, coresUsed: fallback.coresUsed,
    parallelism: fallback.parallelism,
  };
  for (const s of summaries) {
    const baseline = (s.compareId !== undefined ? serialByCompare.get(s.compareId) : undefined) ?? fallbackPhase;
    Object.assign(s, speedupsAgainst(s, baseline));
  }
}

/** The per-run numbers of the JSON contract (`compare --json`, HTML report data, Chrome-trace metadata). */
export interface RunNumbers {
  runId: string;
  backend: Backend;
  workers: number;
  label?: string;
  taskPhaseUs?: number;
  startupWallUs?: number;
  speedupVsSerial?: number;
  speedupWithStartup?: number;
  efficiency?: number;
  ideal: number;
  coresUsed?: number;
  parallelism?: number;
  otherCpuCores?: number;
  busy?: boolean;
  ok: number;
  failed: number;
  cancelled: number;
}

export function runNumbersOf(s: RunSummary): RunNumbers {
  return {
    runId: s.runId, backend: s.backend, workers: s.workers, label: s.label, taskPhaseUs: s.taskPhaseUs, startupWallUs: s.startupWallUs,
    speedupVsSerial: s.speedupVsSerial, speedupWithStartup: s.speedupWithStartup, efficiency: s.efficiency, ideal: s.ideal,
    coresUsed: s.coresUsed, parallelism: s.parallelism, otherCpuCores: s.otherCpuCores, busy: s.busy,
    ok: s.ok, failed: s.failed, cancelled: s.cancelled,
  };
}

/** The findings about a trace's runs as a whole, with each run's numbers: what exports embed. */
export function traceFindings(summaries: readonly RunSummary[], what = 'this compare'): CompareFindings & { runs: RunNumbers[] } {
  return { ...compareFindings(summaries, what), runs: summaries.map(runNumbersOf) };
}

/** Median and range of one figure over the rounds of a `--repeat` compare. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** One backend over the rounds of a repeated compare. */
export interface BackendRounds {
  backend: Backend;
  workers: number;
  rounds: number;
  /** Rounds during which other programs kept the machine busy. */
  busyRounds: number;
  taskPhaseUs?: Spread;
  speedupVsSerial?: Spread;
  speedupWithStartup?: Spread;
  coresUsed?: Spread;
  parallelism?: Spread;
  otherCpuCores?: Spread;
  cores?: number;
  failed: number;
  cancelled: number;
}

function spreadOf(values: (number | undefined)[]): Spread | undefined {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (v.length === 0) return undefined;
  return { median: median(v), min: Math.min(...v), max: Math.max(...v) };
}

/**
 * Per backend, in order of first appearance: the median and min–max of each
 * figure over the finished runs (the rounds of `compare --repeat N`).
 */
export function backendRounds(summaries: readonly RunSummary[]): BackendRounds[] {
  const groups = new Map<Backend, RunSummary[]>();
  for (const s of summaries) {
    if (!s.finished) continue;
    const list = groups.get(s.backend) ?? [];
    list.push(s);
    groups.set(s.backend, list);
  }
  return [...groups].map(([backend, runs]) => ({
    backend,
    workers: runs[0].workers,
    rounds: runs.length,
    busyRounds: runs.filter((r) => r.busy).length,
    taskPhaseUs: spreadOf(runs.map((r) => r.taskPhaseUs)),
    speedupVsSerial: spreadOf(runs.map((r) => r.speedupVsSerial)),
    speedupWithStartup: spreadOf(runs.map((r) => r.speedupWithStartup)),
    coresUsed: spreadOf(runs.map((r) => r.coresUsed)),
    parallelism: spreadOf(runs.map((r) => r.parallelism)),
    otherCpuCores: spreadOf(runs.map((r) => r.otherCpuCores)),
    cores: runs.find((r) => r.cores !== undefined)?.cores,
    failed: runs.reduce((n, r) => n + r.failed, 0),
    cancelled: runs.reduce((n, r) => n + r.cancelled, 0),
  }));
}

/** A backend's medians as one run, for the verdict of a repeated compare. */
export function medianRun(b: BackendRounds): VerdictRun {
  return {
    backend: b.backend, workers: b.workers, finished: true, speedupVsSerial: b.speedupVsSerial?.median,
    coresUsed: b.coresUsed?.median, parallelism: b.parallelism?.median, otherCpuCores: b.otherCpuCores?.median,
    busy: b.busyRounds * 2 > b.rounds, cores: b.cores, taskPhaseUs: b.taskPhaseUs?.median,
  };
}
