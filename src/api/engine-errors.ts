/**
 * The engine's named errors as the API raises them on its own side (before a
 * task reaches the engine), so a caller sees one `name` whichever side noticed.
 */
import { ErrorNames, PoolError } from '../pool/errors.js';

/** `PoolClosed` — Python's `ValueError: Pool not running` / executor `RuntimeError` after shutdown. */
export function closedError(detail: string): PoolError {
  return new PoolError(ErrorNames.PoolClosed, `Pool not running: ${detail}`);
}

/** `PoolTerminated` — the pool was terminated before the task could run. */
export function terminatedError(detail: string): PoolError {
  return new PoolError(ErrorNames.PoolTerminated, `Pool was terminated: ${detail}`);
}
