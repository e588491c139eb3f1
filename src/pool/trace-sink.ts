/**
 * Stamps `runId` and a contiguous `seq` on every event and delivers them to
 * listeners in batches: events collect and are flushed on the next turn of
 * the event loop (at most every 10 ms while busy), or as soon as a batch is
 * large — never one callback per event. CPU and machine samples alone wait
 * longer (100 ms): during a CPU-bound phase they are nearly all there is, and
 * each batch costs the runner an IPC message and its parent a parse, taken
 * from the cores the workers are measured on.
 *
 * The per-task events (queued, started, ended ok) are recorded as rows of
 * typed arrays (src/common/trace-columns.ts), not objects: that is what keeps
 * tracing cheap on the thread that feeds the workers. Column listeners get
 * the batch as is; object listeners get it expanded into events, once per
 * batch however many of them there are.
 */
import type { TraceEvent, TraceListener, UnstampedEvent } from '../trace/events.js';
import { expandTraceColumns, RowKind, type TraceColumns, type TraceColumnsListener } from '../common/trace-columns.js';
import { previewArgs, previewValue } from './preview.js';

/** Pending events that trigger delivery right away. */
const FLUSH_AT = 4096;
/**
 * Rows are written into a ring this small and copied into the batch in blocks (FLUSH_AT is a multiple of it).
 * Written row by row straight into the 4096-row batch (~120 KB, two of them in turn), each task's rows (likely)
 * landed on cache lines the pool's other work had pushed out since; in the ring they stay hot. Measured on the thread
 * backend, one pool with its tracing switched per round (10 000 tasks a round, 60 rounds a run): the pool
 * thread's tracing cost per task had a median of 0.35 µs over 9 runs written straight (0.24–0.85, one −0.2),
 * 0.11 µs over 5 runs through the ring (−0.2–0.15), of ~4.5 µs a task.
 */
const RING_ROWS = 256;
/**
 * Under load, batches go out at most this often (ms). A busy pool would otherwise deliver every turn of the
 * event loop — thousands of tiny batches a second, each with its fixed cost; a quiet one still delivers on
 * the next turn.
 */
const MIN_FLUSH_INTERVAL_MS = 10;
/**
 * While only samples wait (cpu-sample every few ms, machine-sample), batches go out at most this often (ms): the
 * CPU overlay does not need them sooner, and ~100 batches a second would cost a CPU-bound run's runner and its
 * parent a few % of a core. Any other event or row brings the flush forward to {@link MIN_FLUSH_INTERVAL_MS}.
 */
export const SAMPLES_FLUSH_INTERVAL_MS = 100;

/** Events that may wait for {@link SAMPLES_FLUSH_INTERVAL_MS}. */
const isSample = (event: UnstampedEvent): boolean => event.type === 'cpu-sample' || event.type === 'machine-sample';

export class TraceSink {
  readonly runId: string;
  #seq = 0;
  #firstSeq = 0;
  #n = 0;
  /** The batch being filled: rows up to `#n - #ringN` (the rest are still in the ring). */
  #rows = newRows(FLUSH_AT);
  /** Where rows are written; copied to `#rows` when full and before a flush. */
  readonly #ring = newRows(RING_ROWS);
  #ringN = 0;
  /** The other set of rows, free to write once the batch lent from it is back (double buffering). */
  #spare: Rows | undefined = newRows(FLUSH_AT);
  /** Sparse: only rows with a text preview have one (numbers keep theirs in the num column). */
  #text: (string | undefined)[] = [];
  #events: TraceEvent[] = [];
  readonly #fns: string[] = [];
  readonly #fnIndex = new Map<string, number>();
  #lastFn: string | undefined;
  #lastFnIndex = -1;
  #listeners: TraceListener[] = [];
  #columnListeners: TraceColumnsListener[] = [];
  #scheduled: ReturnType<typeof setTimeout> | undefined;
  /** The scheduled flush is a samples-only one (due after SAMPLES_FLUSH_INTERVAL_MS); read only while one is scheduled. */
  #scheduledForSamples = false;
  #lastFlushMs = -Infinity;
  /** performance.now(), or a test's clock. */
  readonly #now: () => number;
  /** A task-start was recorded: the run's first one goes out on the next turn, not after MIN_FLUSH_INTERVAL_MS. */
  #started = false;

