/**
 * Chrome Trace Event format (the JSON Perfetto, chrome://tracing and
 * speedscope open) ⇄ PoolScope trace events.
 *
 * Export layout: pid = the OS process, tid = the Node threadId (0 = a
 * process's main thread, where the serial backend and the main program's
 * waits run). Each task is an `X` (complete) event on its worker's lane;
 * event-loop tasks overlap on their one thread, which a synchronous track
 * cannot nest, so there the task spans become async `b`/`e` pairs and the
 * on-thread slices are the `X` events. `M` events name processes and threads;
 * worker start/exit are instant events. All times are µs on the run clock.
 *
 * Round trip: the original events are stashed under the top-level `poolscope`
 * key (viewers ignore unknown keys), so `chromeToTrace(traceToChrome(e))`
 * gives `e` back exactly; runs of 20 000+ tasks written by `chromeTraceChunks`
 * are kept there as one task table each (task-table.ts; files written before
 * version 2 hold them as batches of columns, src/common/trace-columns.ts)
 * and come back with seq renumbered. Foreign traces are imported best effort: each
 * complete span becomes a task, each (pid, tid) lane a worker.
 */
import type { TraceEvent } from './events.js';
import { importChromeSpans } from './importers/chrome.js';
import { TaskStatus, TraceModel, type OtherThreads, type RunInfo, type TaskRecord, type WorkerLane } from './trace-model.js';
import { coalesce, jsonTime } from './text-chunks.js';
import type { TraceStore } from './trace-store.js';
import { expandTraceColumns, isTraceColumns, type TraceColumns } from '../common/trace-columns.js';
import { cpuUsIn, runTaskCpu, type TaskCpu } from './on-cpu.js';
import { summarizeRuns, traceFindings } from './stats.js';
import { isTaskTable, runTaskTableJson, taskTableEvents, type TaskTable } from './task-table.js';

/** One Chrome trace event (the subset of fields we write and read). */
export interface ChromeTraceEvent {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid?: number;
  tid?: number;
  cat?: string;
  id?: string | number;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

/** The JSON object format, plus our stash of the original events. */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms' | 'ns';
  otherData?: Record<string, unknown>;
  /** Our events; large runs as one batch of columns each in `columns` (chromeTraceChunks, src/common/trace-columns.ts). */
  poolscope?: {
    /** 2 since large runs are written as task tables (`tasks`); files of version 1 hold them as `columns`. */
    version: 1 | 2;
    events: TraceEvent[];
    columns?: TraceColumns[];
    tasks?: TaskTable[];
  };
}

/** Thrown by `chromeToTrace` for input that is neither our export nor a Chrome trace. */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
}

/** Converts trace events (one or more runs) to a Chrome trace that also carries the originals. */
export function traceToChrome(events: readonly TraceEvent[]): ChromeTrace {
  const model = new TraceModel();
  model.add(events);
  return {
    traceEvents: [...chromeMeta(model), ...chromeBody(model, () => false) as Generator<ChromeTraceEvent>],
    displayTimeUnit: 'ms',
    // The honest numbers (speed-ups, cores used, busy machine, verdict) for tools that read only the metadata.
    otherData: otherDataOf(model),
    poolscope: { version: 2, events: [...events] },
  };
}

/**
 * The same Chrome trace as {@link traceToChrome}, as JSON text in chunks (text-chunks.ts), for a trace of
 * any size. Runs the store packed (trace-store.ts) are written compactly: each task one `X` event without
 * args (a failed one keeps its error), times to the ns, and the run itself once, as a task table
 * (task-table.ts: a row a task, times as ns deltas) under `poolscope.tasks` — about 120 bytes a task instead
 * of ~760. Small runs are written as `traceToChrome` writes them, their events stashed exactly.
 */
export function* chromeTraceChunks(store: TraceStore): Generator<string> {
  const model = store.model;
  let first = true;
  const line = (text: string): string => {
    if (first) {
      first = false;
      return text;
    }
    return `,\n${text}`;
  };
  yield '{"traceEvents":[\n';
  yield* coalesce(function* () {
    for (const e of chromeMeta(model)) yield line(JSON.stringify(e));
    for (const e of chromeBody(model, (run) => store.isPacked(run.runId))) yield line(typeof e === 'string' ? e : JSON.stringify(e));
  }());
  yield `\n],"displayTimeUnit":"ms","otherData":${JSON.stringify(otherDataOf(model))},"poolscope":{"version":2,`;
  yield* store.eventsAndColumnsJson('tasks', runTaskTableJson);
  yield '}}\n';
}

