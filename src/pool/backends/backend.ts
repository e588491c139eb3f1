/**
 * The internal interface between the pool (queue, task bookkeeping, trace)
 * and a backend (what actually runs tasks). `PoolHost` is what the pool offers
 * a backend; `PoolBackend` is what every backend implements.
 */
import type { NodeBackend, UnstampedEvent, WorkerExitReason } from '../../trace/events.js';
import type { SerializedError } from '../types.js';
import type { Task } from '../task.js';

/** Options after defaults were applied. */
export interface ResolvedPoolOptions {
  backend: NodeBackend;
  workers: number;
  moduleUrl: string;
  timeout: number;
  maxTasksPerWorker: number;
  maxQueue: number;
  pipeline: number;
  trace: boolean;
  originUs: number;
  workerName: (i: number) => string;
  /** Memory limit per worker in MiB (0: none); resourceLimits and execArgv already carry its heap part. */
  maxMemoryMb: number;
  /** maxMemoryMb was given (not the default). */
  memoryLimitExplicit: boolean;
  resourceLimits: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number } | undefined;
  execArgv: string[] | undefined;
  maxLogBytesPerTask: number;
  /** serial: run the tasks on a worker thread of their own instead of the caller's thread. */
  serialThread: boolean;
}

export interface WorkerStartInfo {
  workerId: number;
  name: string;
  pid: number;
  threadId: number;
  tid: number;
  t: number;
  startupUs: number;
}

export interface PoolHost {
  readonly options: ResolvedPoolOptions;
  /** The pool's run id: workers' process marks derive from it (descendants.ts). */
  readonly runId: string;
  /** Whether trace events are recorded at all. */
  readonly tracing: boolean;
  /** µs since the run's origin. */
  now(): number;
  emit(event: UnstampedEvent): void;
  /** Next queued task (state becomes 'running'), or undefined. */
  take(): Task | undefined;
  readonly queued: number;
  /** Puts tasks back at the front of the queue, in order (their worker died before starting them). */
  requeue(tasks: Task[]): void;
  started(task: Task, workerId: number, t: number): void;
  /** `preview`: of an object result, made where the value was fresh; '' for a primitive (the trace sink previews it). */
  succeeded(task: Task, workerId: number, start: number, end: number, value: unknown, preview: string): void;
  /** `start` < 0: the task never started. */
  failed(task: Task, workerId: number, start: number, end: number, error: Error, wire?: SerializedError): void;
  workerStarted(info: WorkerStartInfo): void;
  workerExited(workerId: number, code: number | null, signal: string | null, reason: WorkerExitReason): void;
  log(taskId: number, workerId: number, stream: 1 | 2, t: number, text: string): void;
  slice(taskId: number, workerId: number, start: number, end: number): void;
  /** Start-up keeps failing: reject everything queued, refuse new work. The backend fails its own in-flight tasks. */
  broken(error: Error): void;
  /** Ask the pool to call `pump()` soon (e.g. a replacement worker came up). */
  schedulePump(): void;
  /**
   * A worker is gone: after `graceMs`, kill every process still carrying its mark (descendants.ts) — unless the
   * pool's own end sweep came first, which finds them too (they carry the pool's mark as well).
   */
  sweepWorkerMark(mark: string, sinceMs: number, graceMs: number): void;
}

export interface PoolBackend {
  /** Spawn workers (eagerly, so start-up cost shows on the timeline). */
  start(): void;
  /** Take queued tasks while there is capacity. */
  pump(): void;
  /** Stop a task that was handed to the backend (the pool rejects it with CancelledError). */
  cancel(task: Task): void;
  /**
   * Take back a task handed to the backend that has not started, if that can be done for sure (true: it will
   * never run; the pool rejects it). False when it started, or may be starting, and the backend cannot tell.
   */
  cancelPending?(task: Task): boolean;
  /** Every task settled: let workers exit cleanly; resolves when they are gone. */
  shutdown(): Promise<void>;
  /** Kill every worker now; in-flight tasks fail with `error`; resolves when they are gone. */
  terminate(error: Error): Promise<void>;
  /**
   * Whether the workers keep the process alive (Node's ref/unref). Off while the pool has nothing to do, so a
   * script that never closes its pool still ends, as Python's does; on while tasks are out and while closing.
   */
  keepAlive?(on: boolean): void;
}
