/**
 * Writers of large trace files produce text as a sequence of chunks (a
 * generator of strings of about {@link CHUNK_CHARS} each), never as one
 * string: V8 caps a string at ~512 MB (a million tasks with previews is more
 * than that) and one big string costs its size twice while it is built. The
 * sink (a file stream, gzip, stdout) takes the chunks one at a time.
 *
 * No DOM or Node APIs: shared by the CLI, the extension host and tests.
 */
import type { TaskEndEvent, TraceEvent } from './events.js';
import { RowKind } from '../common/trace-columns.js';
import { TaskStatus, type RunInfo, type TraceModel } from './trace-model.js';

/** The size chunks are cut at (characters); a chunk may run over by one item. */
export const CHUNK_CHARS = 1 << 16;

/** Coalesces many small strings into chunks of about CHUNK_CHARS. */
export function* coalesce(parts: Iterable<string>, size = CHUNK_CHARS): Generator<string> {
  let buf = '';
  for (const p of parts) {
    buf += p;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** A JSON array of `n` items, `item(k)` being each item's JSON text, in chunks. */
export function* jsonArray(n: number, item: (k: number) => string): Generator<string> {
  let buf = '[';
  for (let k = 0; k < n; k++) {
    buf += k === 0 ? item(k) : `,${item(k)}`;
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}]`;
}

/** A JSON array of the items' JSON texts, in chunks. */
export function* jsonItems(items: Iterable<string>): Generator<string> {
  let buf = '[';
  let first = true;
  for (const item of items) {
    buf += first ? item : `,${item}`;
    first = false;
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}]`;
}

/**
 * Run-clock µs to three decimals (ns, the clock's resolution) as JSON; NaN → null. The same text as
 * `String(Math.round(us * 1000) / 1000)`, built from integers: a few times faster than V8's shortest
 * double-to-text, which is most of a million-task file's writing time otherwise.
 */
export function jsonTime(us: number): string {
  if (!Number.isFinite(us)) return 'null';
  const ns = Math.round(us * 1000);
  if (Math.abs(ns) >= 2 ** 52) return String(ns / 1000);
  const neg = ns < 0;
  const abs = neg ? -ns : ns;
  const whole = Math.floor(abs / 1000);
  const frac = abs - whole * 1000;
  const sign = neg ? '-' : '';
  if (frac === 0) return `${sign}${whole}`;
  if (frac % 100 === 0) return `${sign}${whole}.${frac / 100}`;
  if (frac % 10 === 0) return `${sign}${whole}.${frac < 100 ? '0' : ''}${frac / 10}`;
  return `${sign}${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

function jsonText(s: string | undefined): string {
  return s === undefined ? 'null' : JSON.stringify(s);
}

/**
 * One run whose task events live only in the model's columns (trace-store.ts), as one batch of the
 * columnar wire format (src/common/trace-columns.ts) in JSON, in chunks: what large runs are written as
 * (the trace file's `poolscope.columns`, the HTML report's `columns`), read back by expanding it or by
 * `TraceModel.addColumns`. `kept` are the run's events kept as objects (run-start, workers, logs, a
 * task-end with phases …). Rows, seq renumbered from 0 (trace-store.ts mergeRunEvents' order): run-start,
 * the other kept events, then task by task its queued, start and end rows, run-end last. A task's end is a
 * row when it is a plain success, else an event; a kept task-end replaces it.
 */
export function* runColumnsJson(model: TraceModel, run: RunInfo, kept: readonly TraceEvent[]): Generator<string> {
  const t = model.tasks;
  const runId = run.runId;
  const keptEnds = new Set<number>();
  for (const e of kept) if (e.type === 'task-end') keptEnds.add(e.taskId);
  const cap = kept.length + 3 * run.tasks;
  const kind = new Uint8Array(cap);
  /** Task rows: the task's index in the model; Event rows: unused. */
  const task = new Int32Array(cap);
  const events: TraceEvent[] = [];
  let n = 0;
  const event = (e: TraceEvent): void => {
    kind[n] = RowKind.Event;
    events.push({ ...e, seq: n++ });
  };
  const start = kept.find((e) => e.type === 'run-start');
  if (start) event(start);
  for (const e of kept) if (e.type !== 'run-start' && e.type !== 'run-end') event(e);
  const workerOf = (i: number): number => (t.lane[i] >= 0 ? model.lanes[t.lane[i]].workerId : -1);
  for (const i of model.taskIndicesOf(run)) {
    if (!Number.isNaN(t.queued[i])) {
      kind[n] = RowKind.Queued;
      task[n++] = i;
    }
    if (t.startSeen[i] && t.lane[i] >= 0) {
      kind[n] = RowKind.Started;
      task[n++] = i;
    }
    const status = t.status[i];
    if ((status !== TaskStatus.Ok && status !== TaskStatus.Failed) || keptEnds.has(t.taskId[i])) continue;
    const error = t.errors.get(i);
    if (status === TaskStatus.Ok && !error && Number.isNaN(t.cpuUs[i]) && t.result.has(i)) {
      kind[n] = RowKind.EndedOk;
      task[n++] = i;
    } else {
      const end: TaskEndEvent = { type: 'task-end', runId, seq: 0, t: t.end[i], taskId: t.taskId[i], workerId: workerOf(i), ok: status === TaskStatus.Ok };
      if (t.result.has(i)) end.resultPreview = t.result.get(i);
      if (error) end.error = error;
      if (!Number.isNaN(t.cpuUs[i])) end.cpuUs = t.cpuUs[i];
      event(end);
    }
  }
  const end = kept.find((e) => e.type === 'run-end');
  if (end) event(end);
  // A preview that is a number's own text travels as the number (QueuedNum / EndedOkNum rows, as the engine
  // sends it): "123456" costs 7 bytes in `num` instead of 9 in `text`, and `text` can stay short.
  const asNumber = (preview: string | undefined): number | undefined => {
    if (preview === undefined || preview.length === 0 || preview.length > 24) return undefined;
    const x = Number(preview);
    return Number.isFinite(x) && String(x) === preview ? x : undefined;
  };
  const nums = new Float64Array(n);
  let lastNum = -1;
  let lastText = -1;
  for (let k = 0; k < n; k++) {
    if (kind[k] === RowKind.Queued) {
      const x = asNumber(t.input.get(task[k]) ?? '');
      if (x === undefined) lastText = k;
      else {
        kind[k] = RowKind.QueuedNum;
        nums[k] = x;
        lastNum = k;
      }
    } else if (kind[k] === RowKind.EndedOk) {
      const x = asNumber(t.result.get(task[k]));
      if (x === undefined) lastText = k;
      else {
        kind[k] = RowKind.EndedOkNum;
        nums[k] = x;
        lastNum = k;
      }
    }
  }
  const isTask = (k: number): boolean => kind[k] !== RowKind.Event;
  yield `{"runId":${JSON.stringify(runId)},"firstSeq":0,"length":${n},"kind":`;
  yield* jsonArray(n, (k) => String(kind[k]));
  yield ',"taskId":';
  yield* jsonArray(n, (k) => (isTask(k) ? String(t.taskId[task[k]]) : '0'));
  yield ',"t":';
  yield* jsonArray(n, (k) => {
    if (!isTask(k)) return '0';
    const i = task[k];
    const k2 = kind[k];
    return jsonTime(k2 === RowKind.Queued || k2 === RowKind.QueuedNum ? t.queued[i] : k2 === RowKind.Started ? t.start[i] : t.end[i]);
  });
  yield ',"ref":';
  yield* jsonArray(n, (k) => (!isTask(k) ? '0' : String(kind[k] === RowKind.Queued || kind[k] === RowKind.QueuedNum ? t.fn[task[k]] : workerOf(task[k]))));
  // `num` and `text` are read on their own rows only: each ends at its last such row.
  yield ',"num":';
  yield* jsonArray(lastNum + 1, (k) => (kind[k] === RowKind.QueuedNum || kind[k] === RowKind.EndedOkNum ? String(nums[k]) : '0'));
  yield ',"text":';
  yield* jsonArray(lastText + 1, (k) => (kind[k] === RowKind.Queued ? jsonText(t.input.get(task[k]) ?? '') : kind[k] === RowKind.EndedOk ? jsonText(t.result.get(task[k])) : 'null'));
  yield `,"fns":${JSON.stringify(model.fnNames)},"events":`;
  yield* jsonItems(function* () {
    for (const e of events) yield JSON.stringify(e);
  }());
  yield '}';
}
