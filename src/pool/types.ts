/**
 * The engine's public shape. Everything above the engine (API, runner, CLI,
 * bench) programs against these types; backends implement `Backend`.
 */
import type { NodeBackend, TraceListener, TaskError, UnstampedEvent } from '../trace/events.js';
import type { TraceColumnsListener } from '../common/trace-columns.js';

export interface PoolOptions {
  /** Which backend runs the tasks. @default 'thread' */
  backend?: NodeBackend;
  /** Number of workers (event-loop: max tasks in flight on its one thread). @default os.availableParallelism() */
  workers?: number;
  /**
   * URL (file://…) or absolute path of the module whose exports are the tasks.
   * Workers `import()` it and call exports by name — functions travel by reference, like pickle.
   */
  module: string;
  /** Per-task timeout in ms; the work is really stopped (thread terminated / process group killed). */
  timeout?: number;
  /** Recycle a worker after it ran this many tasks (Python's maxtasksperchild). */
  maxTasksPerWorker?: number;
  /** Max tasks waiting in the queue; beyond it submit rejects with `QueueFull`. @default Infinity */
  maxQueue?: number;
  /** Tasks sent ahead to one worker before it reports back (pipelining). @default 16 for thread/process */
  pipeline?: number;
  /** Emit trace events. @default true */
  trace?: boolean;
  /** Run id stamped on every event. @default random */
  runId?: string;
  /** Clock origin (CLOCK_MONOTONIC µs) to share one time axis across runs (compare mode). @default now */
  originUs?: number;
  /** Worker name for worker i (1-based). @default `${backend}-worker-${i}` */
  workerName?: (i: number) => string;
  /**
   * Memory limit per worker in MiB; a task that goes past it fails with `MemoryLimitExceeded` and the pool goes on.
   * Counted: the V8 heap (thread/event-loop: `resourceLimits`; process: `--max-old-space-size`), plus Buffers,
   * ArrayBuffers and typed arrays where task code allocates them (memory.ts), plus, on process workers, what
   * the worker's RSS grew by since it was ready (read from /proc every 100 ms; Linux). Serial tasks on the
   * caller's thread: Buffers and ArrayBuffers only (the caller's heap is the caller's). 0: no limit.
   * @default half the machine's memory over the worker threads/processes, 256–2048 MiB each (memory.ts)
   */
  maxMemoryMb?: number;
  /** Thread backend: V8 heap limits per worker (default: from `maxMemoryMb`). */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  /** Process backend: extra execArgv for children (a --max-old-space-size here wins over the one `maxMemoryMb` adds). */
  execArgv?: string[];
  /** Extra fields for the `run-start` event. */
  runInfo?: { fn?: string; file?: string; inputsCount?: number; label?: string; compareId?: string };
  /** Max bytes of captured console output per task before it is truncated. @default 1 MiB */
  maxLogBytesPerTask?: number;
  /** Called once, right before `run-end` is emitted: the last chance to add events to the run (the API's main-lane span). */
  beforeRunEnd?: () => void;
  /**
   * serial backend: run the tasks one at a time on a worker thread of their own, under the same conditions as
   * one pool worker (cloned arguments and results, its own event loop), instead of on the caller's thread —
   * which also feeds IPC and trace. Compare uses it for a fair baseline. @default false
   */
  serialThread?: boolean;
}

export interface SubmitOptions {
  timeout?: number;
  signal?: AbortSignal;
}

