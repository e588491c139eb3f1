/**
 * Messages between the pool and its workers (thread and process backends).
 *
 * One union per direction. Each message is a small tuple whose first element
 * is an opcode, and every transfer carries a *batch* of them (one
 * `postMessage` / `process.send` per tick and direction), because per-message
 * overhead, not payload, dominates for small tasks. On the wire a batch is
 * flat: the tuples laid end to end in one array (each opcode has a fixed
 * arity), so cloning it allocates one array per batch instead of one per
 * message. Function names are sent once per worker (Define) and then referred
 * to by index. Times are plain numbers: microseconds since the run's origin.
 *
 * Both directions are decoded here and nowhere else: {@link decodeFromWorker}
 * (the pool reading a worker) and {@link decodeToWorker} (a worker reading
 * the pool) walk a batch, check each field of each message, and call the
 * receiver's method for it. User code runs in the workers and can post to the
 * pool itself (`parentPort.postMessage`, `process.send`), so a batch that is
 * not well-formed stops at the first bad message and comes back as a
 * {@link WorkerProtocolError}, never as a cast value. Type checks only: the
 * hot path stays a loop over an array.
 */
import type { NodeBackend } from '../trace/events.js';
import type { SerializedError } from './types.js';

/** Opcodes pool → worker. */
export const ToWorkerOp = {
  Run: 0,
  Cancel: 1,
  Close: 2,
  Define: 3,
} as const;

/**
 * Run the export whose name was defined with index `fn`, with `args`. `claim`: the task's cell in
 * `WorkerInit.claims` (thread workers), −1 when there is none.
 */
export type RunMessage = [op: typeof ToWorkerOp.Run, taskId: number, fn: number, args: unknown[], claim: number];
/** The next function index (0, 1, 2 … in order of definition) names export `name`. */
export type DefineMessage = [op: typeof ToWorkerOp.Define, name: string];
/** Skip the task if it has not started yet (a running task is stopped by killing the worker instead). */
export type CancelMessage = [op: typeof ToWorkerOp.Cancel, taskId: number];
/** Finish what was sent, flush, exit with code 0. */
export type CloseMessage = [op: typeof ToWorkerOp.Close];

export type ToWorkerMessage = RunMessage | CancelMessage | CloseMessage | DefineMessage;
/** Messages laid end to end: `[Run, 7, 0, [1], Run, 8, 0, [2], Close]`. */
export type ToWorkerBatch = ToWorkerMessage[number][];
/** Length of each message, by opcode. */
export const TO_WORKER_ARITY: readonly number[] = [5, 2, 1, 2];

/** Opcodes worker → pool. */
export const FromWorkerOp = {
  Ready: 0,
  Start: 1,
  Ok: 2,
  Error: 3,
  Log: 4,
  Slice: 5,
  Skipped: 6,
} as const;

/** The runtime is up and the task module loaded (loadError = null) or failed to load. */
export type ReadyMessage = [op: typeof FromWorkerOp.Ready, pid: number, threadId: number, tid: number, t: number, loadError: SerializedError | null];
/** A task started; sent on its own only when the task is likely to run long (else folded into Ok/Error). */
export type StartMessage = [op: typeof FromWorkerOp.Start, taskId: number, t: number];
/** `preview` is '' for a primitive value: the pool previews those itself. */
export type OkMessage = [op: typeof FromWorkerOp.Ok, taskId: number, start: number, end: number, value: unknown, preview: string];
export type ErrorMessage = [op: typeof FromWorkerOp.Error, taskId: number, start: number, end: number, error: SerializedError];
/** Captured console / stdout / stderr output; taskId −1 = not inside a task. stream 1 = stdout, 2 = stderr. */
export type LogMessage = [op: typeof FromWorkerOp.Log, taskId: number, stream: 1 | 2, t: number, text: string];
/** The task held the thread from start to end (event-loop backend). */
export type SliceMessage = [op: typeof FromWorkerOp.Slice, taskId: number, start: number, end: number];
/** A cancelled task was dropped before it started. */
export type SkippedMessage = [op: typeof FromWorkerOp.Skipped, taskId: number];

export type FromWorkerMessage = ReadyMessage | StartMessage | OkMessage | ErrorMessage | LogMessage | SliceMessage | SkippedMessage;
/** Messages laid end to end, like `ToWorkerBatch`. */
export type FromWorkerBatch = FromWorkerMessage[number][];
/** Length of each message, by opcode. */
export const FROM_WORKER_ARITY: readonly number[] = [6, 3, 6, 5, 5, 4, 2];

/** A batch between pool and worker that is not well-formed; `message` says which message and field. */
export class WorkerProtocolError extends Error {
  override name = 'WorkerProtocolError' as const;
}

/** What the pool does with each message of a worker's batch (see {@link decodeFromWorker}). */
export interface FromWorkerReceiver {
  ready(pid: number, threadId: number, tid: number, t: number, loadError: SerializedError | null): void;
  started(taskId: number, t: number): void;
  ok(taskId: number, start: number, end: number, value: unknown, preview: string): void;
  failed(taskId: number, start: number, end: number, error: SerializedError): void;
  log(taskId: number, stream: 1 | 2, t: number, text: string): void;
  slice(taskId: number, start: number, end: number): void;
  skipped(taskId: number): void;
}

