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
  readonly #source: ResultSource<T>;

  /** @internal */
  constructor(source: ResultSource<T>) {
    this.#source = source;
  }

  /** The next result (rejects with the task's error, or `TimeoutError` where a timeout applies). */
  next(): Promise<IteratorResult<T>> {
    return this.#source.next();
  }

  /** Stops early (a `break` in `for await` calls this). */
  async return(): Promise<IteratorResult<T>> {
    return this.#source.return();
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

/** What a {@link ResultIterator} reads: an async generator, or an {@link ArrivalQueue}. */
export interface ResultSource<T> {
  next(): Promise<IteratorResult<T, void>>;
  return(): Promise<IteratorResult<T, void>>;
}

const DONE: IteratorResult<never, void> = Object.freeze({ value: undefined, done: true });

interface Waiter<T> {
  resolve(result: IteratorResult<T, void>): void;
  reject(error: unknown): void;
}

/**
 * `total` outcomes handed out in the order they arrive (`push`). `next()` answers from what has arrived with a
 * settled promise and waits — one wait on the main lane, `label` — only when nothing is there; a failure is
 * thrown at its turn and ends the iteration, as is a timeout of `deadline`.
 *
 * Written by hand rather than as an async generator: a generator's `yield` costs several promise hops per
 * item, which for tens of thousands of trivial tasks was about a third of the main thread's work on the
 * completion-order paths (imapUnordered, asCompleted).
 */
export class ArrivalQueue<T> implements ResultSource<T> {
  readonly #outcomes: unknown[] = [];
  readonly #failed: boolean[] = [];
  #head = 0;
  /** Outcomes still to hand out (arrived or not). */
  #left: number;
  #closed = false;
  readonly #waiters: Waiter<T>[] = [];
  readonly #session: PoolSession | undefined;
  readonly #label: string;
  #deadline: Deadline | (() => Deadline) | undefined;
  readonly #timeoutError: ((error: TimeoutError) => Error) | undefined;

  /**
   * @param session whose main lane records the waits (none: nothing is recorded)
   * @param deadline a deadline, or how to make one at the first `next()` (Python's `as_completed` timeout runs
   *   from its first `__next__`)
   * @param timeoutError what a passed deadline throws instead of the deadline's own TimeoutError
   */
  constructor(total: number, session: PoolSession | undefined, label: string,
    deadline?: Deadline | (() => Deadline), timeoutError?: (error: TimeoutError) => Error) {
    this.#left = total;
    this.#session = session;
    this.#label = label;
    this.#deadline = deadline;
    this.#timeoutError = timeoutError;
  }

  /** An outcome arrived: a value, or (`failed`) an error to throw at its turn. */
  push(outcome: unknown, failed: boolean): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#outcomes.push(outcome);
      this.#failed.push(failed);
      return;
    }
    this.#session?.endWait();
    this.#hand(outcome, failed, waiter);
  }

  /** Outcomes not handed out yet (arrived or not). */
  get left(): number {
    return this.#left;
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.#closed || this.#left === 0) return Promise.resolve(DONE);
    if (typeof this.#deadline === 'function') this.#deadline = this.#deadline();
    if (this.#head < this.#outcomes.length) {
      // Arrived already: a settled promise, made without a waiter (the path most results take when they arrive
      // faster than the loop consumes them).
      const at = this.#head++;
      const outcome = this.#outcomes[at];
      this.#outcomes[at] = undefined; // let the value go once it is handed out (no shift(): linear in the length)
      if (this.#failed[at]) {
        this.#close();
        return Promise.reject(outcome);
      }
      this.#left--;
      return Promise.resolve({ value: outcome as T, done: false });
    }
    this.#session?.beginWait(this.#label);
    const arrived = new Promise<IteratorResult<T, void>>((resolve, reject) => { this.#waiters.push({ resolve, reject }); });
    const deadline = this.#deadline;
    if (deadline === undefined) return arrived;
    return deadline.race(arrived).catch((error: unknown) => {
      if (!(error instanceof TimeoutError) || this.#closed) throw error;
      const thrown = this.#timeoutError ? this.#timeoutError(error) : error;
      this.#close();
      throw thrown;
    });
  }

  return(): Promise<IteratorResult<T, void>> {
    this.#close();
    return Promise.resolve(DONE);
  }

  #hand(outcome: unknown, failed: boolean, waiter: Waiter<T>): void {
    if (failed) {
      this.#close();
      waiter.reject(outcome);
    } else {
      this.#left--;
      waiter.resolve({ value: outcome as T, done: false });
    }
  }

  /** Ends the iteration: what arrived is let go, pending next() calls end (done). */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#left = 0;
    this.#outcomes.length = 0;
    for (const waiter of this.#waiters.splice(0)) {
      this.#session?.endWait();
      waiter.resolve(DONE);
    }
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

/** Each task's outcome in the order they settle (a failure is thrown at its turn); waits go on the main lane as `label`. */
export function inCompletionOrder<T>(tasks: readonly SubmittedTask<T>[], session: PoolSession, label: string,
  deadline?: Deadline): ArrivalQueue<T> {
  const queue = new ArrivalQueue<T>(tasks.length, session, label, deadline);
  // One observer for every task, told as each settles: no closure, promise or reaction per task.
  const arrived = (_tag: unknown, outcome: unknown, failed: boolean): void => queue.push(outcome, failed);
  for (const task of tasks) {
    if (!task.observeSettle(arrived, undefined)) task.promise.then((value) => queue.push(value, false), (error: unknown) => queue.push(error, true));
  }
  return queue;
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