  constructor(runId: string, options: { now?: () => number } = {}) {
    this.runId = runId;
    // `performance` is an accessor on globalThis: read once here, not at every flush.
    const perf = performance;
    this.#now = options.now ?? (() => perf.now());
  }

  /** Number of events emitted so far (= the next seq). */
  get count(): number {
    return this.#seq;
  }

  emit(event: UnstampedEvent): void {
    const stamped = event as TraceEvent;
    stamped.runId = this.runId;
    stamped.seq = this.#seq;
    this.#events.push(stamped);
    this.#ring.kind[this.#ringN] = RowKind.Event;
    this.#advance(isSample(event));
  }

  /** task-queued. A lone number argument is kept as a number (its preview is its text). */
  queued(t: number, taskId: number, fn: string, args: unknown[]): void {
    const n = this.#ringN;
    const rows = this.#ring;
    rows.taskId[n] = taskId;
    rows.t[n] = t;
    rows.ref[n] = fn === this.#lastFn ? this.#lastFnIndex : this.#fnRef(fn);
    if (args.length === 1 && typeof args[0] === 'number' && !Object.is(args[0], -0)) {
      rows.kind[n] = RowKind.QueuedNum;
      rows.num[n] = args[0];
    } else {
      rows.kind[n] = RowKind.Queued;
      this.#text[this.#n] = previewArgs(args);
    }
    this.#advance();
  }

