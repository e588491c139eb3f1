/**
 * Errors the Python-shaped API raises itself. Each has a stable `name` (tests
 * and users match on the name, never on the message) and mirrors the Python
 * exception a `multiprocessing` / `concurrent.futures` user already knows.
 *
 * The engine's own errors (`WorkerCrashed`, `TaskTimeout`, `PoolBroken`,
 * `PoolClosed`, …) are re-exported by `index.ts` unchanged.
 */

/** Base class of the errors defined by the API layer. */
export class PoolScopeApiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A wait with a `timeout` ran out before the result was ready — Python's
 * `multiprocessing.TimeoutError` / `concurrent.futures.TimeoutError`.
 * The task itself keeps running: only the wait gave up.
 */
export class TimeoutError extends PoolScopeApiError {
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

/** The future was cancelled before it ran — Python's `concurrent.futures.CancelledError`. */
export class CancelledError extends PoolScopeApiError {}

/**
 * The object is not in a state that allows the call — e.g. `successful()` on an
 * `AsyncResult` that is not ready (Python raises `ValueError` there) or
 * `join()` on a pool that is still running.
 */
export class InvalidStateError extends PoolScopeApiError {}

/**
 * A function handed to the pool is not a top-level export of the pool's task
 * module. Functions travel by reference, like pickle: the worker imports the
 * same module and calls the export by name, so only exported functions can be
 * sent.
 */
export class NotExported extends PoolScopeApiError {
  /** The function's own name (may be empty for anonymous functions). */
  readonly fnName: string;
  /** The module that was searched (file URL). */
  readonly module: string;
  constructor(message: string, fnName: string, module: string) {
    super(message);
    this.fnName = fnName;
    this.module = module;
  }
}

/** No task module is known: pass `{ module: import.meta.url }` (or run the file through PoolScope's runner). */
export class NoTaskModule extends PoolScopeApiError {}

/**
 * A pool or executor was created inside a pool worker. Workers import the task
 * module, so unguarded top-level code that creates a pool would run again in
 * every worker and start pools of pools without end. Python refuses the same
 * ("daemonic processes are not allowed to have children"); guard the main part
 * with `if (!workerIdentity())` (Python's `if __name__ == '__main__'`), or put it in
 * `export default async function main()` and run the file with PoolScope.
 */
export class PoolInWorker extends PoolScopeApiError {}
