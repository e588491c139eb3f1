/**
 * `currentProcess()` and `currentThread()`: who is running this code, named the
 * way Python names it — so the seed's demonstration works as is: tasks on a
 * thread pool all print the main program's PID and `MainProcess`, tasks on a
 * process pool print one PID and `SpawnProcess-N` per worker.
 *
 * Inside a pool worker the engine's worker runtime publishes
 * `globalThis[Symbol.for('poolscope.worker')]`; elsewhere this is the main
 * program.
 */
import { threadId } from 'node:worker_threads';
import type { NodeBackend } from '../trace/events.js';
import { osThreadId } from '../pool/os-thread.js';

/** What the engine's worker runtime publishes about the worker it runs in. */
export interface WorkerIdentity {
  workerId: number;
  name: string;
  backend: NodeBackend;
  pid: number;
  threadId: number;
}

/** The process running the caller — Python's `multiprocessing.current_process()`. */
export interface ProcessInfo {
  /** OS process id. */
  pid: number;
  /** `MainProcess` in the main program and in thread workers; the worker's name in a process worker. */
  name: string;
}

/** The thread running the caller — Python's `threading.current_thread()`. */
export interface ThreadInfo {
  /** Node's `threadId` (0 for a process's main thread). */
  ident: number;
  /** OS thread id (Linux), like Python's `threading.get_native_id()`; `undefined` where unknown. */
  nativeId: number | undefined;
  /** `MainThread` in the main program and in process workers; the worker's name in a thread worker. */
  name: string;
}

const WORKER_KEY = Symbol.for('poolscope.worker');

/** The worker this code runs in, or `undefined` in the main program (and on the serial backend). */
export function workerIdentity(): WorkerIdentity | undefined {
  return (globalThis as { [WORKER_KEY]?: WorkerIdentity })[WORKER_KEY];
}

/**
 * The current process, with a Python-like name.
 *
 * @example
 * ```ts
 * export async function title(url: string) {
 *   const p = currentProcess();
 *   console.log(`Getting title from ${url} PID: ${p.pid} ProcName: ${p.name}`);
 * }
 * ```
 */
export function currentProcess(): ProcessInfo {
  const worker = workerIdentity();
  const inProcessWorker = worker !== undefined && worker.backend === 'process';
  return { pid: process.pid, name: inProcessWorker ? worker.name : 'MainProcess' };
}

/**
 * The current thread, with a Python-like name.
 *
 * @example
 * ```ts
 * console.log(currentThread().name); // 'MainThread' in the main program, 'ThreadPoolExecutor-0_1' in a thread worker
 * ```
 */
export function currentThread(): ThreadInfo {
  const worker = workerIdentity();
  const inThreadWorker = worker !== undefined && worker.backend !== 'process' && worker.backend !== 'serial';
  return { ident: threadId, nativeId: nativeThreadId(), name: inThreadWorker ? worker.name : 'MainThread' };
}

function nativeThreadId(): number | undefined {
  const tid = osThreadId();
  return tid >= 0 ? tid : undefined;
}
