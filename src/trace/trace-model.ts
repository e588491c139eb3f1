/**
 * The one index of a trace: runs, their workers (lanes) and their tasks,
 * joined from the flat event stream. Statistics (stats.ts), the Chrome-trace
 * and CSV exports, the CLI report, the HTML report and the webview all read
 * traces through it, so they agree on what a "task" is (queued → started →
 * ended, plus its on-thread slices) and compute every figure one way.
 *
 * Tasks live in growable typed-array columns (no object per task); each
 * worker lane keeps its tasks sorted by start time so a frame only visits
 * what is on screen. A million tasks fit in well under 300 MB of heap this
 * way, which an object per task (or keeping the raw events) would not.
 * {@link TraceModel.taskRecord} builds a task's object on demand, for the
 * exports and reports that want one.
 *
 * Feeding it is O(events): `add()` touches each event once. It tolerates
 * events out of order within a run (a `task-end` before its `task-start`
 * fills the columns in whatever order the fields arrive) and runs whose
 * `run-start` has not been seen yet. With `dedupeBySeq` (the webview) events
 * are de-duplicated by `(runId, seq)`: a host may replay more than needed
 * after a reload and nothing is counted twice.
 *
 * It takes events as objects (`add`) or as column batches (`addColumns`,
 * src/common/trace-columns.ts: no object per task event); both go through the
 * same `#taskQueued` / `#taskStart` / `#taskEnd`.
 *
 * To add a per-task figure: a column in {@link TaskColumns} (grown in
 * `#growTo`, reset in `add`), filled in `#taskEnd` (or the event's case in
 * `#apply`), and read back in `taskRecord` and `eventsOf`.
 */
import { RowKind, type TraceColumns } from '../common/trace-columns.js';
import { BusySketch, sketchBinsFor } from './busy-sketch.js';
import type { PackedText } from '../common/webview-protocol.js';
import type {
  LogEvent, MachineSampleEvent, MainWaitEvent, RunEndEvent, RunStartEvent, TaskEndEvent, TaskError, TaskPhase, TaskQueuedEvent, TaskStartEvent,
  TraceEvent, WorkerExitReason, WorkerStartEvent,
} from './events.js';

/** Task status codes stored in {@link TaskColumns.status}. */
export const TaskStatus = { Queued: 0, Running: 1, Ok: 2, Failed: 3 } as const;

const NO_LANE = -1;

function grow<T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(a: T, min: number): T {
  if (a.length >= min) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2, 1024));
  next.set(a);
  return next;
}

/**
 * A per-task text (input or result preview): a string of its own, or a slice of a batch's packed text
 * (webview-protocol.ts PackedText) kept whole and sliced when read. A million-task load then holds a few
 * dozen long strings instead of two million short ones (their allocation and the garbage collector's work
 * on them were half the cost of folding the batches into the model).
 */
export class PreviewColumn {
  #strings: (string | undefined)[] = [];
  readonly #chunks: string[] = [];
  /** Packed chunk index + 1 of task i's text, 0 when it is in #strings (or none). */
  #chunk = new Int32Array(0);
  #start = new Int32Array(0);
  #end = new Int32Array(0);

  get(i: number): string | undefined {
    const c = i < this.#chunk.length ? this.#chunk[i] : 0;
    return c ? this.#chunks[c - 1].slice(this.#start[i], this.#end[i]) : this.#strings[i];
  }

