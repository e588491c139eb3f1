/**
 * The one columnar wire format of trace events: events of one run laid out in
 * columns, one row per event, in `seq` order (row i has seq = firstSeq + i).
 * The engine batches its events this way, the runner sends them to its parent
 * this way, the extension host sends busy runs to the webview this way, the
 * HTML report embeds large runs this way, and the trace model ingests them
 * without an object per task event (`TraceModel.addColumns`).
 *
 * A task is three events (task-queued, task-start, task-end) and a fast pool
 * runs 100 000+ tasks a second on the same thread that feeds its workers. As
 * objects (plus a preview string each) that is ~300 bytes of young garbage a
 * task, and every extra scavenge copies the tasks still in flight: tracing
 * cost more than the pool's own bookkeeping. As rows it is a few numbers in
 * typed arrays allocated once per batch (outside the JS heap), and a number
 * argument or result keeps its preview as the number itself until somebody
 * wants the text.
 *
 * The three task events of a successful task are rows; every other event
 * (run-start, worker-start, a failed task-end, logs …) stays an ordinary event
 * object in `events`, and its row only marks its place. Nothing is lost:
 * `expandTraceColumns` gives back exactly the events of the contract in
 * events.ts. `columnsToJson` carries a batch over JSON IPC; `eventsToColumns`
 * lays out event objects (a host's replay buffer, a saved trace) the same way;
 * `isTraceColumns` checks a batch that crossed a process or webview boundary.
 *
 * No DOM or Node dependencies: the engine, the runner, the extension host and
 * the webview all use this file.
 */
import type { TraceEvent } from '../trace/events.js';
import { isTraceEvent, RUN_ID_CHARS } from './trace-event-check.js';

/** What a row is. */
export const RowKind = {
  /** task-queued: `ref` indexes `fns`, `text` is the input preview. */
  Queued: 0,
  /** task-queued whose input preview is the number in `num` (one number argument). */
  QueuedNum: 1,
  /** task-start: `ref` is the worker. */
  Started: 2,
  /** task-end with ok: true: `ref` is the worker, `text` the result preview. */
  EndedOk: 3,
  /** task-end with ok: true whose result preview is the number in `num`. */
  EndedOkNum: 4,
  /** Any other event: the next one of `events`. */
  Event: 5,
} as const;

type Column = ArrayLike<number>;

export interface TraceColumns {
  runId: string;
  /** seq of row 0. */
  firstSeq: number;
  /** Rows in this batch (typed-array columns may be longer). */
  length: number;
  kind: Column;
  /** Task rows: the task. */
  taskId: Column;
  /** Task rows: the event's time (run-clock µs). */
  t: Column;
  /** Queued rows: index into `fns`; Started / EndedOk rows: workerId. */
  ref: Column;
  /** QueuedNum / EndedOkNum rows: the number the preview shows (read on those rows only: may be shorter than `length` when the last ones use no number). */
  num: Column;
  /** Queued: inputPreview; EndedOk: resultPreview; unset on other rows (sparse: may be shorter than `length`). */
  text: (string | undefined | null)[];
  /** Function names of this run so far (Queued rows index into it). */
  fns: string[];
  /** The Event rows' events, in row order, with runId and seq stamped. */
  events: TraceEvent[];
}

/**
 * Receives the events of a pool in columns, a batch at a time. The number columns are lent for the call
 * only (the engine reuses them for its next batch): keep a batch with `copyTraceColumns` or `columnsToJson`.
 */
export type TraceColumnsListener = (columns: TraceColumns) => void;

/** A batch that owns its columns (cut to `length`), for a listener that keeps it after returning. */
export function copyTraceColumns(columns: TraceColumns): TraceColumns {
  const n = columns.length;
  const cut = (col: Column): Column => (ArrayBuffer.isView(col) ? (col as Float64Array).slice(0, n) : Array.prototype.slice.call(col, 0, n) as number[]);
  return {
    ...columns, kind: cut(columns.kind), taskId: cut(columns.taskId), t: cut(columns.t), ref: cut(columns.ref), num: cut(columns.num),
    text: columns.text.slice(0, n), fns: columns.fns.slice(), events: columns.events.slice(),
  };
}

/**
 * The events of a batch, as objects, in seq order.
 *
 * @example
 * pool.onTraceColumns((cols) => model.add(expandTraceColumns(cols)));
 */