function otherDataOf(model: TraceModel): Record<string, unknown> {
  return { producer: 'poolscope', runs: model.runs.length, findings: traceFindings(summarizeRuns(model), 'these runs') };
}

/** `M` events naming each process (runner, process workers) and thread (main, workers). */
function chromeMeta(model: TraceModel): ChromeTraceEvent[] {
  const processNames = new Map<number, string>();
  const threadNames = new Map<string, Set<string>>();
  const nameThread = (pid: number, tid: number, name: string): void => {
    const key = `${pid}:${tid}`;
    const names = threadNames.get(key) ?? new Set<string>();
    names.add(name);
    threadNames.set(key, names);
  };
  for (const run of model.runs) {
    const runnerPid = run.start?.pid ?? 0;
    if (!processNames.has(runnerPid)) processNames.set(runnerPid, `poolscope runner (pid ${runnerPid})`);
    nameThread(runnerPid, 0, 'main');
    for (const worker of model.workersOf(run)) {
      if (worker.pid !== runnerPid && !processNames.has(worker.pid)) processNames.set(worker.pid, `${worker.name} (pid ${worker.pid})`);
      nameThread(worker.pid, worker.threadId, worker.name);
    }
  }
  const meta: ChromeTraceEvent[] = [];
  for (const [pid, name] of processNames) meta.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name } });
  for (const [key, names] of threadNames) {
    const [pid, tid] = key.split(':').map(Number);
    meta.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: [...names].join(' / ') } });
  }
  return meta;
}

/**
 * Every run's events in Chrome form: run and worker instants, main-program waits, on-CPU counters, tasks.
 * Tasks of `compact` runs (not on the event loop) come as ready JSON text: `X` without args.
 */
function* chromeBody(model: TraceModel, compact: (run: RunInfo) => boolean): Generator<ChromeTraceEvent | string> {
  for (const run of model.runs) {
    const start = run.start;
    const runnerPid = start?.pid ?? 0;
    const label = runLabel(run);
    if (start) {
      yield { name: `run ${label}`, ph: 'i', s: 'p', ts: start.t, pid: runnerPid, tid: 0, cat: 'run',
        args: { runId: run.runId, backend: start.backend, workers: start.workers, fn: start.fn, file: start.file, node: start.node } };
    }
    if (run.end) {
      yield { name: `run end ${label}`, ph: 'i', s: 'p', ts: run.end.t, pid: runnerPid, tid: 0, cat: 'run',
        args: { runId: run.runId, ...run.end.stats, ...(run.end.error ? { error: run.end.error } : {}) } };
    }
    for (const wait of run.mainWaits) {
      yield { name: wait.label, ph: 'X', ts: wait.start, dur: Math.max(0, wait.end - wait.start), pid: runnerPid, tid: 0,
        cat: 'main-wait', args: { runId: run.runId } };
    }
    const workers = model.workersOf(run);
    for (const worker of workers) {
      yield { name: `start ${worker.name}`, ph: 'i', s: 't', ts: worker.startT, pid: worker.pid, tid: worker.threadId,
        cat: 'worker', args: { runId: run.runId, workerId: worker.workerId, startupUs: worker.startupUs, tid: worker.tid } };
      if (worker.exit) {
        const exit = worker.exit;
        yield { name: `exit ${worker.name} (${exit.reason})`, ph: 'i', s: 't', ts: exit.t, pid: worker.pid,
          tid: worker.threadId, cat: 'worker',
          args: { runId: run.runId, workerId: worker.workerId, code: exit.code, signal: exit.signal, reason: exit.reason } };
      }
    }
    for (const worker of workers) {
      if (worker.cpu.length >= 3) yield* onCpuCounter(worker.cpu, worker);
    }
    for (const other of model.notableOtherThreadsOf(run)) yield* otherThreadsCounter(other);
    const asyncSpans = start?.backend === 'event-loop';
    if (compact(run) && !asyncSpans) {
      yield* compactTasks(model, run);
      continue;
    }
    const cpu = runTaskCpu(model, run);
    for (const i of model.taskIndicesOf(run)) {
      const task = model.taskRecord(i);
      if (task.startT === undefined || task.endT === undefined) continue;
      const lane = model.tasks.lane[i];
      const worker = lane >= 0 && model.lanes[lane].known ? model.lanes[lane] : undefined;
      const pid = worker?.pid ?? runnerPid;
      const tid = worker?.threadId ?? 0;
      const name = `${task.fn || 'task'} #${task.taskId}`;
      const args = taskArgs(run, task, worker, cpu.get(i));
      if (asyncSpans) {
        const id = `${run.runId}:${task.taskId}`;
        yield { name, ph: 'b', cat: 'task', id, ts: task.startT, pid, tid, args };
        yield { name, ph: 'e', cat: 'task', id, ts: task.endT, pid, tid };
        for (const [s, e] of task.slices) {
          yield { name, ph: 'X', cat: 'slice', ts: s, dur: Math.max(0, e - s), pid, tid, args: { runId: run.runId, taskId: task.taskId } };
        }
      } else {
        yield { name, ph: 'X', cat: 'task', ts: task.startT, dur: Math.max(0, task.endT - task.startT), pid, tid, args };
      }
    }
  }
}

