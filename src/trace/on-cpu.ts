/**
 * On-CPU attribution: how much of a task's run time its thread really spent
 * on a CPU — the GIL, the event loop and a busy machine made visible per task.
 *
 * A task's `cpuUs` comes, best first, from:
 * - `thread-clock`: the task measured its own thread's CPU time at start and
 *   end (Python: `time.thread_time_ns()`), carried by `task-end.cpuUs`. Exact.
 * - `slices`: event-loop tasks share one thread; a task owns the thread's CPU
 *   only inside its `task-slice`s, so it gets the sampled CPU of its thread
 *   within its slices (or the slices' length when the thread was not sampled).
 * - `sampled`: the `/proc` sampler's `cpu-sample` events of the task's thread
 *   that overlap the task (src/runner/cpu-sampler.ts). A sample spreads its
 *   CPU time evenly over its interval `(t − intervalUs, t]`, so the figure is
 *   exact for tasks much longer than the sampling period and an estimate
 *   (the thread's mean over that interval) for shorter ones. The sampler
 *   omits intervals in which a thread used no CPU, so time no sample covers
 *   counts as off-CPU.
 *
 * `cpuFraction` = cpuUs ÷ (end − start), clamped to 0…1: ≈ 1 for a task that
 * ran the whole time, ≈ 0.25 for one of four Python threads sharing one GIL.
 *
 * Pure (no Node or DOM APIs): used by the stats, the exports, the CLI and the
 * webview alike.
 */
import { TaskStatus, type RunInfo, type TraceModel } from './trace-model.js';

/** Where a task's on-CPU time came from (see the module comment). */
export type TaskCpuSource = 'thread-clock' | 'slices' | 'sampled';

/** On-CPU time of one task. */
export interface TaskCpu {
  cpuUs: number;
  /** cpuUs ÷ the task's run time (start → end), 0…1. */
  cpuFraction: number;
  source: TaskCpuSource;
}

/**
 * CPU samples of one OS thread as flat triples `[t, intervalUs, cpuUs, t, …]`
 * in time order: sample k used `cpuUs` of CPU during `(t − intervalUs, t]`.
 */
export type CpuSeries = ArrayLike<number>;

