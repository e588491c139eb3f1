/**
 * The compact form a large run takes in PoolScope's own trace file
 * (`poolscope run … --trace t.json`, Export Trace): one row a task, not three
 * events, with times as integer nanosecond deltas. Version 2 of the file's
 * `poolscope` stash holds each packed run (trace-store.ts) as one
 * {@link TaskTable} under `poolscope.tasks`; version 1 files hold the same
 * runs as batches of the columnar wire format under `poolscope.columns`
 * (src/common/trace-columns.ts) and are still read.
 *
 * Why a file form of its own: the wire format has a row per event (kind,
 * taskId, t, ref for each of a task's three events), ~80 bytes a task in JSON,
 * and the file also carries one Perfetto `X` event per task (~80 bytes) so
 * that trace viewers can open it. A task's row here is ~35 bytes:
 *
 * - `taskId`: the difference to the previous row's id (1 for ids in order);
 * - `queued`: run-clock ns since the previous row's queued time (the first
 *   row: since 0); `start`: ns from queued to start (the queue wait); `end`:
 *   ns from start to end (the run time). Integer ns are exact at the clock's
 *   resolution (the times are µs with three decimals) and never drift: each
 *   delta is taken between times already rounded to the ns;
 * - `worker`: the workerId; `fn`: an index into `fns`, or one number when
 *   every row has the same function;
 * - `input` / `result`: the previews, a JSON number when the preview is that
 *   number's own text (`"42"` → `42`), else the string.
 *
 * Rows are the run's tasks that were queued, started and ended ok, with a
 * result preview and nothing else (no error, cpuUs or phases). Every other
 * task keeps its events whole in `events`, next to the run's other events
 * (run-start, workers, logs …). Reading gives back the run's events with seq
 * renumbered as {@link mergeRunEvents} orders them.
 *
 * No DOM or Node dependencies.
 */
import type { TraceEvent } from './events.js';
import { TaskStatus, type RunInfo, type TraceModel } from './trace-model.js';
import { jsonArray, jsonItems } from './text-chunks.js';
import { isTraceEvent, RUN_ID_CHARS } from '../common/trace-event-check.js';
import { mergeRunEvents } from './trace-store.js';

/** One run's tasks as rows (see the file header), as it is stored in JSON. */
export interface TaskTable {
  runId: string;
  /** Rows. */
  length: number;
  taskId: number[];
  queued: number[];
  start: number[];
  end: number[];
  worker: number[];
  /** Index into `fns` per row, or one index for every row. */
  fn: number[] | number;
  fns: string[];
  input: (number | string)[];
  result: (number | string)[];
  /** The run's other events (and its tasks that are not rows), whole. */
  events: TraceEvent[];
}

/** A preview that is a number's own text, as that number (JSON keeps it exactly); else undefined. */
function asNumber(preview: string): number | undefined {
  if (preview.length === 0 || preview.length > 24) return undefined;
  const x = Number(preview);
  return Number.isFinite(x) && String(x) === preview ? x : undefined;
}

function previewJson(preview: string): string {
  const x = asNumber(preview);
  return x === undefined ? JSON.stringify(preview) : String(x);
}

/** Run-clock µs → integer ns (the clock's resolution; NaN never reaches here). */
const ns = (us: number): number => Math.round(us * 1000);

/**
 * One packed run (trace-store.ts) as a {@link TaskTable} in JSON, in chunks. `kept` are the run's events
 * kept as objects (run-start, workers, logs, a task-end with phases …); a task whose end is among them is
 * not a row.
 */