export function expandTraceColumns(columns: TraceColumns): TraceEvent[] {
  const { runId, firstSeq, length, kind, taskId, t, ref, num, text, fns, events } = columns;
  const out = new Array<TraceEvent>(length);
  let next = 0;
  for (let i = 0; i < length; i++) {
    const seq = firstSeq + i;
    switch (kind[i]) {
      case RowKind.Queued:
      case RowKind.QueuedNum:
        out[i] = {
          type: 'task-queued', runId, seq, t: t[i], taskId: taskId[i], fn: fns[ref[i]],
          inputPreview: kind[i] === RowKind.Queued ? text[i] ?? '' : String(num[i]),
        };
        break;
      case RowKind.Started:
        out[i] = { type: 'task-start', runId, seq, t: t[i], taskId: taskId[i], workerId: ref[i] };
        break;
      case RowKind.EndedOk:
      case RowKind.EndedOkNum:
        out[i] = {
          type: 'task-end', runId, seq, t: t[i], taskId: taskId[i], workerId: ref[i], ok: true,
          resultPreview: kind[i] === RowKind.EndedOk ? text[i] ?? '' : String(num[i]),
        };
        break;
      default:
        out[i] = events[next++];
    }
  }
  return out;
}

/** A batch with plain-array columns cut to `length`, for JSON (typed arrays would become objects). */
export function columnsToJson(columns: TraceColumns): TraceColumns {
  const n = columns.length;
  const plain = (col: Column): number[] => Array.prototype.slice.call(col, 0, n) as number[];
  const num = plain(columns.num);
  const kind = plain(columns.kind);
  const text: (string | null)[] = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    text[i] = columns.text[i] ?? null;
    if (kind[i] === RowKind.QueuedNum || kind[i] === RowKind.EndedOkNum) {
      // JSON has no NaN or ±Infinity: such a number keeps its preview as text instead.
      if (!Number.isFinite(num[i])) {
        kind[i] = kind[i] === RowKind.QueuedNum ? RowKind.Queued : RowKind.EndedOk;
        text[i] = String(num[i]);
        num[i] = 0;
      }
    } else {
      // Unused on other rows, and left over from an earlier batch in the engine's reused columns (maybe NaN).
      num[i] = 0;
    }
  }
  return {
    runId: columns.runId, firstSeq: columns.firstSeq, length: n, kind, taskId: plain(columns.taskId), t: plain(columns.t),
    ref: plain(columns.ref), num, text, fns: columns.fns.slice(), events: columns.events,
  };
}

/**
 * Whether `v` is a well-formed batch (for columns that crossed a process or
 * webview boundary): at most `maxRows` rows, every number column at least
 * `length` long (`num`: as far as a row uses it) and holding numbers, known row kinds, texts that are strings,
 * and one valid event (isTraceEvent) per Event row. O(rows), type checks only.
 */
export function isTraceColumns(v: unknown, maxRows = Number.MAX_SAFE_INTEGER): v is TraceColumns {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (typeof c.runId !== 'string' || c.runId.length === 0 || c.runId.length > RUN_ID_CHARS) return false;
  if (typeof c.firstSeq !== 'number' || !Number.isSafeInteger(c.firstSeq) || c.firstSeq < 0) return false;
  const n = c.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > maxRows) return false;
  for (const key of NUMBER_COLUMNS) {
    const col = c[key];
    // `num` is read on Num rows only (checked below); every other column has a cell per row.
    const need = key === 'num' ? 0 : n;
    if (ArrayBuffer.isView(col)) {
      if (col instanceof DataView || (col as Float64Array).length < need) return false;
    } else if (Array.isArray(col)) {
      if (col.length < need) return false;
      for (let i = 0, m = Math.min(n, col.length); i < m; i++) if (typeof col[i] !== 'number') return false;
    } else {
      return false;
    }
  }
  if (!Array.isArray(c.text) || c.text.length > n || !Array.isArray(c.fns) || !Array.isArray(c.events)) return false;
  const kind = c.kind as ArrayLike<number>;
  const ref = c.ref as ArrayLike<number>;
  const fns = c.fns.length;
  const numLength = (c.num as ArrayLike<number>).length;
  let eventRows = 0;
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (k === RowKind.Event) eventRows++;
    else if (!Number.isInteger(k) || k < 0 || k > RowKind.Event) return false;
    else if ((k === RowKind.Queued || k === RowKind.QueuedNum) && !(ref[i] >= 0 && ref[i] < fns)) return false;
    if ((k === RowKind.QueuedNum || k === RowKind.EndedOkNum) && i >= numLength) return false;
  }
  if (eventRows !== c.events.length) return false;
  for (const x of c.text) if (x !== undefined && x !== null && typeof x !== 'string') return false;
  for (const f of c.fns) if (typeof f !== 'string') return false;
  return c.events.every(isTraceEvent);
}