/** A packed run's tasks as `X` events, straight from the columns (their details are in the packed stash). */
function* compactTasks(model: TraceModel, run: RunInfo): Generator<string> {
  const t = model.tasks;
  const runnerPid = run.start?.pid ?? 0;
  const fnJson = new Map<number, string>();
  for (const i of model.taskIndicesOf(run)) {
    if (!t.startSeen[i] || (t.status[i] !== TaskStatus.Ok && t.status[i] !== TaskStatus.Failed)) continue;
    const lane = t.lane[i];
    const worker = lane >= 0 && model.lanes[lane].known ? model.lanes[lane] : undefined;
    let fn = fnJson.get(t.fn[i]);
    if (fn === undefined) fnJson.set(t.fn[i], (fn = JSON.stringify(model.fnNames[t.fn[i]] || 'task').slice(0, -1)));
    const error = t.errors.get(i);
    const args = error ? `,"args":{"error":${JSON.stringify({ name: error.name, message: error.message })}}` : '';
    yield `{"name":${fn} #${t.taskId[i]}","ph":"X","ts":${jsonTime(t.start[i])},"dur":${jsonTime(Math.max(0, t.end[i] - t.start[i]))},"pid":${worker?.pid ?? runnerPid},"tid":${worker?.threadId ?? 0}${args}}`;
  }
}

/** Width of one step of an other-threads counter (the sampler reads those threads every 50 ms). */
const OTHER_STEP_US = 50_000;

/**
 * The CPU of a process's threads that ran no task (libuv pool, GC helpers, the runner's own thread) as one
 * counter track, "on CPU · other threads" in cores, in 50 ms steps — the timeline's "other threads of PID n" lane.
 */
function otherThreadsCounter(other: OtherThreads): ChromeTraceEvent[] {
  let from = Infinity;
  let to = -Infinity;
  for (const series of other.series) {
    if (series.length < 3) continue;
    from = Math.min(from, series[0] - series[1]);
    to = Math.max(to, series[series.length - 3]);
  }
  if (!(to > from)) return [];
  const out: ChromeTraceEvent[] = [];
  const name = 'on CPU · other threads (cores)';
  let last = NaN;
  for (let a = from; a < to; a += OTHER_STEP_US) {
    const b = Math.min(to, a + OTHER_STEP_US);
    let used = 0;
    for (const series of other.series) used += cpuUsIn(series, a, b);
    const cores = Math.round((used / (b - a)) * 1000) / 1000;
    if (cores !== last) out.push({ name, ph: 'C', ts: a, pid: other.pid, tid: 0, cat: 'cpu', args: { 'on CPU': cores } });
    last = cores;
  }
  out.push({ name, ph: 'C', ts: to, pid: other.pid, tid: 0, cat: 'cpu', args: { 'on CPU': 0 } });
  return out;
}

function runLabel(run: RunInfo): string {
  const s = run.start;
  if (!s) return run.runId;
  return s.label ?? `${s.backend} × ${s.workers}`;
}

/**
 * A counter track per worker thread, "on CPU" 0…1: the share of each sample
 * interval the thread was on a CPU, back to 0 across gaps (the sampler skips
 * intervals without CPU use). Perfetto and chrome://tracing draw it as a step
 * chart under the worker's process.
 */
