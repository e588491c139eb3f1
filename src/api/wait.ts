/**
 * `wait()` and `asCompleted()`: Python's `concurrent.futures.wait` and
 * `as_completed`, over futures from any executors.
 */
import { TimeoutError } from './errors.js';
import { futureInternals, futureTask, type Future } from './future.js';
import { ArrivalQueue, Deadline, ResultIterator } from './result-iterator.js';
import { checkTimeout } from './timeouts.js';

/** `wait()` returns as soon as any future finishes or is cancelled. */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/** `wait()` returns as soon as any future fails (cancelled ones don't count); if none fails, like `ALL_COMPLETED`. */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/** `wait()` returns when every future is done. */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When `wait()` returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of {@link wait}. */
export interface WaitOptions {
  /** Return after this many milliseconds even if the condition is not met (no error). @default undefined (no limit) */
  timeout?: number;
  /** @default ALL_COMPLETED */
  returnWhen?: ReturnWhen;
}

/** What {@link wait} resolves to: the futures that are done, and those that are not. */
export interface DoneAndNotDone<T> {
  done: Set<Future<T>>;
  notDone: Set<Future<T>>;
}

/**
 * Waits for futures until `returnWhen` holds or `timeout` ms pass, and splits
 * them into done and not done. It never throws on timeout (Python neither).
 *
 * @example
 * ```ts
 * const { done, notDone } = await wait(futures, { returnWhen: FIRST_COMPLETED });
 * ```
 */
export async function wait<T>(futures: Iterable<Future<T>>, options: WaitOptions = {}): Promise<DoneAndNotDone<T>> {
  const list = [...new Set(futures)];
  const timeout = checkTimeout(options.timeout);
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (![FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED].includes(returnWhen)) {
    throw new RangeError(`wait(): returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${String(returnWhen)}`);
  }
  const failed = (f: Future<T>) => futureFailed(f);
  // Counted as they finish, not re-scanned each time (a scan per finished future is quadratic in their number).
  let doneCount = 0;
  let anyFailed = false;
  for (const f of list) {
    if (!f.done()) continue;
    doneCount++;
    if (failed(f)) anyFailed = true;
  }
  const satisfied = () => {
    if (returnWhen === FIRST_COMPLETED) return doneCount > 0;
    if (returnWhen === FIRST_EXCEPTION && anyFailed) return true;
    return doneCount === list.length;
  };
  if (list.length > 0 && !satisfied()) {
    const session = futureInternals(list[0] as Future<unknown>).session;
    const label = `wait(${list.length} futures, ${returnWhen})`;
    session.beginWait(label);
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        // One observer for every future, told by the engine as each settles (no closure or promise reaction per
        // future); only FIRST_EXCEPTION needs to know which one finished (failed, or cancelled?).
        const observe = (tag: unknown): void => {
          if (returnWhen === FIRST_EXCEPTION && failed(tag as Future<T>)) anyFailed = true;
          doneCount++;
          if (satisfied()) resolve();
        };
        for (const f of list) {
          if (!f.done() && !futureTask(f as Future<unknown>).observeSettle(observe, f)) observe(f);
        }
        if (timeout !== undefined) timer = setTimeout(resolve, timeout);
      });
    } finally {
      clearTimeout(timer);
      session.endWait();
    }
  }
  const done = new Set<Future<T>>();
  const notDone = new Set<Future<T>>();
  for (const f of list) (f.done() ? done : notDone).add(f);
  return { done, notDone };
}

/**
 * Yields the futures as they finish (finished ones first), whatever order they
 * were submitted in.
 * @param timeout milliseconds from the first `next()`; if some futures are still
 *   unfinished then, the iteration throws `TimeoutError`. @default undefined (no limit)
 * @example
 * ```ts
 * for await (const f of asCompleted(futures, 10_000)) console.log(await f.result());
 * ```
 */
export function asCompleted<T>(futures: Iterable<Future<T>>, timeout?: number): ResultIterator<Future<T>> {
  const list = [...new Set(futures)];
  const ms = checkTimeout(timeout);
  const label = `asCompleted(${list.length} futures)`;
  const session = list.length > 0 ? futureInternals(list[0] as Future<unknown>).session : undefined;
  // The deadline runs from the first next(), like Python's as_completed timeout from the first __next__.
  const q: ArrivalQueue<Future<T>> = new ArrivalQueue<Future<T>>(list.length, session, label,
    ms === undefined ? undefined : () => new Deadline(ms, label),
    (): TimeoutError => new TimeoutError(`asCompleted(): ${q.left} (of ${list.length}) futures unfinished after ${ms} ms`, ms ?? 0));
  // Finished ones first, then each as the engine reports it finished (the list holds each future once).
  const arrived = (tag: unknown): void => q.push(tag, false);
  for (const f of list) {
    if (f.done() || !futureTask(f as Future<unknown>).observeSettle(arrived, f)) q.push(f, false);
  }
  return new ResultIterator<Future<T>>(q);
}

function futureFailed<T>(f: Future<T>): boolean {
  return futureTask(f as Future<unknown>).state === 'failed';
}
