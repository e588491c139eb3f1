/**
 * Named errors of the engine. Every error a task can reject with has a stable
 * `name` (tests and callers match on it, never on message text) and, where it
 * helps, structured `data` (exit code, signal, pid …) that survives JSON.
 *
 * Errors thrown by user code inside a worker cross the boundary as
 * `SerializedError` and are rebuilt with their own name, message and stack.
 */
import type { SerializedError } from './types.js';

/** Stable names of the engine's own errors. */
export const ErrorNames = {
  WorkerCrashed: 'WorkerCrashed',
  TaskTimeout: 'TaskTimeout',
  PoolBroken: 'PoolBroken',
  PoolClosed: 'PoolClosed',
  PoolTerminated: 'PoolTerminated',
  QueueFull: 'QueueFull',
  NotExported: 'NotExported',
  NotAFunction: 'NotAFunction',
  SerializationError: 'SerializationError',
  CancelledError: 'CancelledError',
  /** A task threw something that is not an Error (a string, a number …). */
  ThrownValue: 'ThrownValue',
  /** A task went past its worker's memory limit (heap, ArrayBuffers and Buffers, or a process worker's RSS). */
  MemoryLimitExceeded: 'MemoryLimitExceeded',
  /** Task code tried to signal a process that started the run (the runner's parent, or every process: pid −1). */
  KillRefused: 'KillRefused',
} as const;

export type EngineErrorName = typeof ErrorNames[keyof typeof ErrorNames];

/** An engine error: `name` is one of `ErrorNames`, `data` holds JSON-safe details. */
export class PoolError extends Error {
  override name: string;
  readonly data: Record<string, unknown> | undefined;

  constructor(name: string, message: string, data?: Record<string, unknown>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.data = data;
  }
}

/** Identity of the worker an error happened on. */
export interface WorkerIdentity {
  workerId: number;
  pid: number;
  threadId: number;
}

/** The worker running the task exited, was killed by a signal, ran out of memory or called process.exit. */
export function workerCrashed(info: WorkerIdentity & { exitCode: number | null; signal: string | null; detail?: string }): PoolError {
  const how = info.signal !== null ? `was killed by ${info.signal}` : `exited with code ${info.exitCode}`;
  const detail = info.detail ? ` (${info.detail})` : '';
  return new PoolError(ErrorNames.WorkerCrashed,
    `Worker ${info.workerId} (pid ${info.pid}, thread ${info.threadId}) ${how} while running this task${detail}`,
    { exitCode: info.exitCode, signal: info.signal, workerId: info.workerId, pid: info.pid, threadId: info.threadId });
}

/**
 * The task went past its worker's memory limit. `how`: what was counted and how it was stopped, e.g.
 * "heap 40 MiB + ArrayBuffers 30 MiB" or "RSS grew by 70 MiB; the worker was killed".
 */
export function memoryLimitExceeded(limitMb: number, how: string, worker?: WorkerIdentity): PoolError {
  return new PoolError(ErrorNames.MemoryLimitExceeded,
    `Task went past its worker's memory limit of ${limitMb} MiB (${how}); raise it with --max-memory (maxMemoryMb)`,
    { limitMb, ...worker });
}

export function taskTimeout(timeoutMs: number, worker?: WorkerIdentity): PoolError {
  return new PoolError(ErrorNames.TaskTimeout,
    `Task did not finish within ${timeoutMs} ms; its worker was stopped`,
    { timeoutMs, ...worker });
}

export function poolBroken(cause: unknown, failedStarts: number): PoolError {
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new PoolError(ErrorNames.PoolBroken,
    `Pool is broken: ${failedStarts} worker starts in a row failed before completing a task (${reason})`,
    { failedStarts }, cause);
}

/** Like Python's `ValueError: Pool not running`. */
export function poolClosed(): PoolError {
  return new PoolError(ErrorNames.PoolClosed, 'Pool not running: it was closed or terminated and accepts no new tasks');
}

export function poolTerminated(): PoolError {
  return new PoolError(ErrorNames.PoolTerminated, 'Pool was terminated before this task finished');
}

export function queueFull(maxQueue: number): PoolError {
  return new PoolError(ErrorNames.QueueFull, `Task queue is full (maxQueue = ${maxQueue})`, { maxQueue });
}