function onCpuCounter(samples: readonly number[], worker: WorkerLane): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  const name = `on CPU · ${worker.name}`;
  const at = (ts: number, value: number): void => {
    out.push({ name, ph: 'C', ts, pid: worker.pid, tid: worker.threadId, cat: 'cpu', args: { 'on CPU': Math.round(value * 1000) / 1000 } });
  };
  let lastEnd = -Infinity;
  for (let k = 0; k + 2 < samples.length; k += 3) {
    const end = samples[k];
    const interval = samples[k + 1];
    const start = end - interval;
    if (start > lastEnd + 1 && Number.isFinite(lastEnd)) at(lastEnd, 0);
    at(start, interval > 0 ? Math.min(1, samples[k + 2] / interval) : 0);
    lastEnd = end;
  }
  if (Number.isFinite(lastEnd)) at(lastEnd, 0);
  return out;
}

function taskArgs(run: RunInfo, task: TaskRecord, worker: WorkerLane | undefined, cpu: TaskCpu | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {
    runId: run.runId,
    backend: run.start?.backend,
    taskId: task.taskId,
    worker: worker?.name,
    input: task.inputPreview,
    queueWaitUs: task.queuedT !== undefined && task.startT !== undefined ? task.startT - task.queuedT : undefined,
    ok: task.ok,
  };
  if (task.resultPreview !== undefined) args.result = task.resultPreview;
  if (task.error) args.error = { name: task.error.name, message: task.error.message, stack: task.error.stack };
  if (cpu) {
    args.cpuUs = cpu.cpuUs;
    args.cpuFraction = Math.round(cpu.cpuFraction * 1000) / 1000;
    args.cpuSource = cpu.source;
  } else if (task.cpuUs !== undefined) {
    args.cpuUs = task.cpuUs;
  }
  return args;
}

/** A trace's JSON text parsed (anything else passed through). @throws TraceFormatError when the text is not JSON. */
export function parseTraceJson(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch (err) {
    throw new TraceFormatError(`not JSON: ${(err as Error).message}`);
  }
}

/**
 * Reads a Chrome trace (object or array format, or its JSON text) back into
 * trace events: losslessly for our own exports, best effort for others.
 * @throws TraceFormatError when the input is not a Chrome trace at all.
 */
export function chromeToTrace(input: unknown): TraceEvent[] {
  const json = parseTraceJson(input);
  if (isRecord(json) && isRecord(json.poolscope) && Array.isArray(json.poolscope.events)) {
    const events = json.poolscope.events;
    if (!events.every(isTraceEventShape)) throw new TraceFormatError('poolscope.events holds something that is not a trace event');
    const { columns, tasks } = json.poolscope;
    if (columns !== undefined) {
      if (!Array.isArray(columns) || !columns.every((c) => isTraceColumns(c))) {
        throw new TraceFormatError('poolscope.columns holds something that is not a batch of trace columns');
      }
      // One by one: a million events are too many arguments for push(...).
      for (const c of columns) for (const e of expandTraceColumns(c)) events.push(e);
    }
    if (tasks !== undefined) {
      if (!Array.isArray(tasks) || !tasks.every((c) => isTaskTable(c))) {
        throw new TraceFormatError('poolscope.tasks holds something that is not a table of tasks');
      }
      for (const table of tasks) for (const e of taskTableEvents(table)) events.push(e);
    }
    return events;
  }
  // A bare array of our own events (what some tools save) is accepted too.
  if (Array.isArray(json) && json.length > 0 && json.every(isTraceEventShape)) return json;
  const traceEvents = Array.isArray(json) ? json : isRecord(json) && Array.isArray(json.traceEvents) ? json.traceEvents : undefined;
  if (!traceEvents) throw new TraceFormatError('expected a Chrome trace: an array of events or an object with traceEvents');
  return importForeign(traceEvents.filter(isRecord));
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isTraceEventShape(x: unknown): x is TraceEvent {
  return isRecord(x) && typeof x.type === 'string' && typeof x.runId === 'string' && typeof x.seq === 'number';
}

/** Foreign trace → one synthetic run: complete spans (X, or B/E pairs) become tasks; lanes become workers. */
function importForeign(chromeEvents: readonly Record<string, unknown>[]): TraceEvent[] {
  try {
    return importChromeSpans(chromeEvents);
  } catch (err) {
    throw new TraceFormatError((err as Error).message);
  }
}