  /** task-start. */
  started(t: number, taskId: number, workerId: number): void {
    const n = this.#ringN;
    const rows = this.#ring;
    rows.kind[n] = RowKind.Started;
    rows.taskId[n] = taskId;
    rows.t[n] = t;
    rows.ref[n] = workerId;
    this.#advance();
    if (!this.#started) this.#firstStarted();
  }

  /** The timeline's first bar waits on the run's first task-start (a warm click): it is delivered on the next turn. */
  #firstStarted(): void {
    this.#started = true;
    if (this.#scheduled !== undefined) clearTimeout(this.#scheduled);
    this.#scheduled = setTimeout(this.#flushNow, 0);
    this.#scheduledForSamples = false;
  }

  /**
   * task-end of a task that succeeded (failures carry an error object: `emit` them). `preview` is the
   * worker's preview of `value`, or '' when it left that to us (a primitive).
   */
  endedOk(t: number, taskId: number, workerId: number, value: unknown, preview: string): void {
    const n = this.#ringN;
    const rows = this.#ring;
    rows.taskId[n] = taskId;
    rows.t[n] = t;
    rows.ref[n] = workerId;
    // -0 is text: the number column's text (and JSON) would say 0.
    if (preview === '' && typeof value === 'number' && !Object.is(value, -0)) {
      rows.kind[n] = RowKind.EndedOkNum;
      rows.num[n] = value;
    } else {
      rows.kind[n] = RowKind.EndedOk;
      this.#text[this.#n] = preview === '' ? previewValue(value) : preview;
    }
    this.#advance();
  }

  subscribe(listener: TraceListener): () => void {
    return addListener(this.#listeners, listener);
  }

  subscribeColumns(listener: TraceColumnsListener): () => void {
    return addListener(this.#columnListeners, listener);
  }

  /** Delivers pending events now (close() calls it so run-end is out before close resolves). */
  flush(): void {
    if (this.#scheduled !== undefined) {
      clearTimeout(this.#scheduled);
      this.#scheduled = undefined;
    }
    const n = this.#n;
    if (n === 0) return;
    this.#spill();
    this.#lastFlushMs = this.#now();
    // The number columns are lent, not given: they are written again once the listeners return (a fresh
    // buffer per batch cost more than all the rows in it: page faults, external-memory GCs). A listener
    // that keeps a batch copies it (copyTraceColumns / columnsToJson). Meanwhile rows go to the spare set,
    // so a listener that queues work while it holds the batch does not overwrite it.
    const lent = this.#rows;
    // Each column named, not `...lent`: flush runs a few times per 10 ms, too rarely to be optimised, and a
    // spread in unoptimised code builds the object through the runtime, property by property — ~18 µs a batch
    // on a 2-core VM, ~40 ns a task at two batches per 1000 tasks, on the thread that feeds the workers.
    // A plain literal is copied from its boilerplate.
    const columns: TraceColumns = {
      runId: this.runId, firstSeq: this.#firstSeq, length: n,
      kind: lent.kind, taskId: lent.taskId, t: lent.t, ref: lent.ref, num: lent.num,
      text: this.#text, fns: this.#fns, events: this.#events,
    };
    this.#rows = this.#spare ?? newRows(FLUSH_AT);
    this.#spare = undefined;
    this.#text = [];
    this.#firstSeq = this.#seq;
    this.#n = 0;
    this.#events = [];
    deliverAll(this.#columnListeners, columns);
    if (this.#listeners.length !== 0) deliverAll(this.#listeners, expandTraceColumns(columns));
    this.#spare = lent;
  }

  /** Closes the row being written; `sample`: it is a cpu-sample or machine-sample event, which may wait longer. */
  #advance(sample = false): void {
    this.#seq++;
    this.#n++;
    if (++this.#ringN === RING_ROWS) this.#spill();
    // Most rows need nothing more (a flush is due at the usual pace, the batch has room): this stays small enough to
    // be inlined into queued / started / endedOk, and those into the pool's per-task calls. The rest is #pace.
    if (this.#n >= FLUSH_AT || this.#scheduled === undefined || this.#scheduledForSamples) this.#pace(sample);
  }

  /** After a row: a full batch goes out now; otherwise a flush is scheduled, or brought forward from the samples' pace. */
  #pace(sample: boolean): void {
    if (this.#n >= FLUSH_AT) {
      // A burst (thousands of submits in one loop) is delivered in slices, so batches die young instead of piling up.
      this.flush();
    } else if (this.#scheduled === undefined) {
      this.#schedule(sample);
    } else if (this.#scheduledForSamples && !sample) {
      // A task row or another event joins samples that were to wait: it goes out at the usual pace.
      clearTimeout(this.#scheduled);
      this.#schedule(false);
    }
  }

  #schedule(samplesOnly: boolean): void {
    const interval = samplesOnly ? SAMPLES_FLUSH_INTERVAL_MS : MIN_FLUSH_INTERVAL_MS;
    this.#scheduled = setTimeout(this.#flushNow, Math.max(0, this.#lastFlushMs + interval - this.#now()));
    this.#scheduledForSamples = samplesOnly;
  }

  /** Copies the ring's rows to the batch (in blocks: a few memcpy's per RING_ROWS rows). */
  #spill(): void {
    const k = this.#ringN;
    if (k === 0) return;
    const at = this.#n - k;
    const ring = this.#ring;
    const rows = this.#rows;
    rows.kind.set(ring.kind.subarray(0, k), at);
    rows.taskId.set(ring.taskId.subarray(0, k), at);
    rows.t.set(ring.t.subarray(0, k), at);
    rows.ref.set(ring.ref.subarray(0, k), at);
    rows.num.set(ring.num.subarray(0, k), at);
    this.#ringN = 0;
  }

  #fnRef(fn: string): number {
    let index = this.#fnIndex.get(fn);
    if (index === undefined) {
      index = this.#fns.length;
      this.#fns.push(fn);
      this.#fnIndex.set(fn, index);
    }
    this.#lastFn = fn;
    this.#lastFnIndex = index;
    return index;
  }

  readonly #flushNow = (): void => {
    this.#scheduled = undefined;
    this.flush();
  };
}

interface Rows {
  kind: Uint8Array;
  taskId: Float64Array;
  t: Float64Array;
  ref: Int32Array;
  num: Float64Array;
}

function newRows(size: number): Rows {
  return {
    kind: new Uint8Array(size), taskId: new Float64Array(size), t: new Float64Array(size),
    ref: new Int32Array(size), num: new Float64Array(size),
  };
}

function addListener<L>(listeners: L[], listener: L): () => void {
  listeners.push(listener);
  return () => {
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  };
}

/**
 * Delivers to the listeners subscribed when delivery began (one that subscribes or unsubscribes meanwhile changes
 * the next batch, not this one). The usual one listener (the runner's, the host's) is called without copying the list.
 */
function deliverAll<B>(listeners: ((batch: B) => void)[], batch: B): void {
  if (listeners.length === 1) {
    deliver(listeners[0], batch);
    return;
  }
  const current = listeners.slice();
  for (let i = 0; i < current.length; i++) deliver(current[i], batch);
}

function deliver<B>(listener: (batch: B) => void, batch: B): void {
  try {
    listener(batch);
  } catch (err) {
    // A broken listener must not break the pool or starve the other listeners.
    process.emitWarning(`PoolScope trace listener threw: ${err instanceof Error ? err.stack : String(err)}`);
  }
}
