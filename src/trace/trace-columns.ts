/**
 * The engine's batch format: trace events of one run laid out in columns,
 * one row per event, in `seq` order (row i has seq = firstSeq + i).
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
 * events.ts. `columnsToJson` / `columnsFromJson` carry a batch over JSON IPC.
 */
import type { TraceEvent } from './events.js';

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
  /** QueuedNum / EndedOkNum rows: the number the preview shows. */
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
    // JSON has no NaN or ±Infinity: such a number keeps its preview as text instead.
    if ((kind[i] === RowKind.QueuedNum || kind[i] === RowKind.EndedOkNum) && !Number.isFinite(num[i])) {
      kind[i] = kind[i] === RowKind.QueuedNum ? RowKind.Queued : RowKind.EndedOk;
      text[i] = String(num[i]);
    }
  }
  return {
    runId: columns.runId, firstSeq: columns.firstSeq, length: n, kind, taskId: plain(columns.taskId), t: plain(columns.t),
    ref: plain(columns.ref), num, text, fns: columns.fns.slice(), events: columns.events,
  };
}

/**
 * Whether `v` is a well-formed batch (for columns that crossed a process
 * boundary): every number column at least `length` long, one event per Event row.
 */
export function isTraceColumns(v: unknown): v is TraceColumns {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (typeof c.runId !== 'string' || typeof c.firstSeq !== 'number' || typeof c.length !== 'number') return false;
  const n = c.length;
  if (!Number.isInteger(n) || n < 0) return false;
  for (const key of ['kind', 'taskId', 't', 'ref', 'num'] as const) {
    const col = c[key] as ArrayLike<unknown> | undefined;
    if (!col || typeof col !== 'object' || typeof col.length !== 'number' || col.length < n) return false;
  }
  if (!Array.isArray(c.text) || !Array.isArray(c.fns) || !Array.isArray(c.events)) return false;
  const kind = c.kind as ArrayLike<unknown>;
  let eventRows = 0;
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (k === RowKind.Event) eventRows++;
    else if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > RowKind.Event) return false;
  }
  if (eventRows !== c.events.length) return false;
  return c.text.every((x) => x === undefined || x === null || typeof x === 'string');
}
