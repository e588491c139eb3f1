/**
 * Bounded waits. Timeouts in this API are milliseconds (Python's are seconds);
 * `undefined` means wait as long as it takes. A timed-out wait never stops the
 * work it waited for.
 */
import { TimeoutError } from './errors.js';

/** Validates a user-supplied timeout (ms): undefined, or a finite number ≥ 0. */
export function checkTimeout(timeout: number | undefined): number | undefined {
  if (timeout === undefined || timeout === null) return undefined;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`timeout must be a number of milliseconds ≥ 0, got ${String(timeout)}`);
  }
  return timeout === Infinity ? undefined : timeout;
}

/** Resolves to true once `promise` settles, or false when `timeout` ms pass first. Never rejects. */
export async function settlesWithin(promise: Promise<unknown>, timeout: number | undefined): Promise<boolean> {
  const settled = promise.then(() => true, () => true);
  if (timeout === undefined) return settled;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => { timer = setTimeout(resolve, timeout, false); });
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** `promise`'s outcome, or a `TimeoutError` (described by `what`) when `timeout` ms pass first. */
export async function within<T>(promise: Promise<T>, timeout: number | undefined, what: string): Promise<T> {
  if (!(await settlesWithin(promise, timeout))) {
    throw new TimeoutError(`${what}: no result within ${timeout} ms (the task keeps running)`, timeout ?? 0);
  }
  return promise;
}
