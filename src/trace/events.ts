/**
 * The trace-event contract shared by the engine, the runner, the CLI, the
 * extension host and the webview. See docs/architecture.md ("Trace events").
 *
 * Times (`t`, `start`, `end`) are microseconds on one monotonic clock shared by
 * every process of a run (CLOCK_MONOTONIC via `process.hrtime`), relative to
 * the run's origin (`run-start` has t = 0 unless the run joined a shared
 * clock, as in compare mode). Every event carries `runId` and a per-run `seq`
 * (0, 1, 2 … in emission order, no gaps) so a consumer can detect loss and
 * replay from a sequence number.
 */

/** The Node backends, in the order compare mode runs them. Descriptions and toggle order: src/common/backends.ts. */
export const NODE_BACKENDS = ['serial', 'event-loop', 'thread', 'process'] as const;
export type NodeBackend = typeof NODE_BACKENDS[number];

/** The Python backends (run by src/runner/python/). */
export const PYTHON_BACKENDS = ['py-serial', 'py-thread', 'py-process', 'py-mp-pool', 'py-thread-ft', 'py-dask'] as const;
export type PythonBackend = typeof PYTHON_BACKENDS[number];

/** Distributed engines for Node code (src/runner/bullmq/): BullMQ jobs on Redis, taken by PoolScope workers on any machine. */
export const DISTRIBUTED_NODE_BACKENDS = ['bullmq'] as const;
export type DistributedNodeBackend = typeof DISTRIBUTED_NODE_BACKENDS[number];

/** Where tasks run. The toggle. */
export type Backend = NodeBackend | PythonBackend | DistributedNodeBackend;

export interface EventBase {
  runId: string;
  seq: number;
}

export interface RunStartEvent extends EventBase {
  type: 'run-start';
  t: number;
  backend: Backend;
  workers: number;
  /** Export name of the task function (fn mode), when there is one. */
  fn?: string;
  /** Absolute path of the user's file, when there is one. */
  file?: string;
  inputsCount: number;
  /** `process.version` of the runtime that runs the tasks (or Python's version). */
  node: string;
  /** PID of the process that owns the pool (the runner). */
  pid: number;
  /** Absolute origin of this run's clock: CLOCK_MONOTONIC microseconds. */
  originUs: number;
  /** Free-form label (e.g. "compare 2/4"); shown in the timeline. */
  label?: string;
  /** Groups runs made by one `compare`. */
  compareId?: string;
  /** Machines that ran tasks, when the run spanned more than this one (distributed engines, imported traces). */
  hosts?: string[];
  /** Python runs: whether the interpreter ran with its GIL (`sys._is_gil_enabled()`; false only on a free-threaded build without it). */
  gil?: boolean;
  /** Cores this run could use (os.availableParallelism() of the pool's owner), for the ideal speed-up. */
  cores?: number;
}

export interface WorkerStartEvent extends EventBase {
  type: 'worker-start';
  t: number;
  workerId: number;
  /** Python-like worker name, e.g. "PoolWorker-1", "ThreadPoolExecutor-0_1". */
  name: string;
  pid: number;
  /** Node's threadId (0 = a process's main thread); Python: threading.get_native_id(). */
  threadId: number;
  /** OS thread id (Linux: from /proc/thread-self), so cpu-sample events can be matched to the lane. */
  tid?: number;
  /** Time from spawn to "ready" as measured by the pool. */
  startupUs: number;
  /** Machine the worker runs on (distributed engines); absent = the runner's own machine. */
  host?: string;
}

export interface TaskQueuedEvent extends EventBase {
  type: 'task-queued';
  t: number;
  taskId: number;
  fn: string;
  /** Short, human-readable preview of the arguments (≤ 120 chars). */
  inputPreview: string;
}

export interface TaskStartEvent extends EventBase {
  type: 'task-start';
  t: number;
  taskId: number;
  workerId: number;
}

/** When a task actually held its thread (event-loop backend). */
export interface TaskSliceEvent extends EventBase {
  type: 'task-slice';
  taskId: number;
  workerId: number;
  start: number;
  end: number;
}

