/**
 * Writers of large trace files produce text as a sequence of chunks (a
 * generator of strings of about {@link CHUNK_CHARS} each), never as one
 * string: V8 caps a string at ~512 MB (a million tasks with previews is more
 * than that) and one big string costs its size twice while it is built. The
 * sink (a file stream, gzip, stdout) takes the chunks one at a time.
 *
 * No DOM or Node APIs: shared by the CLI, the extension host and tests.
 */
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
 * The tasks of one run as a `PackedTasks` JSON document (packed-tasks.ts), straight from the model's
 * columns, in task-id order: what large runs are written as (trace file stash, HTML report).
 */
export function* packedRunJson(model: TraceModel, run: RunInfo): Generator<string> {
  const t = model.tasks;
  const idx = Int32Array.from(model.taskIndicesOf(run));
  const n = idx.length;
  const ended = (i: number): boolean => t.status[i] === TaskStatus.Ok || t.status[i] === TaskStatus.Failed;
  yield `{"runId":${JSON.stringify(run.runId)},"lastSeq":${run.lastSeq},"fns":${JSON.stringify(model.fnNames)},"taskId":`;
  yield* jsonArray(n, (k) => String(t.taskId[idx[k]]));
  yield ',"fnIndex":';
  yield* jsonArray(n, (k) => String(t.fn[idx[k]]));
  yield ',"inputPreview":';
  yield* jsonArray(n, (k) => (Number.isNaN(t.queued[idx[k]]) ? 'null' : jsonText(t.input[idx[k]] ?? '')));
  yield ',"queued":';
  yield* jsonArray(n, (k) => jsonTime(t.queued[idx[k]]));
  yield ',"start":';
  yield* jsonArray(n, (k) => (t.startSeen[idx[k]] ? jsonTime(t.start[idx[k]]) : 'null'));
  yield ',"end":';
  yield* jsonArray(n, (k) => (ended(idx[k]) ? jsonTime(t.end[idx[k]]) : 'null'));
  yield ',"workerId":';
  yield* jsonArray(n, (k) => {
    const lane = t.lane[idx[k]];
    return String(lane >= 0 ? model.lanes[lane].workerId : -1);
  });
  yield ',"outcome":';
  yield* jsonArray(n, (k) => {
    const s = t.status[idx[k]];
    return s === TaskStatus.Ok ? '1' : s === TaskStatus.Failed ? '0' : '2';
  });
  yield ',"resultPreview":';
  yield* jsonArray(n, (k) => jsonText(t.result[idx[k]]));
  yield ',"errors":';
  yield* jsonItems(function* () {
    if (t.errors.size === 0) return;
    for (let k = 0; k < n; k++) {
      const error = t.errors.get(idx[k]);
      if (error) yield `[${k},${JSON.stringify(error)}]`;
    }
  }());
  if (idx.some((i) => !Number.isNaN(t.cpuUs[i]))) {
    yield ',"cpuUs":';
    yield* jsonItems(function* () {
      for (let k = 0; k < n; k++) if (!Number.isNaN(t.cpuUs[idx[k]])) yield `[${k},${jsonTime(t.cpuUs[idx[k]])}]`;
    }());
  }
  yield '}';
}