/** Index (a multiple of 3) of the first sample whose interval ends after `t`. */
function firstSampleEndingAfter(series: CpuSeries, t: number): number {
  let lo = 0;
  let hi = Math.floor(series.length / 3);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (series[mid * 3] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo * 3;
}

/**
 * CPU µs the thread used during `[a, b]`: each overlapping sample contributes
 * its CPU time in proportion to the overlap.
 *
 * @example
 * cpuUsIn([10_000, 10_000, 5_000], 0, 5_000); // 2500: half the interval, half its CPU
 */
export function cpuUsIn(series: CpuSeries, a: number, b: number): number {
  if (!(b > a)) return 0;
  let sum = 0;
  for (let k = firstSampleEndingAfter(series, a); k + 2 < series.length; k += 3) {
    const end = series[k];
    const interval = series[k + 1];
    const start = end - interval;
    if (start >= b) break;
    const cpu = series[k + 2];
    if (interval <= 0) {
      if (end > a && end <= b) sum += cpu;
      continue;
    }
    const overlap = Math.min(b, end) - Math.max(a, start);
    if (overlap > 0) sum += (cpu * overlap) / interval;
  }
  return sum;
}

/**
 * Share of `[a, b]` the thread was on a CPU (0…1), from its samples.
 * Used for drawing: one value per pixel column or per sample interval.
 */
export function onCpuShare(series: CpuSeries, a: number, b: number): number {
  if (!(b > a)) return 0;
  return Math.min(1, cpuUsIn(series, a, b) / (b - a));
}

/** What is known about one finished task. */
export interface TaskTiming {
  start: number;
  end: number;
  /** `task-end.cpuUs`, when the task measured it (Python). */
  reportedCpuUs?: number;
  /** Its on-thread slices `[start, end]` (event-loop), when recorded. */
  slices?: ReadonlyArray<readonly [number, number]>;
}

/**
 * On-CPU time of one finished task; undefined when nothing measured it (no
 * reported time, no slices, and its thread was never sampled) or it has no
 * run time.
 *
 * @example
 * taskCpu({ start: 0, end: 20_000 }, [10_000, 10_000, 2_500, 20_000, 10_000, 2_500]);
 * // { cpuUs: 5000, cpuFraction: 0.25, source: 'sampled' }
 */
export function taskCpu(task: TaskTiming, series: CpuSeries | undefined): TaskCpu | undefined {
  const runUs = task.end - task.start;
  if (!(runUs > 0)) return undefined;
  const sampled = series !== undefined && series.length >= 3;
  let cpuUs: number;
  let source: TaskCpuSource;
  if (task.reportedCpuUs !== undefined && Number.isFinite(task.reportedCpuUs)) {
    cpuUs = task.reportedCpuUs;
    source = 'thread-clock';
  } else if (task.slices && task.slices.length > 0) {
    cpuUs = 0;
    for (const [s, e] of task.slices) cpuUs += sampled ? cpuUsIn(series, s, e) : Math.max(0, e - s);
    source = 'slices';
  } else if (sampled) {
    cpuUs = cpuUsIn(series, task.start, task.end);
    source = 'sampled';
  } else {
    return undefined;
  }
  cpuUs = Math.max(0, Math.round(cpuUs));
  return { cpuUs, cpuFraction: Math.min(1, cpuUs / runUs), source };
}

/**
 * Collects `cpu-sample`s into one series per OS thread (key `pid/tid`), each
 * in time order.
 */
export function seriesByThread(samples: Iterable<{ pid: number; tid: number; t: number; intervalUs: number; cpuUs: number }>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let sorted = true;
  for (const s of samples) {
    const key = threadKey(s.pid, s.tid);
    let series = out.get(key);
    if (!series) out.set(key, (series = []));
    if (series.length >= 3 && series[series.length - 3] > s.t) sorted = false;
    series.push(s.t, s.intervalUs, s.cpuUs);
  }
  if (!sorted) for (const [key, series] of out) out.set(key, sortSeries(series));
  return out;
}

/** The key {@link seriesByThread} uses. */
export function threadKey(pid: number, tid: number): string {
  return `${pid}/${tid}`;
}

function sortSeries(series: number[]): number[] {
  const order = Array.from({ length: series.length / 3 }, (_, i) => i).sort((a, b) => series[a * 3] - series[b * 3]);
  return order.flatMap((i) => [series[i * 3], series[i * 3 + 1], series[i * 3 + 2]]);
}

/** Mean of the tasks' fractions (each task counts once, however long it ran); undefined for none. */
export function meanFraction(fractions: Iterable<number>): number | undefined {
  let n = 0;
  let sum = 0;
  for (const f of fractions) {
    n++;
    sum += f;
  }
  return n > 0 ? sum / n : undefined;
}

/**
 * On-CPU time of every finished task of a run, by global task index (tasks
 * nothing measured are left out). A lane's samples are the series of its
 * worker's OS thread (`TraceModel` files each `cpu-sample` under its lane).
 *
 * @example
 * const cpu = runTaskCpu(model, model.runById(runId)!);
 * cpu.get(i)?.cpuFraction; // 0.26 — one of four threads under one GIL
 */
export function runTaskCpu(model: TraceModel, run: RunInfo): Map<number, TaskCpu> {
  const out = new Map<number, TaskCpu>();
  forEachTaskCpu(model, run, (i, cpu) => out.set(i, cpu));
  return out;
}

/**
 * The same figures as {@link runTaskCpu}, handed to `visit` one task at a time: for figures over a run
 * (statistics), where a million-entry map would cost more memory than the trace itself.
 */
export function forEachTaskCpu(model: TraceModel, run: RunInfo, visit: (task: number, cpu: TaskCpu) => void): void {
  const t = model.tasks;
  for (const li of run.lanes) model.sortLaneSamples(model.lanes[li]);
  for (const i of model.taskIndicesOf(run)) {
    const status = t.status[i];
    if (!t.startSeen[i] || (status !== TaskStatus.Ok && status !== TaskStatus.Failed)) continue;
    const lane = t.lane[i] >= 0 ? model.lanes[t.lane[i]] : undefined;
    const series = lane?.cpu;
    const reported = t.cpuUs[i];
    let slices: [number, number][] | undefined;
    for (let k = t.firstSlice[i]; k >= 0; k = model.slices.nextOfTask[k]) (slices ??= []).push([model.slices.start[k], model.slices.end[k]]);
    const cpu = taskCpu({ start: t.start[i], end: t.end[i], reportedCpuUs: Number.isNaN(reported) ? undefined : reported, slices }, series);
    if (cpu) visit(i, cpu);
  }
}
