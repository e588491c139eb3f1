/**
 * Run summaries for the summary cards and the compare table.
 *
 * The figures come from the trace library (`summarizeRuns` over its
 * `TraceModel`, src/trace/stats.ts), fed incrementally with every event, so
 * the timeline, the CLI and the HTML report agree on every number. That model
 * keeps one object per task, which does not fit a million-task trace in the
 * webview's heap budget: past {@link STATS_MODEL_TASK_CAP} tasks the webview
 * stops feeding it and derives the same figures from its own typed-array
 * columns instead (same definitions, see stats.ts).
 */
import type { TraceEvent } from '../src/trace/events.js';
import { TraceModel } from '../src/trace/trace-model.js';
import { describeIdentity, fillSpeedups, phaseOf, summarizeRuns, type RunSummary, type WorkerUtilization } from '../src/trace/stats.js';
import { coresUsedIn, idealSpeedup, isBusy, isCancelledError, otherCoresIn, type ThreadCpuSample } from '../src/trace/run-numbers.js';
import { percentile } from '../src/trace/percentile.js';
import { taskCpu } from '../src/trace/on-cpu.js';
import { TaskStatus, type RunInfo, type TimelineModel } from './timeline-model.js';

export type { RunSummary };

/** Above this many tasks the object-per-task stats model is dropped for the column path. */
export const STATS_MODEL_TASK_CAP = 250_000;

/** Keeps summaries current while events stream in; recomputes lazily, at most once per model version. */
export class RunSummaries {
  #stats: TraceModel | undefined = new TraceModel();
  #statsTasks = 0;
  #cache: RunSummary[] = [];
  #cacheVersion = -1;

  constructor(private readonly model: TimelineModel) {}