export interface TaskError {
  /** Stable error name: the remote error's own name, or one of ours (WorkerCrashed, TaskTimeout, …). */
  name: string;
  message: string;
  /** Source-mapped stack (points at the user's .ts lines when run through the runner). */
  stack?: string;
  /** Extra structured fields (exit code, signal, pid, …) — JSON-safe. */
  data?: Record<string, unknown>;
  /** The error's `cause` (`new Error(msg, { cause })`), when it had one; chains up to 8 deep. */
  cause?: TaskError;
}

export interface TaskEndEvent extends EventBase {
  type: 'task-end';
  t: number;
  taskId: number;
  workerId: number;
  ok: boolean;
  resultPreview?: string;
  error?: TaskError;
  /** On-CPU time of the task, when measured. */
  cpuUs?: number;
  /** Named parts of the run time, as the engine reported them (Dask: deserialize, compute, transfer …). */
  phases?: TaskPhase[];
}

/** A named part of a task's run time, on the run clock. */
export interface TaskPhase {
  name: string;
  start: number;
  end: number;
}

export interface LogEvent extends EventBase {
  type: 'log';
  t: number;
  taskId?: number;
  workerId?: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export type WorkerExitReason = 'idle' | 'crash' | 'killed' | 'recycled' | 'timeout';

export interface WorkerExitEvent extends EventBase {
  type: 'worker-exit';
  t: number;
  workerId: number;
  code: number | null;
  signal: string | null;
  reason: WorkerExitReason;
}

/** A span on the main program's lane: the time the main program waited on the pool. */
export interface MainWaitEvent extends EventBase {
  type: 'main-wait';
  start: number;
  end: number;
  /** What it waited for, e.g. "pool.map(square) × 100" or "future.result()". */
  label: string;
}

/** On-CPU sample of one OS thread (from /proc); `cpuUs` is CPU time used since the previous sample. */
export interface CpuSampleEvent extends EventBase {
  type: 'cpu-sample';
  t: number;
  pid: number;
  tid: number;
  cpuUs: number;
  intervalUs: number;
  /** Time the thread was ready to run but waited for a CPU (Linux schedstat run-queue wait), when known. */
  waitUs?: number;
}

/**
 * The whole machine's CPU use over an interval (from /proc/stat) and the part of
 * it the run's own process tree used (runner, its workers, the runner's parent),
 * so `busyUs − ownUs` is what other programs took. Emitted by the runner every
 * ~100 ms while a run's tasks are out.
 */
export interface MachineSampleEvent extends EventBase {
  type: 'machine-sample';
  /** Run-clock µs of the read; the sample covers (t − intervalUs, t]. */
  t: number;
  intervalUs: number;
  /** CPUs the run could use (os.availableParallelism()). */
  cores: number;
  /** CPU time of all programs during the interval, summed over CPUs. */
  busyUs: number;
  /** CPU time of the run's own process tree during the interval. */
  ownUs: number;
}

export interface RunStats {
  wallUs: number;
  tasks: number;
  ok: number;
  failed: number;
  /** Σ task run time (start→end). */
  taskUs: number;
  pids: number[];
  threadIds: number[];
  workersStarted: number;
}

export interface RunEndEvent extends EventBase {
  type: 'run-end';
  t: number;
  stats: RunStats;
  /** Set when the run ended abnormally (stopped, broken pool, load error). */
  error?: TaskError;
}

export type TraceEvent =
  | RunStartEvent
  | WorkerStartEvent
  | TaskQueuedEvent
  | TaskStartEvent
  | TaskSliceEvent
  | TaskEndEvent
  | LogEvent
  | WorkerExitEvent
  | MainWaitEvent
  | CpuSampleEvent
  | MachineSampleEvent
  | RunEndEvent;

export type TraceEventType = TraceEvent['type'];

/** Events are delivered to subscribers in batches (never one callback per event). */
export type TraceListener = (batch: TraceEvent[]) => void;

/** Distributes Omit over the union so each member keeps its own fields. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the sink stamps `runId` and `seq` on it. */
export type UnstampedEvent = DistributiveOmit<TraceEvent, 'runId' | 'seq'>;
