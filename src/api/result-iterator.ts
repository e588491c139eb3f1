/**
 * `ResultIterator`: the async iterable that `Pool.imap` / `imapUnordered`,
 * `Executor.map` and `asCompleted` return — Python's lazy result iterators,
 * consumed with `for await`. Node 20 has no `Array.fromAsync`, hence `toArray()`.
 */
import { TimeoutError } from './errors.js';
import type { PoolSession } from './pool-session.js';
import type { SubmittedTask } from './submitted-task.js';

/**
 * Results as they become available, one `await` at a time.
 *
 * @example
 * ```ts
 * for await (const y of pool.imapUnordered(square, [3, 1, 2])) console.log(y); // completion order
 * const all = await pool.imap(square, [1, 2, 3]).toArray();                    // [1, 4, 9]
 * ```
 */
export class ResultIterator<T> implements AsyncIterableIterator<T> {
  readonly #source: AsyncGenerator<T, void, undefined>;

  /** @internal */
  constructor(source: AsyncGenerator<T, void, undefined>) {
    this.#source = source;
  }

  /** The next result (rejects with the task's error, or `TimeoutError` where a timeout applies). */
  next(): Promise<IteratorResult<T>> {
    return this.#source.next();
  }

  /** Stops early (a `break` in `for await` calls this). */
  async return(): Promise<IteratorResult<T>> {
    return this.#source.return(undefined);
  }

  /** Makes it usable in `for await`. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Collects every remaining result, in iteration order. */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const value of this) out.push(value);
    return out;
  }
}

/** Yields each task's value in the order given; the main program's waits go on its lane as `label`. */
export async function* inOrder<T>(tasks: readonly SubmittedTask<T>[], session: PoolSession, label: string,
  deadline?: Deadline): AsyncGenerator<T, void, undefined> {
  for (const task of tasks) {
    // A result that is already in is yielded without a wait (and without a span on the main lane).
    if (task.settled) yield await task.promise;
    else yield await session.waitFor(deadline ? deadline.race(task.promise) : task.promise, label);
  }
}

/** Yields each task's outcome in the order they settle (a failure is thrown at its turn). */
export async function* inCompletionOrder<T>(tasks: readonly SubmittedTask<T>[], session: PoolSession, label: string,
  deadline?: Deadline): AsyncGenerator<T, void, undefined> {
  // Outcomes in settle order, by two handlers shared by every task: no closure per task, and a value is
  // yielded as it is, not awaited again (tens of thousands of results stay cheap to collect).
  const outcomes: unknown[] = [];
  const failed: boolean[] = [];
  let head = 0;
  let wake: (() => void) | undefined;
  const arrive = (outcome: unknown, failure: boolean): void => {
    outcomes.push(outcome);
    failed.push(failure);
    if (wake !== undefined) { const w = wake; wake = undefined; w(); }
  };
  const onValue = (value: unknown): void => arrive(value, false);
  const onError = (error: unknown): void => arrive(error, true);
  for (const task of tasks) task.promise.then(onValue, onError);
  for (let yielded = 0; yielded < tasks.length; yielded++) {
    while (head === outcomes.length) {
      const arrived = new Promise<void>((resolve) => { wake = resolve; });
      await session.waitFor(deadline ? deadline.race(arrived) : arrived, label);
    }
    const outcome = outcomes[head];
    outcomes[head] = undefined; // let the value go once it is yielded
    if (failed[head++]) throw outcome;
    yield outcome as T;
  }
}

/**
 * A point in time after which waits fail with `TimeoutError` — Python's
 * "timeout from the original call" for `Executor.map` and `as_completed`.
 */
export class Deadline {
  readonly #at: number;
  readonly #timeout: number;
  readonly #what: string;

  constructor(timeout: number, what: string) {
    this.#timeout = timeout;
    this.#at = performance.now() + timeout;
    this.#what = what;
  }

  /** `promise`, or a `TimeoutError` if the deadline passes first. */
  async race<T>(promise: Promise<T>): Promise<T> {
    const left = this.#at - performance.now();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${this.#what}: not finished within ${this.#timeout} ms`, this.#timeout)),
        Math.max(0, left));
    });
    try {
      return await Promise.race([promise, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
