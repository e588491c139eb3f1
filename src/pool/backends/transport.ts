/**
 * A channel to one worker (a thread or a child process): what the shared
 * worker scheduling (worker-set.ts) needs from each kind of worker.
 */
import type { ToWorkerBatch, WorkerInit } from '../protocol.js';

export interface TransportEvents {
  /** A message from the worker, unchecked: task code can post too (decodeFromWorker checks it). */
  onBatch(batch: unknown): void;
  /** The worker is gone; called once, after every message it sent was delivered. */
  onExit(code: number | null, signal: string | null, error: Error | undefined): void;
  /** Raw output that bypassed the runtime's capture (process workers' stdout/stderr). */
  onOutput(stream: 1 | 2, text: string): void;
}

export interface WorkerTransport {
  /** Known at spawn for a process; the pool's own pid for a thread. */
  readonly pid: number;
  /** Node threadId as seen from the pool (0 for a process's main thread). */
  readonly threadId: number;
  /** Throws (DataCloneError …) when something in the batch cannot be sent. */
  send(batch: ToWorkerBatch): void;
  /** Throws when `batch` could not be sent; sends nothing. */
  check(batch: ToWorkerBatch): void;
  /** Thread workers: the claim cells shared with the worker (`WorkerInit.claims`). */
  readonly claims?: Int32Array;
  /** The task the worker is running and when it started, read from shared memory (thread workers only). */
  running?(): { taskId: number; t: number } | undefined;
  /** Process workers: the worker's resident memory now, bytes (−1 when it cannot be read). */
  rssBytes?(): number;
  /** Stop now: terminate the thread / SIGTERM the process group, SIGKILL after a grace period. */
  kill(): void;
  /** ref() / unref() every handle of this worker (thread; child process, its IPC channel and pipes). */
  keepAlive(on: boolean): void;
}

export type SpawnWorker = (init: WorkerInit, events: TransportEvents) => WorkerTransport;