  has(i: number): boolean {
    return (i < this.#chunk.length && this.#chunk[i] !== 0) || this.#strings[i] !== undefined;
  }

  set(i: number, text: string): void {
    this.#strings[i] = text;
    if (i < this.#chunk.length) this.#chunk[i] = 0;
  }

  /** Keeps a batch's packed text; returns the handle `setPacked` takes. */
  addChunk(joined: string): number {
    this.#chunks.push(joined);
    return this.#chunks.length;
  }

  /** Room for tasks below `n` at once (the task columns' capacity), instead of doubling step by step. */
  reserve(n: number): void {
    if (n > this.#chunk.length) {
      this.#chunk = grow(this.#chunk, n);
      this.#start = grow(this.#start, n);
      this.#end = grow(this.#end, n);
    }
  }

  /** Task i's text is `joined.slice(start, end)` of the chunk `handle` (from addChunk). */
  setPacked(i: number, handle: number, start: number, end: number): void {
    if (i >= this.#chunk.length) {
      this.#chunk = grow(this.#chunk, i + 1);
      this.#start = grow(this.#start, i + 1);
      this.#end = grow(this.#end, i + 1);
    }
    this.#chunk[i] = handle;
    this.#start[i] = start;
    this.#end[i] = end;
    if (i < this.#strings.length) this.#strings[i] = undefined;
  }
}

/** Every task of every run, one typed array per field, indexed by a global task index. */
export class TaskColumns {
  count = 0;
  run = new Int32Array(0);
  taskId = new Int32Array(0);
  queued = new Float64Array(0);
  start = new Float64Array(0);
  end = new Float64Array(0);
  lane = new Int32Array(0);
  fn = new Uint16Array(0);
  status = new Uint8Array(0);
  cpuUs = new Float64Array(0);
  /** First slice of the task in the slice columns, -1 when none (event-loop backend only). */
  firstSlice = new Int32Array(0);
  /** 1 when the task's start was reported (a task that ended without one is drawn from its end, and `start` holds that). */
  startSeen = new Uint8Array(0);
  readonly input = new PreviewColumn();
  readonly result = new PreviewColumn();
  errors = new Map<number, TaskError>();
  /** Named parts of a task's run time (distributed engines: Dask's transfer / deserialize / compute), by task index. */
  phases = new Map<number, TaskPhase[]>();

  /** Room the columns get at their next growth (a run's announced task count). */
  #wanted = 0;

  /**
   * Makes room for `n` tasks in total at once (a run's announced task count), instead of doubling step by
   * step — when the next task needs room: announcing a large run costs nothing before its tasks arrive.
   */
  reserve(n: number): void {
    if (n > this.#wanted) this.#wanted = n;
  }

  #growTo(n: number): void {
    this.run = grow(this.run, n);
    this.taskId = grow(this.taskId, n);
    this.queued = grow(this.queued, n);
    this.start = grow(this.start, n);
    this.end = grow(this.end, n);
    this.lane = grow(this.lane, n);
    this.fn = grow(this.fn, n);
    this.status = grow(this.status, n);
    this.cpuUs = grow(this.cpuUs, n);
    this.firstSlice = grow(this.firstSlice, n);
    this.startSeen = grow(this.startSeen, n);
  }

  add(runIndex: number, taskId: number): number {
    const i = this.count++;
    if (i >= this.run.length) {
      this.#growTo(Math.max(i + 1, this.#wanted));
    }
    this.run[i] = runIndex;
    this.taskId[i] = taskId;
    this.queued[i] = NaN;
    this.start[i] = NaN;
    this.end[i] = NaN;
    this.lane[i] = NO_LANE;
    // fn, status (Queued) and startSeen start at 0: a task index is never reused, and the columns grow zeroed.
    this.cpuUs[i] = NaN;
    this.firstSlice[i] = -1;
    return i;
  }
}

/** On-thread slices of event-loop tasks, as columns; `nextOfTask` chains a task's slices. */
export class SliceColumns {
  count = 0;
  task = new Int32Array(0);
  start = new Float64Array(0);
  end = new Float64Array(0);
  nextOfTask = new Int32Array(0);

  add(task: number, start: number, end: number): number {
    const i = this.count++;
    if (i >= this.task.length) {
      this.task = grow(this.task, i + 1);
      this.start = grow(this.start, i + 1);
      this.end = grow(this.end, i + 1);
      this.nextOfTask = grow(this.nextOfTask, i + 1);
    }
    this.task[i] = task;
    this.start[i] = start;
    this.end[i] = end;
    this.nextOfTask[i] = -1;
    return i;
  }
}

/** A growable list of indices kept sorted by a key (start time), with the longest span seen, for culling. */
export class SortedSpans {
  items = new Int32Array(16);
  length = 0;
  sorted = true;
  maxSpan = 0;
  #lastKey = -Infinity;

  push(index: number, key: number, span: number): void {
    if (this.length >= this.items.length) this.items = grow(this.items, this.length + 1);
    this.items[this.length++] = index;
    if (key < this.#lastKey) this.sorted = false;
    else this.#lastKey = key;
    if (span > this.maxSpan) this.maxSpan = span;
  }

  noteSpan(span: number): void {
    if (span > this.maxSpan) this.maxSpan = span;
  }

  /** Restores order after out-of-order arrivals (rare: only replays and clock ties). */
  ensureSorted(keyOf: Float64Array): void {
    if (this.sorted) return;
    const view = Array.from(this.items.subarray(0, this.length));
    view.sort((a, b) => keyOf[a] - keyOf[b]);
    this.items.set(view);
    this.#lastKey = this.length ? keyOf[this.items[this.length - 1]] : -Infinity;
    this.sorted = true;
  }

  /** First position whose key is ≥ `key` (list must be sorted). */
  lowerBound(keyOf: Float64Array, key: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf[this.items[mid]] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** One worker of one run: a lane on the timeline. */
export interface WorkerLane {
  index: number;
  runIndex: number;
  workerId: number;
  name: string;
  pid: number;
  threadId: number;
  tid?: number;
  /** Run-clock µs when the worker reported ready, and how long it took to get there. */
  startT: number;
  startupUs: number;
  /** False when tasks referenced the worker before (or without) its `worker-start`. */
  known: boolean;
  /** Machine the worker ran on, when not the runner's own (distributed engines, imported traces). */
  host?: string;
  exit?: { t: number; reason: WorkerExitReason; code: number | null; signal: string | null };
  /** Task indices sorted by start. */
  tasks: SortedSpans;
  /** Slice indices sorted by start. */
  slices: SortedSpans;
  /** CPU samples of this lane's OS thread: [t, intervalUs, cpuUs] triples. */
  cpu: number[];
  /** Run-queue wait of each of those samples (`cpu-sample.waitUs`), NaN where not reported. */
  cpuWait: number[];
}

/**
 * The CPU time of one process's threads that ran no task — Node's libuv pool
 * (async crypto, zlib, fs), GC helper threads, the runner's own main thread —
 * from the `cpu-sample`s no worker lane claimed. The timeline draws them on an
 * "other threads of PID n" lane, so work that left the task's thread is seen
 * where it really ran.
 */
export interface OtherThreads {
  pid: number;
  /** One series per OS thread: [t, intervalUs, cpuUs] triples in time order. */
  series: number[][];
  /** Σ CPU µs of those threads. */
  cpuUs: number;
  /** The busiest 100 ms of the process's other threads together, in cores. */
  peakCores: number;
}

/**
 * A process's other threads are worth a lane of their own (and a counter track in exports) when they did
 * real work: at some moment this much of a core (libuv's pool running async crypto, a burst of GC) …
 */
export const OTHER_THREADS_PEAK_CORES = 0.5;
/** … or this much of a core on average over the run (the runner's own thread feeding a fast pool). */
export const OTHER_THREADS_MEAN_CORES = 0.25;

/** One run: its start/end events and what hangs off it. */
export interface RunInfo {
  index: number;
  runId: string;
  start?: RunStartEvent;
  end?: RunEndEvent;
  lastSeq: number;
  eventCount: number;
  /** Largest run-clock time seen: "now" for a live run. */
  lastT: number;
  /** Smallest run-clock time seen (normally the run-start's t). */
  firstT: number;
  lanes: number[];
  laneByWorker: Map<number, number>;
  /** Global task index by taskId: dense array for small ids, map for the rest. */
  taskByIdDense: Int32Array;
  taskByIdSparse: Map<number, number>;
  tasks: number;
  /** Tasks placed on a lane (drawn as bars). */
  bars: number;
  ok: number;
  failed: number;
  mainWaits: MainWaitEvent[];
  /** Captured output, capped (the details pane shows a task's lines). */
  logs: LogEvent[];
  /** cpu-sample events that matched no lane yet (tid unknown), replayed when a worker-start names the tid. */
  pendingCpu: { pid: number; tid: number; t: number; intervalUs: number; cpuUs: number; waitUs?: number }[];
  /** The machine's CPU use while the run's tasks were out (for the busy-machine check). */
  machine: MachineSampleEvent[];
  /** Bumped on every change (summaries are cached by it). */
  version: number;
  /**
   * While the model holds rows not folded yet (`addColumns(…, { defer: true })`): how busy each worker was,
   * coarse, from every row received (folded or not). Undefined once everything is folded.
   */
  sketch: RunSketch | undefined;
}

/** A run's received-but-not-folded view: per worker id a busy sketch, and how many tasks each function has. */
export interface RunSketch {
  lanes: Map<number, BusySketch>;
  /** Task-queued rows per function index (model.fnNames). */
  fnCounts: Map<number, number>;
}

/**
 * Events applied at once even while earlier rows wait to be folded: none of them reads or writes tasks, and
 * the lanes they create are created in arrival order anyway (the rows' task starts create theirs on arrival
 * too), so the coarse frame has its lanes and the folded model is the one folding on arrival gives.
 */
const EAGER_EVENTS: ReadonlySet<TraceEvent['type']> = new Set(['run-start', 'run-end', 'worker-start', 'worker-exit', 'log', 'main-wait', 'machine-sample']);
/** Rows folded between two looks at the clock (`foldPending` with a budget). */
const FOLD_CHUNK_ROWS = 8192;

/** A column batch received and not (wholly) folded yet; `row`, `next`, `pos` and the chunks say where the fold stands. */
interface PendingColumns {
  run: RunInfo;
  c: TraceColumns;
  packed: PackedText | undefined;
  fnOf: Int32Array;
  row: number;
  next: number;
  pos: number;
  inputChunk: number;
  resultChunk: number;
  /** Its eager event rows were applied when it arrived (skipped by the fold). */
  deferred: boolean;
}

/** Events received while rows were waiting (their order with those rows matters), folded in order. */
interface PendingEvents {
  events: TraceEvent[];
  at: number;
}

const MAX_LOGS_PER_RUN = 5000;
/** Tasks a run-start's inputsCount may reserve column room for. */
const MAX_RESERVE = 4_000_000;
const MAX_HOST_CHARS = 200;
/** Phases kept per task (Dask reports a handful; more is not a task stream). */
const MAX_PHASES_PER_TASK = 32;

/**
 * A task's phases as the model keeps them: well-formed entries only (name, finite start ≤ end),
 * at most MAX_PHASES_PER_TASK, sorted by start; undefined when none is left. Traces come from files
 * and other engines, so the shape is checked here, where it is stored.
 */
export function validPhases(raw: unknown): TaskPhase[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: TaskPhase[] = [];
  for (const p of raw) {
    if (out.length >= MAX_PHASES_PER_TASK) break;
    if (typeof p !== 'object' || p === null) continue;
    const { name, start, end } = p as Record<string, unknown>;
    if (typeof name !== 'string' || !name || typeof start !== 'number' || typeof end !== 'number') continue;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) continue;
    out.push({ name: name.slice(0, 40), start, end });
  }
  out.sort((a, b) => a.start - b.start);
  return out.length ? out : undefined;
}
/** Bin width for {@link OtherThreads.peakCores}. */
const PEAK_BIN_US = 100_000;
const DENSE_TASK_IDS = 1 << 24;

/** One task of one run as an object, as far as its events have been seen (built on demand by {@link TraceModel.taskRecord}). */
export interface TaskRecord {
  runId: string;
  taskId: number;
  fn: string;
  inputPreview: string;
  /** Run-clock µs of `task-queued` (undefined when that event was not seen). */
  queuedT?: number;
  startT?: number;
  endT?: number;
  workerId?: number;
  ok?: boolean;
  resultPreview?: string;
  error?: TaskError;
  cpuUs?: number;
  /** Named parts of the run time, as the engine reported them (Dask: transfer, deserialize, compute …). */
  phases?: TaskPhase[];
  /** On-thread slices [start, end] (event-loop backend). */
  slices: Array<[number, number]>;
}

export interface TraceModelOptions {
  /**
   * Drop events whose seq is not above the highest seq already seen for their
   * run (replays after a reload). Needs every run's events in seq order.
   * @default false
   */
  dedupeBySeq?: boolean;
}

/**
 * Runs, worker lanes, task and slice columns of a trace.
 *
 * @example
 * const model = new TraceModel();
 * pool.onTrace((batch) => { model.add(batch); render(summarizeRuns(model)); });
 */
export class TraceModel {
  readonly runs: RunInfo[] = [];
  readonly lanes: WorkerLane[] = [];
  readonly tasks = new TaskColumns();
  readonly slices = new SliceColumns();
  /** Function names; index 0 is "" (unknown). */
  readonly fnNames: string[] = [''];
  readonly #fnIndex = new Map<string, number>([['', 0]]);
  readonly #runByid = new Map<string, RunInfo>();
  /** Bumped on every accepted event batch. */
  version = 0;
  /** Events accepted in total. */
  events = 0;
  readonly #dedupe: boolean;
  /** Received and not folded yet, in arrival order (see addColumns' `defer`). */
  readonly #pending: (PendingColumns | PendingEvents)[] = [];
  readonly #otherCache = new WeakMap<RunInfo, { samples: RunInfo['pendingCpu']; n: number; value: OtherThreads[] }>();

  constructor(options: TraceModelOptions = {}) {
    this.#dedupe = options.dedupeBySeq ?? false;
  }

  runById(runId: string): RunInfo | undefined {
    return this.#runByid.get(runId);
  }

  /** Highest seq held per run (what `ready` tells the host). */
  lastSeqByRun(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const run of this.runs) out[run.runId] = run.lastSeq;
    return out;
  }

  /** Adds events; returns how many were new (and pushes those onto `accepted` when given). */
  add(batch: Iterable<TraceEvent>, accepted?: TraceEvent[]): number {
    let count = 0;
    for (const e of batch) {
      const run = this.#runOf(e.runId);
      if (e.seq <= run.lastSeq && this.#dedupe) continue;
      if (e.seq > run.lastSeq) run.lastSeq = e.seq;
      run.eventCount++;
      run.version++;
      count++;
      accepted?.push(e);
      if (this.#pending.length && !EAGER_EVENTS.has(e.type)) this.#deferEvent(run, e);
      else this.#apply(run, e);
    }
    if (count) {
      this.version++;
      this.events += count;
    }
    return count;
  }

  /**
   * Adds a batch of events in columns (src/common/trace-columns.ts), without
   * an object per task event. Same result as `add(expandTraceColumns(c))`,
   * deduplicated by seq the same way. Returns how many events were new.
   * With `packed` (checked by webview-protocol.ts parseToWebview) the batch's
   * text column is that packed text instead of `c.text`: the previews are kept
   * as slices of it (PreviewColumn), not cut into a string each.
   */
  addColumns(c: TraceColumns, packed?: PackedText, options: { defer?: boolean } = {}): number {
    const run = this.#runOf(c.runId);
    const { length, kind } = c;
    let first = 0;
    let next = 0;
    if (this.#dedupe && run.lastSeq >= c.firstSeq) {
      first = Math.min(length, run.lastSeq + 1 - c.firstSeq);
      for (let i = 0; i < first; i++) if (kind[i] === RowKind.Event) next++;
    }
    const count = length - first;
    if (count <= 0) return 0;
    // Packed text: row i's text is joined.slice(pos, ends[i]), pos the end of the previous row with text.
    const ends = packed?.ends;
    let pos = 0;
    if (ends) for (let i = 0; i < first && i < ends.length; i++) if (ends[i] !== -1) pos = ends[i];
    const p: PendingColumns = {
      run, c, packed, fnOf: new Int32Array(c.fns.length).fill(-1), row: first, next, pos, inputChunk: 0, resultChunk: 0,
      deferred: false,
    };
    if (options.defer || this.#pending.length) {
      // Folded later (foldPending), in order; the run's busy sketch and extent know the rows now.
      this.#sketchColumns(p);
      p.deferred = true;
      this.#pending.push(p);
    } else {
      this.#foldColumns(p, length);
    }
    const lastSeq = c.firstSeq + length - 1;
    if (lastSeq > run.lastSeq) run.lastSeq = lastSeq;
    run.eventCount += count;
    run.version++;
    this.version++;
    this.events += count;
    return count;
  }

  /** Rows or events received and not folded into the columns yet (see addColumns' `defer`). */
  get pending(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * Folds what addColumns deferred (and the events that came after it), in arrival order; with `budgetMs`, stops
   * once that much time has passed (between chunks of rows). Returns true when nothing is left. The columns are
   * then the same as if every batch had been folded on arrival.
   */
  foldPending(budgetMs = Infinity): boolean {
    const t0 = performance.now();
    while (this.#pending.length) {
      const p = this.#pending[0];
      let done: boolean;
      if ('c' in p) {
        this.#foldColumns(p, p.row + FOLD_CHUNK_ROWS);
        done = p.row >= p.c.length;
        p.run.version++;
      } else {
        const stop = Math.min(p.events.length, p.at + FOLD_CHUNK_ROWS);
        for (; p.at < stop; p.at++) {
          const e = p.events[p.at];
          const run = this.#runOf(e.runId);
          run.version++;
          this.#apply(run, e);
        }
        done = p.at >= p.events.length;
      }
      this.version++;
      if (done) this.#pending.shift();
      if (budgetMs !== Infinity && performance.now() - t0 >= budgetMs) break;
    }
    if (this.#pending.length) return false;
    for (const run of this.runs) {
      if (run.sketch) {
        run.sketch = undefined;
        run.version++;
      }
    }
    return true;
  }

  /** Folds p's rows up to `stop` (exclusive). */
  #foldColumns(p: PendingColumns, stop: number): void {
    const { run, c, packed, fnOf } = p;
    const { length, kind, taskId, t, ref, num, text, fns, events } = c;
    const ends = packed?.ends;
    const endsLength = ends ? ends.length : 0;
    const tasks = this.tasks;
    if (ends) {
      tasks.input.reserve(tasks.run.length);
      tasks.result.reserve(tasks.run.length);
    }
    const last = Math.min(length, stop);
    let pos = p.pos;
    let next = p.next;
    for (let i = p.row; i < last; i++) {
      let start = -1;
      let end = -1;
      if (i < endsLength && ends && ends[i] !== -1) {
        start = pos;
        end = pos = ends[i];
      }
      switch (kind[i]) {
        case RowKind.Queued:
        case RowKind.QueuedNum: {
          const f = ref[i];
          if (fnOf[f] < 0) fnOf[f] = this.#fnIndexOf(fns[f] ?? '');
          if (packed && kind[i] === RowKind.Queued) {
            const task = this.#taskQueued(run, taskId[i], t[i], fnOf[f], start < 0 ? '' : undefined);
            if (start >= 0) tasks.input.setPacked(task, p.inputChunk ||= tasks.input.addChunk(packed.joined), start, end);
          } else {
            this.#taskQueued(run, taskId[i], t[i], fnOf[f], kind[i] === RowKind.Queued ? text[i] ?? '' : String(num[i]));
          }
          break;
        }
        case RowKind.Started:
          this.#taskStart(run, taskId[i], t[i], ref[i]);
          break;
        case RowKind.EndedOk:
        case RowKind.EndedOkNum:
          if (packed && kind[i] === RowKind.EndedOk) {
            const task = this.#taskEnd(run, taskId[i], t[i], ref[i], true, start < 0 ? '' : undefined);
            if (start >= 0) tasks.result.setPacked(task, p.resultChunk ||= tasks.result.addChunk(packed.joined), start, end);
          } else {
            this.#taskEnd(run, taskId[i], t[i], ref[i], true, kind[i] === RowKind.EndedOk ? text[i] ?? '' : String(num[i]));
          }
          break;
        default: {
          const e = events[next++];
          // A deferred batch's eager events were applied when it arrived.
          if (!p.deferred || !EAGER_EVENTS.has(e.type)) this.#apply(run, e);
        }
      }
    }
    p.row = last;
    p.pos = pos;
    p.next = next;
  }

  #sketchOf(run: RunInfo): RunSketch {
    return (run.sketch ??= { lanes: new Map(), fnCounts: new Map() });
  }

  #laneSketch(run: RunInfo, sketch: RunSketch, workerId: number, t: number): BusySketch {
    let busy = sketch.lanes.get(workerId);
    if (busy) return busy;
    const laneIndex = run.laneByWorker.get(workerId);
    const lane = laneIndex === undefined ? undefined : this.lanes[laneIndex];
    const tasks = this.tasks;
    let origin = run.start ? run.start.t : t;
    if (lane?.tasks.length) origin = Math.min(origin, tasks.start[lane.tasks.items[0]]);
    busy = new BusySketch(origin, 1, sketchBinsFor(Math.max(run.start?.workers ?? 0, run.lanes.length, sketch.lanes.size + 1)));
    sketch.lanes.set(workerId, busy);
    // The lane's tasks folded before: the sketch stands for the whole lane.
    if (lane) {
      for (let k = 0; k < lane.tasks.length; k++) {
        const i = lane.tasks.items[k];
        busy.start(tasks.start[i]);
        if (tasks.status[i] === TaskStatus.Ok || tasks.status[i] === TaskStatus.Failed) busy.end(tasks.end[i], tasks.status[i] === TaskStatus.Failed);
      }
    }
    return busy;
  }

  /** A deferred batch: its task rows into the run's busy sketch and extent, its eager events applied. */
  #sketchColumns(p: PendingColumns): void {
    const { run, c, fnOf } = p;
    const { length, kind, t, ref, fns, events } = c;
    const sketch = this.#sketchOf(run);
    let next = p.next;
    let lo = Infinity;
    let hi = -Infinity;
    let lane: BusySketch | undefined;
    let laneWorker = NaN;
    /** Task-queued rows per function of the batch (fns index), added to the run's counts at the end. */
    const perFn = new Float64Array(fns.length);
    for (let i = p.row; i < length; i++) {
      const k = kind[i];
      const ti = t[i];
      if (k === RowKind.Event) {
        const e = events[next++];
        if (EAGER_EVENTS.has(e.type)) this.#apply(run, e);
        else this.#sketchEvent(run, e);
        continue;
      }
      if (ti < lo) lo = ti;
      if (ti > hi) hi = ti;
      if (k === RowKind.Queued || k === RowKind.QueuedNum) {
        const f = ref[i];
        // Function names get their index in arrival order, as the fold would give them.
        if (fnOf[f] < 0) fnOf[f] = this.#fnIndexOf(fns[f] ?? '');
        perFn[f]++;
        continue;
      }
      const w = ref[i];
      if (w !== laneWorker) {
        // A start creates its worker's lane (as #taskStart would): lanes keep their order of first appearance.
        if (k === RowKind.Started && !run.laneByWorker.has(w)) this.#laneOf(run, w);
        lane = this.#laneSketch(run, sketch, w, ti);
        laneWorker = w;
      } else if (k === RowKind.Started && !run.laneByWorker.has(w)) {
        this.#laneOf(run, w);
      }
      if (k === RowKind.Started) lane!.start(ti);
      else lane!.end(ti);
    }
    for (let f = 0; f < perFn.length; f++) if (perFn[f]) sketch.fnCounts.set(fnOf[f], (sketch.fnCounts.get(fnOf[f]) ?? 0) + perFn[f]);
    if (lo <= hi) {
      this.#noteTime(run, lo);
      this.#noteTime(run, hi);
    }
  }

  /** An event that waits for earlier rows: queued in order, and known to the run's sketch and extent now. */
  #deferEvent(run: RunInfo, e: TraceEvent): void {
    let last = this.#pending[this.#pending.length - 1];
    if (!last || 'c' in last) this.#pending.push((last = { events: [], at: 0 }));
    last.events.push(e);
    this.#sketchEvent(run, e);
  }

  #sketchEvent(run: RunInfo, e: TraceEvent): void {
    const sketch = this.#sketchOf(run);
    switch (e.type) {
      case 'task-queued': {
        const f = this.#fnIndexOf(e.fn);
        sketch.fnCounts.set(f, (sketch.fnCounts.get(f) ?? 0) + 1);
        this.#noteTime(run, e.t);
        break;
      }
      case 'task-start':
        this.#laneOf(run, e.workerId);
        this.#laneSketch(run, sketch, e.workerId, e.t).start(e.t);
        this.#noteTime(run, e.t);
        break;
      case 'task-end':
        if (e.workerId >= 0) this.#laneSketch(run, sketch, e.workerId, e.t).end(e.t, !e.ok);
        this.#noteTime(run, e.t);
        break;
      case 'task-slice':
        this.#laneOf(run, e.workerId);
        this.#noteTime(run, e.end);
        break;
      case 'cpu-sample':
        this.#noteTime(run, e.t);
        break;
    }
  }

  /** Global task index of (run, taskId), or -1. */
  taskIndex(run: RunInfo, taskId: number): number {
    if (taskId >= 0 && taskId < DENSE_TASK_IDS) {
      return taskId < run.taskByIdDense.length ? run.taskByIdDense[taskId] : -1;
    }
    return run.taskByIdSparse.get(taskId) ?? -1;
  }

  /** Global indices of a run's tasks, without visiting other runs' tasks. */
  *taskIndicesOf(run: RunInfo): Generator<number> {
    const dense = run.taskByIdDense;
    for (let id = 0; id < dense.length; id++) if (dense[id] >= 0) yield dense[id];
    yield* run.taskByIdSparse.values();
  }

  fnName(task: number): string {
    return this.fnNames[this.tasks.fn[task]];
  }

  /** Puts a lane's CPU samples in time order (one sampler sends them in order; a replay may not). */
  sortLaneSamples(lane: WorkerLane): void {
    const n = lane.cpu.length / 3;
    let sorted = true;
    for (let k = 1; k < n && sorted; k++) sorted = lane.cpu[k * 3] >= lane.cpu[k * 3 - 3];
    if (sorted) return;
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => lane.cpu[a * 3] - lane.cpu[b * 3]);
    lane.cpu = order.flatMap((k) => [lane.cpu[k * 3], lane.cpu[k * 3 + 1], lane.cpu[k * 3 + 2]]);
    lane.cpuWait = order.map((k) => lane.cpuWait[k]);
  }

  /**
   * Per process (by PID), the CPU of the run's threads that are not task threads: the samples no
   * `worker-start` claimed (while a run is live, a worker's first samples may sit here until it reports).
   */
  otherThreadsOf(run: RunInfo): OtherThreads[] {
    const samples = run.pendingCpu;
    const cached = this.#otherCache.get(run);
    if (cached && cached.samples === samples && cached.n === samples.length) return cached.value;
    const byPid = new Map<number, { threads: Map<number, number[]>; cpuUs: number; ticks: Map<number, number> }>();
    for (const s of samples) {
      let entry = byPid.get(s.pid);
      if (!entry) byPid.set(s.pid, (entry = { threads: new Map(), cpuUs: 0, ticks: new Map() }));
      let series = entry.threads.get(s.tid);
      if (!series) entry.threads.set(s.tid, (series = []));
      series.push(s.t, s.intervalUs, s.cpuUs);
      entry.cpuUs += s.cpuUs;
      // CPU per 100 ms of the run clock, all the process's other threads together: its busiest moment in cores.
      const bin = Math.floor(s.t / PEAK_BIN_US);
      entry.ticks.set(bin, (entry.ticks.get(bin) ?? 0) + s.cpuUs);
    }
    const value: OtherThreads[] = [...byPid].sort((a, b) => a[0] - b[0]).map(([pid, e]) => ({
      pid,
      series: [...e.threads.values()].map(sortTriples),
      cpuUs: e.cpuUs,
      peakCores: [...e.ticks.values()].reduce((m, v) => Math.max(m, v), 0) / PEAK_BIN_US,
    }));
    this.#otherCache.set(run, { samples, n: samples.length, value });
    return value;
  }

  /** The processes of a run whose other threads did real work (see {@link OTHER_THREADS_PEAK_CORES}). */
  notableOtherThreadsOf(run: RunInfo): OtherThreads[] {
    const from = run.start ? run.start.t : run.firstT;
    const wall = (run.end ? run.end.t : run.lastT) - from;
    return this.otherThreadsOf(run).filter((o) => o.peakCores >= OTHER_THREADS_PEAK_CORES || (wall > 0 && o.cpuUs / wall >= OTHER_THREADS_MEAN_CORES));
  }

  /** The lanes of a run's workers that reported `worker-start`, in order of first appearance. */
  workersOf(run: RunInfo): WorkerLane[] {
    return run.lanes.map((li) => this.lanes[li]).filter((lane) => lane.known);
  }

  /** Task `i` (a global task index) as an object; for exports and reports, not for hot paths. */
  taskRecord(i: number): TaskRecord {
    const t = this.tasks;
    const run = this.runs[t.run[i]];
    const status = t.status[i];
    const record: TaskRecord = { runId: run.runId, taskId: t.taskId[i], fn: this.fnName(i), inputPreview: t.input.get(i) ?? '', slices: [] };
    if (!Number.isNaN(t.queued[i])) record.queuedT = t.queued[i];
    if (!Number.isNaN(t.start[i]) && t.startSeen[i]) record.startT = t.start[i];
    if (status === TaskStatus.Ok || status === TaskStatus.Failed) {
      record.endT = t.end[i];
      record.ok = status === TaskStatus.Ok;
    }
    if (t.lane[i] >= 0) record.workerId = this.lanes[t.lane[i]].workerId;
    const result = t.result.get(i);
    if (result !== undefined) record.resultPreview = result;
    const error = t.errors.get(i);
    if (error) record.error = error;
    if (!Number.isNaN(t.cpuUs[i])) record.cpuUs = t.cpuUs[i];
    const phases = t.phases.get(i);
    if (phases) record.phases = phases;
    for (let k = t.firstSlice[i]; k >= 0; k = this.slices.nextOfTask[k]) record.slices.unshift([this.slices.start[k], this.slices.end[k]]);
    return record;
  }

  /** Every task of a run as an object, in task-id order. */
  taskRecordsOf(run: RunInfo): TaskRecord[] {
    return [...this.taskIndicesOf(run)].map((i) => this.taskRecord(i));
  }

  #runOf(runId: string): RunInfo {
    let run = this.#runByid.get(runId);
    if (!run) {
      run = {
        index: this.runs.length, runId, lastSeq: -1, eventCount: 0, lastT: 0, firstT: Infinity, lanes: [],
        laneByWorker: new Map(), taskByIdDense: new Int32Array(0), taskByIdSparse: new Map(),
        tasks: 0, bars: 0, ok: 0, failed: 0, mainWaits: [], logs: [], pendingCpu: [], machine: [], version: 0, sketch: undefined,
      };
      this.runs.push(run);
      this.#runByid.set(runId, run);
    }
    return run;
  }