/** What a worker does with each message of the pool's batch (see {@link decodeToWorker}). */
export interface ToWorkerReceiver {
  run(taskId: number, fn: number, args: unknown[], claim: number): void;
  define(name: string): void;
  cancel(taskId: number): void;
  close(): void;
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isWireError = (v: unknown): v is SerializedError => typeof v === 'object' && v !== null
  && typeof (v as SerializedError).name === 'string' && typeof (v as SerializedError).message === 'string';

/** The error for the message at `at` (only built on failure: the message is shown, cut short). */
function malformed(direction: string, batch: unknown, at: number, what: string, arity = 1): WorkerProtocolError {
  let shown: string;
  try {
    shown = JSON.stringify(Array.isArray(batch) ? batch.slice(at, at + arity) : batch) ?? String(batch);
  } catch {
    shown = String(batch);
  }
  return new WorkerProtocolError(`${direction} batch, message at ${at}: ${what}; got ${shown.length > 120 ? `${shown.slice(0, 119)}…` : shown}`);
}

/**
 * Decodes a batch a worker sent: for each message, checks its fields and
 * calls `to`'s method. Returns undefined when the whole batch was well-formed;
 * otherwise the messages before the first bad one were delivered and the rest
 * is dropped, and the error says what was wrong.
 */
export function decodeFromWorker(batch: unknown, to: FromWorkerReceiver): WorkerProtocolError | undefined {
  if (!Array.isArray(batch)) return malformed('worker → pool', batch, 0, 'a batch must be an array');
  const n = batch.length;
  for (let i = 0; i < n;) {
    const op = batch[i];
    const arity = typeof op === 'number' ? FROM_WORKER_ARITY[op] : undefined;
    if (arity === undefined) return malformed('worker → pool', batch, i, 'unknown opcode');
    if (i + arity > n) return malformed('worker → pool', batch, i, `opcode ${op} needs ${arity} elements`, arity);
    const a = batch[i + 1];
    const b = batch[i + 2];
    const c = batch[i + 3];
    switch (op) {
      case FromWorkerOp.Ok:
        if (!isId(a) || !isTime(b) || !isTime(c)) return malformed('worker → pool', batch, i, 'Ok needs a task id and two times', arity);
        if (typeof batch[i + 5] !== 'string') return malformed('worker → pool', batch, i, 'Ok needs a preview string', arity);
        to.ok(a, b, c, batch[i + 4], batch[i + 5] as string);
        break;
      case FromWorkerOp.Error:
        if (!isId(a) || !isTime(b) || !isTime(c)) return malformed('worker → pool', batch, i, 'Error needs a task id and two times', arity);
        if (!isWireError(batch[i + 4])) return malformed('worker → pool', batch, i, 'Error needs an error with name and message', arity);
        to.failed(a, b, c, batch[i + 4] as SerializedError);
        break;
      case FromWorkerOp.Start:
        if (!isId(a) || !isTime(b)) return malformed('worker → pool', batch, i, 'Start needs a task id and a time', arity);
        to.started(a, b);
        break;
      case FromWorkerOp.Log: {
        const text = batch[i + 4];
        if (!(a === -1 || isId(a))) return malformed('worker → pool', batch, i, 'Log needs a task id or -1', arity);
        if ((b !== 1 && b !== 2) || !isTime(c) || typeof text !== 'string') return malformed('worker → pool', batch, i, 'Log needs stream 1 or 2, a time and a text', arity);
        to.log(a, b, c, text);
        break;
      }
      case FromWorkerOp.Slice:
        if (!isId(a) || !isTime(b) || !isTime(c)) return malformed('worker → pool', batch, i, 'Slice needs a task id and two times', arity);
        to.slice(a, b, c);
        break;
      case FromWorkerOp.Skipped:
        if (!isId(a)) return malformed('worker → pool', batch, i, 'Skipped needs a task id', arity);
        to.skipped(a);
        break;
      case FromWorkerOp.Ready: {
        const t = batch[i + 4];
        const loadError = batch[i + 5];
        if (!isId(a) || !isId(b) || !(c === -1 || isId(c)) || !isTime(t)) return malformed('worker → pool', batch, i, 'Ready needs pid, threadId, tid and a time', arity);
        if (loadError !== null && !isWireError(loadError)) return malformed('worker → pool', batch, i, 'Ready needs a load error or null', arity);
        to.ready(a, b, c, t, loadError);
        break;
      }
    }
    i += arity;
  }
  return undefined;
}

/** Decodes a batch the pool sent, like {@link decodeFromWorker} in the other direction. */
export function decodeToWorker(batch: unknown, to: ToWorkerReceiver): WorkerProtocolError | undefined {
  if (!Array.isArray(batch)) return malformed('pool → worker', batch, 0, 'a batch must be an array');
  const n = batch.length;
  for (let i = 0; i < n;) {
    const op = batch[i];
    const arity = typeof op === 'number' ? TO_WORKER_ARITY[op] : undefined;
    if (arity === undefined) return malformed('pool → worker', batch, i, 'unknown opcode');
    if (i + arity > n) return malformed('pool → worker', batch, i, `opcode ${op} needs ${arity} elements`, arity);
    switch (op) {
      case ToWorkerOp.Run: {
        const taskId = batch[i + 1];
        const fn = batch[i + 2];
        const args = batch[i + 3];
        const claim = batch[i + 4];
        if (!isId(taskId) || !isId(fn) || !Array.isArray(args) || !(claim === -1 || isId(claim))) return malformed('pool → worker', batch, i, 'Run needs a task id, a function index, an argument array and a claim cell', arity);
        to.run(taskId, fn, args, claim);
        break;
      }
      case ToWorkerOp.Define:
        if (typeof batch[i + 1] !== 'string') return malformed('pool → worker', batch, i, 'Define needs a name', arity);
        to.define(batch[i + 1] as string);
        break;
      case ToWorkerOp.Cancel:
        if (!isId(batch[i + 1])) return malformed('pool → worker', batch, i, 'Cancel needs a task id', arity);
        to.cancel(batch[i + 1] as number);
        break;
      case ToWorkerOp.Close:
        to.close();
        break;
    }
    i += arity;
  }
  return undefined;
}

/** Splits a flat batch into its messages (slow paths and tests only; the hot paths index the array directly). */
export function splitBatch<M extends unknown[]>(batch: M[number][], arity: readonly number[]): M[] {
  const out: M[] = [];
  for (let i = 0; i < batch.length;) {
    const n = arity[batch[i] as number];
    out.push(batch.slice(i, i + n) as M);
    i += n;
  }
  return out;
}

/** How a worker runs what it is sent. */
export type ExecutionMode =
  /** One task at a time, in order (thread, process). */
  | 'sequential'
  /** Every task it is sent at once, interleaving at `await` (event-loop). */
  | 'concurrent';

/** Everything a worker needs to start: workerData (thread) or an environment variable (process). */
export interface WorkerInit {
  workerId: number;
  name: string;
  backend: NodeBackend;
  /** file:// URL of the task module. */
  moduleUrl: string;
  /** CLOCK_MONOTONIC µs of the run's t = 0. */
  originUs: number;
  mode: ExecutionMode;
  /** Record previews, log capture and (concurrent mode) task slices. */
  trace: boolean;
  maxLogBytesPerTask: number;
  /**
   * Memory limit in MiB (0: none): Buffers, ArrayBuffers and typed arrays are counted with the heap at the places
   * task code allocates them (memory.ts), and a task going past it fails with MemoryLimitExceeded.
   */
  memoryLimitMb: number;
  /** Process workers: the variable of this worker's own mark (descendants.ts), for its parent-death watchdog. */
  markVariable?: string;
  /** Process workers: run a parent-death watchdog thread (no pool sentinel covers this worker: mark-sentinel.ts). */
  parentWatchdog?: boolean;
  /** Thread workers: Int32Array memory where the worker records pids of child processes its tasks start. */
  childPids?: SharedArrayBuffer;
  /**
   * Thread workers: Float64Array(2) memory [taskId, start] of the task running now, written at each start.
   * The pool reads it to announce task-start live, so a thread worker sends no Start message at all.
   */
  running?: SharedArrayBuffer;
  /**
   * Thread workers: Int32Array cells deciding, exactly once, whether a task sent ahead runs or is cancelled. The
   * pool sets a task's cell (named in its Run message) to {@link Claim.Sent} when it sends it; before starting it
   * the worker swaps Sent → Started, and `cancelPending` swaps Sent → Cancelled: whichever comes first wins, so a
   * task cancelled while it waited behind another never runs, and one that has begun is never reported cancelled.
   * A cell is reused once its task was answered (more cells than tasks a worker holds).
   */
  claims?: SharedArrayBuffer;
}

/** Values of a `WorkerInit.claims` cell. */
export const Claim = {
  Sent: 0,
  Started: 1,
  Cancelled: 2,
} as const;

/** Reads `WorkerInit.running` consistently (the worker writes start, then taskId). */
export function readRunning(running: Float64Array): { taskId: number; t: number } | undefined {
  const id = running[0];
  const t = running[1];
  return id >= 0 && running[0] === id ? { taskId: id, t } : undefined;
}

/**
 * Exit code of a worker that ends itself because it still holds more than its memory limit after a task failed
 * with MemoryLimitExceeded (the task kept what it allocated): the pool recycles it, it did not crash.
 */
export const EXIT_MEMORY_RECYCLE = 75;

/** Environment variable that carries `WorkerInit` (JSON) to a forked worker. */
export const WORKER_INIT_ENV = 'POOLSCOPE_WORKER_INIT';

/** Key of the worker identity that task code can read (`currentProcess()` / `currentThread()`). */
export const WORKER_IDENTITY_KEY = Symbol.for('poolscope.worker');

/** What `globalThis[Symbol.for('poolscope.worker')]` holds inside a worker. */
export interface WorkerIdentityGlobal {
  workerId: number;
  name: string;
  backend: NodeBackend;
  pid: number;
  threadId: number;
}
