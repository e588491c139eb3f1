/**
 * `Future`: what `Executor.submit` returns — Python's `concurrent.futures.Future`.
 */
import type { PoolSession } from './pool-session.js';
import type { SubmittedState, SubmittedTask } from './submitted-task.js';
import { checkTimeout, within } from './timeouts.js';

/** Options of {@link Future.result} and {@link Future.exception}. */
export interface ResultOptions {
  /** Give up after this many milliseconds with a `TimeoutError` (the task keeps running). @default undefined (wait as long as it takes) */
  timeout?: number;
}

/** The internal view `wait()` / `asCompleted()` use. */
export interface FutureInternals {
  /** Resolves (never rejects) once the future is done, cancelled included. */
  done: Promise<void>;
  session: PoolSession;
  /** The outcome so far, without waiting. */
  state: () => SubmittedState;
}

const internals = new WeakMap<Future<unknown>, FutureInternals>();

/** @internal */
export function futureInternals(future: Future<unknown>): FutureInternals {
  const found = internals.get(future);
  if (!found) throw new TypeError('expected a Future returned by an executor\'s submit()');
  return found;
}

/**
 * The eventual result of one `submit()`. States, as in Python: pending →
 * running → finished, or pending → cancelled.
 *
 * @example
 * ```ts
 * const f = executor.submit(square, 5);
 * console.log(f.done());                          // false
 * console.log(await f.result({ timeout: 1000 })); // 25
 * ```
 */
export class Future<T> {
  readonly #task: SubmittedTask<T>;
  readonly #session: PoolSession;
  readonly #callbacks: ((future: Future<T>) => void)[] = [];
  readonly #done: Promise<void>;

  /** @internal Created by an executor's `submit()`. */
  constructor(task: SubmittedTask<T>, session: PoolSession) {
    this.#task = task;
    this.#session = session;
    this.#done = task.promise.then(() => undefined, () => undefined).then(() => this.#runCallbacks());
    internals.set(this as Future<unknown>, { done: this.#done, session, state: () => task.state });
  }

  /**
   * Cancels the call if it has not started yet. Returns false if it is running
   * or finished (it cannot be cancelled then), true if it is now (or was already) cancelled.
   */
  cancel(): boolean {
    return this.#task.cancel();
  }

  /** True if the call was cancelled. */
  cancelled(): boolean {
    return this.#task.state === 'cancelled';
  }

  /** True while a worker is running the call. */
  running(): boolean {
    return this.#task.state === 'running';
  }

  /** True once the call finished or was cancelled. */
  done(): boolean {
    return this.#task.settled;
  }

  /**
   * The call's result. Rejects with the call's own error if it failed, with
   * `CancelledError` if it was cancelled.
   * @throws TimeoutError when `timeout` ms pass first (the call keeps running).
   */
  async result(options: ResultOptions = {}): Promise<T> {
    const ms = checkTimeout(options.timeout);
    return this.#session.waitFor(within(this.#task.promise, ms, `future.result(${this.#task.label})`),
      `future.result(${this.#task.label})`);
  }

  /**
   * The call's error, or `undefined` if it succeeded.
   * @throws CancelledError if the call was cancelled; TimeoutError when `timeout` ms pass first.
   */
  async exception(options: ResultOptions = {}): Promise<unknown> {
    const ms = checkTimeout(options.timeout);
    const label = `future.exception(${this.#task.label})`;
    await this.#session.waitFor(within(this.#done, ms, label), label);
    if (this.#task.state === 'cancelled') throw this.#task.error;
    return this.#task.state === 'failed' ? this.#task.error : undefined;
  }

  /**
   * Calls `fn(future)` once the future is done (or at once if it already is).
   * An exception thrown by `fn` is logged and ignored, as in Python.
   */
  addDoneCallback(fn: (future: Future<T>) => void): void {
    if (this.#task.settled) {
      this.#call(fn);
      return;
    }
    this.#callbacks.push(fn);
  }

  #runCallbacks(): void {
    for (const fn of this.#callbacks.splice(0)) this.#call(fn);
  }

  #call(fn: (future: Future<T>) => void): void {
    try {
      fn(this);
    } catch (error) {
      console.error(`poolscope: a done callback of future ${this.#task.label} raised:`, error);
    }
  }

  /** For `console.log` / debugging: `Future<square> pending`. */
  toString(): string {
    return `Future<${this.#task.label}> ${this.#task.state}`;
  }
}