export function notExported(fn: string, moduleUrl: string, exports: string[]): PoolError {
  return new PoolError(ErrorNames.NotExported,
    `'${fn}' is not an export of ${moduleUrl}. Only top-level exported functions can be sent to workers: ` +
    'a worker is a separate thread or process that loads the module itself and looks the function up by its export name ' +
    '(functions travel by reference, like pickle in Python), so closures, local and unexported functions cannot reach it. ' +
    `Exports: ${exports.length ? exports.join(', ') : '(none)'}`,
    { fn, module: moduleUrl });
}

export function notAFunction(fn: string, moduleUrl: string, actualType: string): PoolError {
  return new PoolError(ErrorNames.NotAFunction,
    `Export '${fn}' of ${moduleUrl} is a ${actualType}, not a function`, { fn, module: moduleUrl, type: actualType });
}

export function serializationError(what: 'argument' | 'result', detail: string): PoolError {
  // The detail names the value (a function's whole source, at times): one line, bounded.
  const oneLine = detail.replace(/\s+/g, ' ');
  return new PoolError(ErrorNames.SerializationError,
    `Task ${what} cannot be copied: every backend, serial too, passes ${what}s by structured clone (no functions or symbols; ` +
    `class instances arrive as plain objects): ${oneLine.length > 160 ? `${oneLine.slice(0, 159)}…` : oneLine}`,
    { what });
}

export function cancelledError(): PoolError {
  return new PoolError(ErrorNames.CancelledError, 'Task was cancelled');
}

/**
 * Turns anything thrown into a wire-safe error. Non-Error throws get the name
 * `ThrownValue` so every failure has a name.
 */
/** Causes followed when serializing (`cause` chains can be cyclic). */
const MAX_CAUSE_DEPTH = 8;

export function serializeError(thrown: unknown, depth = 0): SerializedError {
  if (thrown instanceof Error || (typeof thrown === 'object' && thrown !== null && 'message' in thrown && 'stack' in thrown)) {
    const err = thrown as Error & Record<string, unknown>;
    const out: SerializedError = { name: String(err.name ?? 'Error'), message: String(err.message ?? '') };
    if (typeof err.stack === 'string') out.stack = err.stack;
    const data = jsonSafeFields(err);
    if (data) out.data = data;
    // `cause` is an own, non-enumerable field: jsonSafeFields does not see it.
    if (err.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(err.cause, depth + 1);
    return out;
  }
  let text: string;
  try {
    text = typeof thrown === 'string' ? thrown : JSON.stringify(thrown) ?? String(thrown);
  } catch {
    text = String(thrown);
  }
  return { name: ErrorNames.ThrownValue, message: `Task threw a non-Error value: ${text}`, data: { value: text } };
}

/** Own enumerable primitive fields (code, errno, exitCode …) plus the fields of a `data` object, JSON-safe. */
function jsonSafeFields(err: Record<string, unknown>): Record<string, unknown> | undefined {
  let data: Record<string, unknown> | undefined;
  for (const key of Object.keys(err)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    const value = err[key];
    const t = typeof value;
    if (t === 'string' || t === 'number' || t === 'boolean' || value === null) {
      (data ??= {})[key] = value;
    } else if (key === 'data' && t === 'object') {
      try {
        Object.assign((data ??= {}), JSON.parse(JSON.stringify(value)));
      } catch { /* not JSON-safe: dropped */ }
    }
  }
  return data;
}

/** Rebuilds a remote error: its own name, message and stack (the local stack is meaningless here). */
export function deserializeError(wire: SerializedError): PoolError {
  const err = new PoolError(wire.name, wire.message, wire.data);
  err.stack = wire.stack ?? `${wire.name}: ${wire.message}`;
  if (wire.cause) Object.defineProperty(err, 'cause', { value: deserializeError(wire.cause), writable: true, configurable: true });
  // Fields such as `code` stay readable where callers look for them (err.code), as on the original.
  if (wire.data) {
    for (const [key, value] of Object.entries(wire.data)) {
      if (!(key in err)) (err as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return err;
}

/** The wire form of an engine error (for trace events). */
export function errorToWire(err: unknown): SerializedError {
  return serializeError(err);
}