  /** Feed the events the timeline model accepted (call with exactly the new ones). */
  add(events: readonly TraceEvent[]): void {
    if (!this.#stats) return;
    for (const e of events) if (e.type === 'task-queued') this.#statsTasks++;
    if (this.#statsTasks > STATS_MODEL_TASK_CAP) {
      this.#stats = undefined;
      return;
    }
    this.#stats.add(events);
  }

  /** Packed task batches bypass the event stream: from now on, use the column path. */
  useColumns(): void {
    this.#stats = undefined;
    this.#cacheVersion = -1;
  }

  /** Forget everything (after a reset). */
  clear(): void {
    this.#stats = new TraceModel();
    this.#statsTasks = 0;
    this.#cacheVersion = -1;
  }

  /** Whether the figures come from the trace library's model (false: the column path). */
  get fromTraceLibrary(): boolean {
    return this.#stats !== undefined;
  }

  /** One summary per run that has a `run-start`, in arrival order. */
  all(): RunSummary[] {
    if (this.#cacheVersion === this.model.version) return this.#cache;
    this.#cache = this.#stats ? summarizeRuns(this.#stats) : summarizeFromColumns(this.model);
    this.#cacheVersion = this.model.version;
    return this.#cache;
  }

  byRunId(runId: string): RunSummary | undefined {
    return this.all().find((s) => s.runId === runId);
  }
}

const SERIAL = new Set(['serial', 'py-serial']);

/** The column path: the same figures as stats.ts, from the timeline's typed arrays. */
export function summarizeFromColumns(model: TimelineModel): RunSummary[] {
  const out: RunSummary[] = [];
  const waitsByRun = new Map<number, number[]>();
  const taskUs = new Float64Array(model.runs.length);
  const firstSent = new Float64Array(model.runs.length).fill(Infinity);
  const lastEnd = new Float64Array(model.runs.length).fill(-Infinity);
  const cancelled = new Int32Array(model.runs.length);
  const busyByLane = new Float64Array(model.lanes.length);
  const tasksByLane = new Int32Array(model.lanes.length);
  // On-CPU share per task (src/trace/on-cpu.ts), summed per lane and per run for the means.
  const cpuSumByLane = new Float64Array(model.lanes.length);
  const cpuTasksByLane = new Int32Array(model.lanes.length);
  const cpuSumByRun = new Float64Array(model.runs.length);
  const cpuUsByRun = new Float64Array(model.runs.length);
  const cpuTasksByRun = new Int32Array(model.runs.length);
  const t = model.tasks;
  for (let i = 0; i < t.count; i++) {
    const r = t.run[i];
    const q = t.queued[i];
    const s = t.start[i];
    const sent = Number.isNaN(q) ? s : q;
    if (sent < firstSent[r]) firstSent[r] = sent;
    if (!Number.isNaN(q) && !Number.isNaN(s)) {
      let w = waitsByRun.get(r);
      if (!w) waitsByRun.set(r, (w = []));
      w.push(Math.max(0, s - q));
    }
    const st = t.status[i];
    if (st !== TaskStatus.Ok && st !== TaskStatus.Failed) continue;
    if (t.end[i] > lastEnd[r]) lastEnd[r] = t.end[i];
    if (st === TaskStatus.Failed && isCancelledError(t.errors.get(i))) cancelled[r]++;
    const runUs = Number.isNaN(s) ? 0 : Math.max(0, t.end[i] - s);
    taskUs[r] += runUs;
    const lane = t.lane[i];
    if (lane >= 0 && !Number.isNaN(s)) {
      tasksByLane[lane]++;
      let busy = runUs;
      let slices: [number, number][] | undefined;
      if (t.firstSlice[i] >= 0) {
        busy = 0;
        slices = [];
        for (let k = t.firstSlice[i]; k >= 0; k = model.slices.nextOfTask[k]) {
          busy += Math.max(0, model.slices.end[k] - model.slices.start[k]);
          slices.push([model.slices.start[k], model.slices.end[k]]);
        }
      }
      busyByLane[lane] += busy;
      const cpu = taskCpu({ start: s, end: t.end[i], reportedCpuUs: Number.isNaN(t.cpuUs[i]) ? undefined : t.cpuUs[i], slices }, model.lanes[lane].cpu);
      if (cpu) {
        cpuSumByLane[lane] += cpu.cpuFraction;
        cpuTasksByLane[lane]++;
        cpuSumByRun[r] += cpu.cpuFraction;
        cpuUsByRun[r] += cpu.cpuUs;
        cpuTasksByRun[r]++;
      }
    }
  }
  for (const run of model.runs) {
    const start = run.start;
    if (!start) continue;
    const wallUs = Math.max(0, (run.end ? run.end.t : run.lastT) - start.t);
    const pids = new Set<number>();
    const threadIds = new Set<number>();
    const threads = new Set<string>();
    let crashes = 0;
    const utilization: WorkerUtilization[] = [];
    const cpu: ThreadCpuSample[] = [];
    for (const li of run.lanes) {
      const lane = model.lanes[li];
      if (!lane.known) continue;
      if (lane.tid !== undefined) {
        for (let k = 0; k + 2 < lane.cpu.length; k += 3) cpu.push({ pid: lane.pid, tid: lane.tid, t: lane.cpu[k], intervalUs: lane.cpu[k + 1], cpuUs: lane.cpu[k + 2] });
      }
      pids.add(lane.pid);
      threadIds.add(lane.threadId);
      threads.add(`${lane.pid}:${lane.threadId}`);
      if (lane.exit?.reason === 'crash') crashes++;
      utilization.push({
        workerId: lane.workerId, name: lane.name, pid: lane.pid, threadId: lane.threadId, tasks: tasksByLane[li],
        busyUs: busyByLane[li], utilization: wallUs > 0 ? Math.min(1, busyByLane[li] / wallUs) : 0,
        ...(cpuTasksByLane[li] > 0 ? { cpuFraction: cpuSumByLane[li] / cpuTasksByLane[li] } : {}),
      });
    }
    if (pids.size === 0) pids.add(start.pid);
    const waits = waitsByRun.get(run.index) ?? [];
    const finished = run.ok + run.failed;
    const phase = phaseOf(start.t, firstSent[run.index], lastEnd[run.index]);
    const cores = start.cores ?? run.machine.at(-1)?.cores;
    const summary: RunSummary = {
      runId: run.runId, backend: start.backend, workers: start.workers, label: start.label, compareId: start.compareId,
      fn: start.fn, file: start.file, startT: start.t, finished: run.end !== undefined, wallUs, taskUs: taskUs[run.index],
      tasks: run.tasks, ok: run.ok, failed: run.failed - cancelled[run.index], cancelled: cancelled[run.index], pending: run.tasks - finished,
      throughput: wallUs > 0 ? finished / (wallUs / 1e6) : 0,
      queueWaitP50Us: percentile(waits, 0.5), queueWaitP95Us: percentile(waits, 0.95),
      pids: [...pids].sort((a, b) => a - b), threadIds: [...threadIds].sort((a, b) => a - b), threads: Math.max(1, threads.size),
      workersStarted: utilization.length, crashes, utilization, identity: '',
      ...phase, cores, ideal: idealSpeedup(start.backend, start.workers, cores),
    };
    if (phase.taskPhaseStartT !== undefined && phase.taskPhaseUs !== undefined) {
      const from = phase.taskPhaseStartT;
      const to = from + phase.taskPhaseUs;
      summary.coresUsed = coresUsedIn(cpu, () => true, from, to);
      summary.otherCpuCores = otherCoresIn(run.machine, from, to);
      summary.busy = isBusy(summary.otherCpuCores);
    }
    if (run.end?.error) summary.error = { name: run.end.error.name, message: run.end.error.message };
    if (start.gil !== undefined) summary.gil = start.gil;
    if (cpuTasksByRun[run.index] > 0) {
      summary.cpuFraction = cpuSumByRun[run.index] / cpuTasksByRun[run.index];
      summary.cpuUs = cpuUsByRun[run.index];
    }
    summary.identity = describeIdentity(summary);
    out.push(summary);
  }
  fillSpeedups(out);
  return out;
}

/**
 * Speed-up of each run against a serial run among `summaries` (compare mode across separate runs).
 * Only a serial run of the same work counts as a baseline: same file, function and task count —
 * a serial run of another function says nothing about this one.
 */
export function speedupAgainstShownSerial(summaries: RunSummary[]): Map<string, number> {
  const out = new Map<string, number>();
  const sameWork = (a: RunSummary, b: RunSummary) => a.fn === b.fn && a.file === b.file && a.tasks === b.tasks;
  const serials = summaries.filter((s) => SERIAL.has(s.backend) && s.finished && s.taskPhaseUs).reverse();
  for (const s of summaries) {
    if (s.speedupVsSerial !== undefined) { out.set(s.runId, s.speedupVsSerial); continue; }
    const serial = serials.find((b) => sameWork(b, s));
    // Task phase against task phase, and only for finished runs: a live run's figures are not a speed-up yet.
    if (serial && s.taskPhaseUs && s.finished) out.set(s.runId, serial.taskPhaseUs! / s.taskPhaseUs);
  }
  return out;
}

/** Whether a run is still receiving events. */
export function isLive(run: RunInfo): boolean {
  return run.start !== undefined && run.end === undefined;
}