/** A submitted task. `promise` settles exactly once. */
export interface TaskHandle<T = unknown> {
  readonly taskId: number;
  /**
   * The task's outcome. Made when first asked for (already settled if the task has): a task nobody asks a
   * promise of costs none, and its failure cannot become an unhandled rejection.
   */
  readonly promise: Promise<T>;
  /** 'queued' → 'running' → 'done' | 'failed' | 'cancelled' */
  readonly state: TaskState;
  /**
   * The task's code has begun: false while it is queued or only sent ahead to a busy worker (pipelined), true
   * from when its worker starts it. A task that has not started is never blamed for a worker's fault.
   */
  readonly started: boolean;
  /**
   * Cancels a queued task (true), or stops a running one by recycling its worker (true); false when already settled.
   * The promise rejects with `reason` when given (the API's own `CancelledError`), else the engine's `CancelledError`.
   */
  cancel(reason?: Error): boolean;
  /**
   * Cancels the task only if it has not started: queued, or sent ahead to a worker that has certainly not begun
   * it (thread and event-loop workers; the worker then skips it). False once it started or settled, and for a
   * task sent ahead to a ready process worker (it may be starting that very moment): a started task is left running.
   */
  cancelPending(reason?: Error): boolean;
  /**
   * Calls `observer(tag, outcome, failed)` once, synchronously, when the task settles: true. False, and no
   * call, if it has already settled. For callers that follow many tasks with one function (`asCompleted`,
   * `wait`, the runner): no closure, no promise and no reaction per task — the promise is made only if asked for.
   */
  observeSettle(observer: SettleObserver, tag: unknown): boolean;
}

/**
 * See {@link TaskHandle.observeSettle}: `outcome` is the value, or (`failed`) the error — a cancelled task's
 * `CancelledError` included.
 */
export type SettleObserver = (tag: unknown, outcome: unknown, failed: boolean) => void;

export type TaskState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Serialized form of an error that crossed a worker boundary. */
export type SerializedError = TaskError;

/**
 * A running pool. Created by `createPool(options)` (src/pool/pool.ts); the
 * API layer (src/api) and the runner build on this and nothing else.
 */
export interface PoolEngine {
  readonly runId: string;
  /** CLOCK_MONOTONIC µs of this run's t = 0. */
  readonly originUs: number;
  readonly backend: NodeBackend;
  /** Number of workers (event-loop: tasks in flight). */
  readonly size: number;
  /** The PoolBroken error once workers kept failing to start (every later submit fails with it), else undefined. */
  readonly brokenError: Error | undefined;
  /**
   * Queue a call of export `fn` of the pool's module with `args`. Throws PoolClosed after close()/terminate().
   * Every other refusal rejects the handle's promise instead: QueueFull (maxQueue reached), PoolBroken (workers
   * keep failing to start), SerializationError (an argument that can never be cloned, e.g. a function).
   */
  submit<T = unknown>(fn: string, args: unknown[], options?: SubmitOptions): TaskHandle<T>;
  /** Subscribe to trace events (batched). Returns an unsubscribe function. */
  onTrace(listener: TraceListener): () => void;
  /**
   * Subscribe to the same events as columns (src/common/trace-columns.ts): no object per task event, so this is
   * the cheap way to follow a large run; `expandTraceColumns` turns a batch into events. Returns an unsubscribe function.
   */
  onTraceColumns(listener: TraceColumnsListener): () => void;
  /**
   * Append an event to this run's stream: stamped with runId and the next seq, delivered in order with the
   * engine's own (used by the CPU sampler for `cpu-sample` events). Optional so that stand-ins need not have it.
   */
  emit?(event: UnstampedEvent): void;
  /** Record a span on the main program's lane (API: time spent awaiting the pool). */
  recordMainWait(startUs: number, endUs: number, label: string): void;
  /** Current time on this run's clock (µs since origin). */
  now(): number;
  /**
   * Called, synchronously, as the pool learns that a task which ran on worker `workerId` ended (its result or
   * error arrived), before the trace event is delivered. The CPU sampler reads the worker's thread at that
   * moment, so the thread going idle is not blurred into a longer sample. Keep it cheap: it runs once a task.
   * Optional so that stand-ins need not have it. Returns an unsubscribe function.
   */
  onTaskEnded?(listener: (workerId: number) => void): () => void;
  /** No new tasks; resolves once every submitted task settled and all workers exited. Emits run-end. */
  close(): Promise<void>;
  /** Stop now: queued and running tasks reject with PoolTerminated; workers killed. Emits run-end. */
  terminate(): Promise<void>;
}