  #taskOf(run: RunInfo, taskId: number): number {
    const existing = this.taskIndex(run, taskId);
    if (existing >= 0) return existing;
    const i = this.tasks.add(run.index, taskId);
    run.tasks++;
    if (taskId >= 0 && taskId < DENSE_TASK_IDS) {
      if (taskId >= run.taskByIdDense.length) {
        const next = new Int32Array(Math.max(taskId + 1, run.taskByIdDense.length * 2, 256)).fill(-1);
        next.set(run.taskByIdDense);
        run.taskByIdDense = next;
      }
      run.taskByIdDense[taskId] = i;
    } else {
      run.taskByIdSparse.set(taskId, i);
    }
    return i;
  }

  #laneOf(run: RunInfo, workerId: number): WorkerLane {
    const existing = run.laneByWorker.get(workerId);
    if (existing !== undefined) return this.lanes[existing];
    const lane: WorkerLane = {
      index: this.lanes.length, runIndex: run.index, workerId, name: `worker ${workerId}`,
      pid: run.start?.pid ?? 0, threadId: -1, startT: NaN, startupUs: 0, known: false,
      tasks: new SortedSpans(), slices: new SortedSpans(), cpu: [], cpuWait: [],
    };
    this.lanes.push(lane);
    run.lanes.push(lane.index);
    run.laneByWorker.set(workerId, lane.index);
    return lane;
  }

  #fnIndexOf(name: string): number {
    let i = this.#fnIndex.get(name);
    if (i === undefined) {
      i = this.fnNames.length;
      if (i >= 65535) return 0;
      this.fnNames.push(name);
      this.#fnIndex.set(name, i);
    }
    return i;
  }

  #noteTime(run: RunInfo, t: number): void {
    if (t > run.lastT) run.lastT = t;
    if (t < run.firstT) run.firstT = t;
  }

  #apply(run: RunInfo, e: TraceEvent): void {
    const tasks = this.tasks;
    switch (e.type) {
      case 'run-start':
        run.start = e;
        // Room for the run's tasks at once (a million tasks would otherwise be copied column by column as the
        // arrays double); bounded, since the count comes from the trace.
        if (Number.isInteger(e.inputsCount) && e.inputsCount > 0) this.tasks.reserve(this.tasks.count + Math.min(e.inputsCount, MAX_RESERVE));
        this.#noteTime(run, e.t);
        for (const li of run.lanes) if (!this.lanes[li].known) this.lanes[li].pid = e.pid;
        break;
      case 'run-end':
        run.end = e;
        this.#noteTime(run, e.t);
        break;
      case 'worker-start':
        this.#workerStart(run, e);
        break;
      case 'worker-exit': {
        const lane = this.#laneOf(run, e.workerId);
        lane.exit = { t: e.t, reason: e.reason, code: e.code, signal: e.signal };
        this.#noteTime(run, e.t);
        break;
      }
      case 'task-queued':
        this.#taskQueued(run, e.taskId, e.t, this.#fnIndexOf(e.fn), e.inputPreview ?? '');
        break;
      case 'task-start':
        this.#taskStart(run, e.taskId, e.t, e.workerId);
        break;
      case 'task-slice': {
        const i = this.#taskOf(run, e.taskId);
        const s = this.slices.add(i, e.start, e.end);
        // Chain at the head: order within a task does not matter for drawing.
        this.slices.nextOfTask[s] = tasks.firstSlice[i];
        tasks.firstSlice[i] = s;
        this.#laneOf(run, e.workerId).slices.push(s, e.start, e.end - e.start);
        this.#noteTime(run, e.end);
        break;
      }
      case 'task-end':
        this.#taskEnd(run, e.taskId, e.t, e.workerId, e.ok, e.resultPreview, e.error, e.cpuUs, e.phases);
        break;
      case 'log':
        if (run.logs.length < MAX_LOGS_PER_RUN) run.logs.push(e);
        this.#noteTime(run, e.t);
        break;
      case 'main-wait':
        run.mainWaits.push(e);
        this.#noteTime(run, e.start);
        this.#noteTime(run, e.end);
        break;
      case 'cpu-sample': {
        this.#noteTime(run, e.t);
        const lane = this.#laneByTid(run, e.pid, e.tid);
        if (lane) {
          lane.cpu.push(e.t, e.intervalUs, e.cpuUs);
          lane.cpuWait.push(e.waitUs ?? NaN);
        }
        else if (run.pendingCpu.length < 100_000) run.pendingCpu.push(e);
        break;
      }
      case 'machine-sample':
        this.#noteTime(run, e.t);
        if (run.machine.length < 100_000) run.machine.push(e);
        break;
    }
  }

  /** Returns the task's index. `inputPreview` undefined: the caller sets it (a packed preview). */
  #taskQueued(run: RunInfo, taskId: number, t: number, fn: number, inputPreview: string | undefined): number {
    const tasks = this.tasks;
    const i = this.#taskOf(run, taskId);
    tasks.queued[i] = t;
    tasks.fn[i] = fn;
    if (inputPreview !== undefined) tasks.input.set(i, inputPreview);
    this.#noteTime(run, t);
    return i;
  }

  #taskStart(run: RunInfo, taskId: number, t: number, workerId: number): void {
    const tasks = this.tasks;
    const i = this.#taskOf(run, taskId);
    tasks.start[i] = t;
    tasks.startSeen[i] = 1;
    if (tasks.status[i] === TaskStatus.Queued) tasks.status[i] = TaskStatus.Running;
    const lane = this.#laneOf(run, workerId);
    if (tasks.lane[i] === NO_LANE) {
      tasks.lane[i] = lane.index;
      run.bars++;
      const end = tasks.end[i];
      lane.tasks.push(i, t, Number.isNaN(end) ? 0 : end - t);
    }
    this.#noteTime(run, t);
  }

  #taskEnd(
    run: RunInfo, taskId: number, t: number, workerId: number, ok: boolean, resultPreview?: string, error?: TaskError, cpuUs?: number,
    phases?: unknown,
  ): number {
    const tasks = this.tasks;
    const i = this.#taskOf(run, taskId);
    const prev = tasks.status[i];
    if (prev === TaskStatus.Ok) run.ok--;
    if (prev === TaskStatus.Failed) run.failed--;
    tasks.end[i] = t;
    tasks.status[i] = ok ? TaskStatus.Ok : TaskStatus.Failed;
    if (ok) run.ok++;
    else run.failed++;
    if (resultPreview !== undefined) tasks.result.set(i, resultPreview);
    if (error) tasks.errors.set(i, error);
    if (cpuUs !== undefined) tasks.cpuUs[i] = cpuUs;
    const checked = validPhases(phases);
    if (checked) tasks.phases.set(i, checked);
    if (tasks.lane[i] !== NO_LANE) {
      this.lanes[tasks.lane[i]].tasks.noteSpan(t - tasks.start[i]);
    } else if (workerId >= 0) {
      // Ended without a start (e.g. a crash before it was reported running): place it on its worker's lane.
      const lane = this.#laneOf(run, workerId);
      tasks.lane[i] = lane.index;
      run.bars++;
      if (Number.isNaN(tasks.start[i])) tasks.start[i] = t;
      lane.tasks.push(i, tasks.start[i], t - tasks.start[i]);
    }
    // Otherwise it never reached a worker (refused by a full queue, cancelled while queued, a broken pool):
    // counted with its run, drawn on no lane (workerId -1 is no worker).
    this.#noteTime(run, t);
    return i;
  }

  #workerStart(run: RunInfo, e: WorkerStartEvent): void {
    const lane = this.#laneOf(run, e.workerId);
    lane.name = e.name;
    lane.pid = e.pid;
    lane.threadId = e.threadId;
    lane.tid = e.tid;
    lane.startT = e.t;
    lane.startupUs = e.startupUs;
    lane.known = true;
    if (typeof e.host === 'string' && e.host) lane.host = e.host.slice(0, MAX_HOST_CHARS);
    this.#noteTime(run, e.t);
    if (run.pendingCpu.length) {
      const tid = e.tid ?? e.threadId;
      run.pendingCpu = run.pendingCpu.filter((s) => {
        if (s.pid !== e.pid || s.tid !== tid) return true;
        lane.cpu.push(s.t, s.intervalUs, s.cpuUs);
        lane.cpuWait.push(s.waitUs ?? NaN);
        return false;
      });
    }
  }

  #laneByTid(run: RunInfo, pid: number, tid: number): WorkerLane | undefined {
    for (const li of run.lanes) {
      const lane = this.lanes[li];
      if (lane.known && (lane.tid ?? lane.threadId) === tid && lane.pid === pid) return lane;
    }
    return undefined;
  }

  /**
   * The events task `i` (a global task index) stands for, as far as seen: task-queued, task-start, task-end
   * (result, error, CPU time; its phases with `withPhases`), with `seq` 0 (callers number them). Slices are
   * not included (see eventsOf).
   */
  taskEventsAt(i: number, runId: string, withPhases = false): (TaskQueuedEvent | TaskStartEvent | TaskEndEvent)[] {
    const out: (TaskQueuedEvent | TaskStartEvent | TaskEndEvent)[] = [];
    const t = this.tasks;
    const taskId = t.taskId[i];
    const lane = t.lane[i];
    const workerId = lane >= 0 ? this.lanes[lane].workerId : NO_LANE;
    if (!Number.isNaN(t.queued[i])) {
      out.push({ type: 'task-queued', runId, seq: 0, t: t.queued[i], taskId, fn: this.fnName(i), inputPreview: t.input.get(i) ?? '' });
    }
    if (t.startSeen[i] && lane >= 0) out.push({ type: 'task-start', runId, seq: 0, t: t.start[i], taskId, workerId });
    const status = t.status[i];
    if (status === TaskStatus.Ok || status === TaskStatus.Failed) {
      const end: TaskEndEvent = { type: 'task-end', runId, seq: 0, t: t.end[i], taskId, workerId, ok: status === TaskStatus.Ok };
      const result = t.result.get(i);
      if (result !== undefined) end.resultPreview = result;
      const error: TaskError | undefined = t.errors.get(i);
      if (error) end.error = error;
      if (!Number.isNaN(t.cpuUs[i])) end.cpuUs = t.cpuUs[i];
      const phases = withPhases ? t.phases.get(i) : undefined;
      if (phases) end.phases = phases;
      out.push(end);
    }
    return out;
  }

  /**
   * Rebuilds trace events for a run from the columns (export, persisted
   * state, statistics). Sequence numbers are renumbered; everything the
   * timeline keeps is preserved.
   */
  eventsOf(run: RunInfo): TraceEvent[] {
    const out: TraceEvent[] = [];
    const runId = run.runId;
    let seq = 0;
    const push = (e: object) => {
      out.push({ ...e, runId, seq: seq++ } as unknown as TraceEvent);
    };
    if (run.start) push({ ...run.start });
    const timed: { t: number; e: object }[] = [];
    for (const li of run.lanes) {
      const lane = this.lanes[li];
      if (lane.known) {
        const ws: Record<string, unknown> = {
          type: 'worker-start', t: lane.startT, workerId: lane.workerId, name: lane.name, pid: lane.pid,
          threadId: lane.threadId, startupUs: lane.startupUs,
        };
        if (lane.tid !== undefined) ws.tid = lane.tid;
        if (lane.host !== undefined) ws.host = lane.host;
        timed.push({ t: lane.startT, e: ws });
      }
      if (lane.exit) {
        timed.push({
          t: lane.exit.t,
          e: { type: 'worker-exit', t: lane.exit.t, workerId: lane.workerId, code: lane.exit.code, signal: lane.exit.signal, reason: lane.exit.reason },
        });
      }
      for (let k = 0; k + 2 < lane.cpu.length; k += 3) {
        timed.push({ t: lane.cpu[k], e: { type: 'cpu-sample', t: lane.cpu[k], pid: lane.pid, tid: lane.tid ?? lane.threadId, intervalUs: lane.cpu[k + 1], cpuUs: lane.cpu[k + 2], ...(Number.isNaN(lane.cpuWait[k / 3]) ? {} : { waitUs: lane.cpuWait[k / 3] }) } });
      }
    }
    for (const i of this.taskIndicesOf(run)) {
      const events = this.taskEventsAt(i, runId, true);
      const end = events.at(-1)?.type === 'task-end' ? events.pop() : undefined;
      for (const e of events) timed.push({ t: e.t, e });
      const taskId = this.tasks.taskId[i];
      const laneIndex = this.tasks.lane[i];
      const workerId = laneIndex >= 0 ? this.lanes[laneIndex].workerId : -1;
      for (let s = this.tasks.firstSlice[i]; s >= 0; s = this.slices.nextOfTask[s]) {
        timed.push({ t: this.slices.end[s], e: { type: 'task-slice', taskId, workerId, start: this.slices.start[s], end: this.slices.end[s] } });
      }
      if (end) timed.push({ t: end.t, e: end });
    }
    // Samples of threads that ran no task (the "other threads" lanes) are kept too.
    for (const c of run.pendingCpu) timed.push({ t: c.t, e: { type: 'cpu-sample', ...c } });
    for (const w of run.mainWaits) timed.push({ t: w.end, e: { ...w } });
    for (const m of run.machine) timed.push({ t: m.t, e: { ...m } });
    for (const l of run.logs) timed.push({ t: l.t, e: { ...l } });
    timed.sort((a, b) => a.t - b.t);
    for (const { e } of timed) push(e);
    if (run.end) push({ ...run.end });
    return out;
  }
}

/** [t, a, b] triples sorted by t (one sampler sends them in order; a merged replay may not). */
function sortTriples(series: number[]): number[] {
  let sorted = true;
  for (let k = 3; k < series.length && sorted; k += 3) sorted = series[k] >= series[k - 3];
  if (sorted) return series;
  const order = Array.from({ length: series.length / 3 }, (_, k) => k).sort((a, b) => series[a * 3] - series[b * 3]);
  return order.flatMap((k) => [series[k * 3], series[k * 3 + 1], series[k * 3 + 2]]);
}