export function* runTaskTableJson(model: TraceModel, run: RunInfo, kept: readonly TraceEvent[]): Generator<string> {
  const t = model.tasks;
  const keptEnds = new Set<number>();
  for (const e of kept) if (e.type === 'task-end') keptEnds.add(e.taskId);
  const rows = new Int32Array(run.tasks);
  const events: TraceEvent[] = [...kept];
  let n = 0;
  let sameFn = -1;
  for (const i of model.taskIndicesOf(run)) {
    const lane = t.lane[i];
    const plain = !Number.isNaN(t.queued[i]) && t.startSeen[i] === 1 && lane >= 0 && t.status[i] === TaskStatus.Ok
      && t.result.has(i) && Number.isNaN(t.cpuUs[i]) && !t.errors.has(i) && !t.phases.has(i) && !keptEnds.has(t.taskId[i])
      && Number.isSafeInteger(ns(t.end[i]));
    if (!plain) {
      for (const e of model.taskEventsAt(i, run.runId)) if (!(e.type === 'task-end' && keptEnds.has(e.taskId))) events.push(e);
      continue;
    }
    if (n === 0) sameFn = t.fn[i];
    else if (sameFn !== t.fn[i]) sameFn = -1;
    rows[n++] = i;
  }
  const laneWorker = (i: number): number => model.lanes[t.lane[i]].workerId;
  yield `{"runId":${JSON.stringify(run.runId)},"length":${n},"taskId":`;
  yield* jsonArray(n, (k) => String(k === 0 ? t.taskId[rows[0]] : t.taskId[rows[k]] - t.taskId[rows[k - 1]]));
  yield ',"queued":';
  yield* jsonArray(n, (k) => String(k === 0 ? ns(t.queued[rows[0]]) : ns(t.queued[rows[k]]) - ns(t.queued[rows[k - 1]])));
  yield ',"start":';
  yield* jsonArray(n, (k) => String(ns(t.start[rows[k]]) - ns(t.queued[rows[k]])));
  yield ',"end":';
  yield* jsonArray(n, (k) => String(ns(t.end[rows[k]]) - ns(t.start[rows[k]])));
  yield ',"worker":';
  yield* jsonArray(n, (k) => String(laneWorker(rows[k])));
  yield ',"fn":';
  if (sameFn >= 0 || n === 0) yield String(Math.max(0, sameFn));
  else yield* jsonArray(n, (k) => String(t.fn[rows[k]]));
  yield ',"input":';
  yield* jsonArray(n, (k) => previewJson(t.input.get(rows[k]) ?? ''));
  yield ',"result":';
  yield* jsonArray(n, (k) => previewJson(t.result.get(rows[k]) ?? ''));
  yield `,"fns":${JSON.stringify(model.fnNames)},"events":`;
  yield* jsonItems(function* () {
    for (const e of events) yield JSON.stringify(e);
  }());
  yield '}';
}

function isIntArray(v: unknown, n: number): v is number[] {
  if (!Array.isArray(v) || v.length !== n) return false;
  for (let k = 0; k < n; k++) if (!Number.isSafeInteger(v[k])) return false;
  return true;
}

function isPreviewArray(v: unknown, n: number): v is (number | string)[] {
  if (!Array.isArray(v) || v.length !== n) return false;
  for (let k = 0; k < n; k++) {
    const x: unknown = v[k];
    if (typeof x !== 'string' && !(typeof x === 'number' && Number.isFinite(x))) return false;
  }
  return true;
}

/** Whether `v` is a well-formed {@link TaskTable} (read from a file): shapes, lengths, indices and events checked. */
export function isTaskTable(v: unknown): v is TaskTable {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (typeof c.runId !== 'string' || c.runId.length === 0 || c.runId.length > RUN_ID_CHARS) return false;
  const n = c.length;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return false;
  if (!isIntArray(c.taskId, n) || !isIntArray(c.queued, n) || !isIntArray(c.start, n) || !isIntArray(c.end, n) || !isIntArray(c.worker, n)) return false;
  if (!Array.isArray(c.fns) || !c.fns.every((f) => typeof f === 'string')) return false;
  const fns = c.fns.length;
  const fnOk = (f: unknown): boolean => Number.isInteger(f) && (f as number) >= 0 && (f as number) < fns;
  if (Array.isArray(c.fn)) {
    if (c.fn.length !== n || !c.fn.every(fnOk)) return false;
  } else if (!(n === 0 || fnOk(c.fn))) {
    return false;
  }
  if (!isPreviewArray(c.input, n) || !isPreviewArray(c.result, n)) return false;
  return Array.isArray(c.events) && c.events.every(isTraceEvent);
}

/** The run's events from its table: kept events and rows, seq renumbered (trace-store.ts mergeRunEvents). */
export function taskTableEvents(table: TaskTable): TraceEvent[] {
  const { runId, length: n, taskId, queued, start, end, worker, fn, fns, input, result } = table;
  const tasks: TraceEvent[] = new Array<TraceEvent>(3 * n);
  let id = 0;
  let q = 0;
  for (let k = 0; k < n; k++) {
    id = k === 0 ? taskId[0] : id + taskId[k];
    q += queued[k];
    const s = q + start[k];
    const e = s + end[k];
    const workerId = worker[k];
    tasks[3 * k] = {
      type: 'task-queued', runId, seq: 0, t: q / 1000, taskId: id, fn: fns[typeof fn === 'number' ? fn : fn[k]] ?? '', inputPreview: String(input[k]),
    };
    tasks[3 * k + 1] = { type: 'task-start', runId, seq: 0, t: s / 1000, taskId: id, workerId };
    tasks[3 * k + 2] = { type: 'task-end', runId, seq: 0, t: e / 1000, taskId: id, workerId, ok: true, resultPreview: String(result[k]) };
  }
  return mergeRunEvents(table.events, tasks);
}