const NUMBER_COLUMNS = ['kind', 'taskId', 't', 'ref', 'num'] as const;

/**
 * Fields of the task events a row stands for (type, runId, seq, t, taskId and fn + inputPreview /
 * workerId / workerId + ok + resultPreview): an event with any other field (an error, cpuUs, phases …)
 * stays an Event row, so expanding gives it back whole.
 */
const PLAIN_KEYS: Partial<Record<string, number>> = { 'task-queued': 7, 'task-start': 6, 'task-end': 8 };

const TASK_EVENTS: ReadonlySet<string> = new Set(['task-queued', 'task-start', 'task-end']);

/**
 * Lays out event objects as column batches: the runs whose events touch at
 * least `minTasks` tasks go into batches (cut where a run's seq is not
 * consecutive), the other runs' events stay objects in `rest`, in order.
 * Batches come in the order their runs first appear. The reverse of
 * {@link expandTraceColumns}: expanding the batches gives back the events.
 */
export function eventsToColumns(events: readonly TraceEvent[], minTasks = 0): { columns: TraceColumns[]; rest: TraceEvent[] } {
  // Tasks are counted by id, not by task-queued: a live batch may hold only the starts and ends of tasks queued earlier.
  const tasksByRun = new Map<string, Set<number>>();
  for (const e of events) {
    let ids = tasksByRun.get(e.runId);
    if (!ids) tasksByRun.set(e.runId, (ids = new Set()));
    if (TASK_EVENTS.has(e.type)) ids.add((e as { taskId: number }).taskId);
  }
  const columnRuns = new Set([...tasksByRun].filter(([, ids]) => ids.size >= minTasks).map(([r]) => r));
  if (!columnRuns.size) return { columns: [], rest: [...events] };

  interface Open { c: TraceColumns & { kind: number[]; taskId: number[]; t: number[]; ref: number[]; num: number[] }; fnIndex: Map<string, number> }
  const open = new Map<string, Open>();
  const columns: TraceColumns[] = [];
  const rest: TraceEvent[] = [];
  for (const e of events) {
    if (!columnRuns.has(e.runId)) {
      rest.push(e);
      continue;
    }
    let b = open.get(e.runId);
    if (!b || e.seq !== b.c.firstSeq + b.c.length) {
      b = {
        c: { runId: e.runId, firstSeq: e.seq, length: 0, kind: [], taskId: [], t: [], ref: [], num: [], text: [], fns: [], events: [] },
        fnIndex: new Map(),
      };
      open.set(e.runId, b);
      columns.push(b.c);
    }
    const c = b.c;
    const row = c.length++;
    c.text[row] = null;
    c.num[row] = 0;
    const plain = Object.keys(e).length === PLAIN_KEYS[e.type];
    if (e.type === 'task-queued' && plain && typeof e.inputPreview === 'string') {
      let f = b.fnIndex.get(e.fn);
      if (f === undefined) {
        f = c.fns.length;
        c.fns.push(e.fn);
        b.fnIndex.set(e.fn, f);
      }
      c.kind[row] = RowKind.Queued;
      c.taskId[row] = e.taskId;
      c.t[row] = e.t;
      c.ref[row] = f;
      c.text[row] = e.inputPreview;
    } else if (e.type === 'task-start' && plain) {
      c.kind[row] = RowKind.Started;
      c.taskId[row] = e.taskId;
      c.t[row] = e.t;
      c.ref[row] = e.workerId;
    } else if (e.type === 'task-end' && plain && e.ok === true && typeof e.resultPreview === 'string') {
      c.kind[row] = RowKind.EndedOk;
      c.taskId[row] = e.taskId;
      c.t[row] = e.t;
      c.ref[row] = e.workerId;
      c.text[row] = e.resultPreview;
    } else {
      c.kind[row] = RowKind.Event;
      c.taskId[row] = 0;
      c.t[row] = 0;
      c.ref[row] = 0;
      c.events.push(e);
    }
  }
  return { columns, rest };
}
