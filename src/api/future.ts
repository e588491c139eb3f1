/**
 * `Future`: what `Executor.submit` returns — Python's `concurrent.futures.Future`.
 */
import type { PoolSession } from './pool-session.js';
import type { SubmittedState, SubmittedTask } from './submitted-task.js';
import { checkTimeout, within } from './timeouts.js';
import { noop } from '../common/noop.js';

/** Options of {@link Future.result} and {@link Future.exception}. */
export interface ResultOptions {
  /** Give up after this many milliseconds with a `TimeoutError` (the task keeps running). @default undefined (wait as long as it takes) */
  timeout?: number;
}

/** The internal view `wait()` / `asCompleted()` use. */
export interface FutureInternals {
  /** Settles once the future is done, cancelled included (its rejection is already marked handled). */
  settles: Promise<unknown>;
  session: PoolSession;
  /** The outcome so far, without waiting. */
  state: SubmittedState;
}

let internalsOf: (future: Future<unknown>) => FutureInternals | undefined;
let taskOf: (future: Future<unknown>) => SubmittedTask<unknown> | undefined;

/** @internal */
export function futureInternals(future: Future<unknown>): FutureInternals {
  const found = internalsOf(future);
  if (!found) throw new TypeError('expected a Future returned by an executor\'s submit()');
  return found;
}

/**
 * @internal The call behind a future (its promise settles once it is done, cancelled included; its state is the
 * outcome so far) — without the view object {@link futureInternals} makes: `wait()` and `asCompleted()` ask
 * for every future they are given.
 */
export function futureTask(future: Future<unknown>): SubmittedTask<unknown> {
  const found = taskOf(future);
  if (!found) throw new TypeError('expected a Future returned by an executor\'s submit()');
  return found;
}

/**
 * The eventual result of one `submit()`. States, as in Python: pending →
 * running → finished, or pending → cancelled. A call sent ahead to a worker
 * that is still busy with an earlier one is pending (not running) and can
 * still be cancelled.
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
  #callbacks: ((future: Future<T>) => void)[] | undefined;
  /** Made on first use: most futures are only ever asked for their result. */
  #done: Promise<void> | undefined;

  static {
    internalsOf = (future) => (#task in future
      ? { settles: future.#task.promise, session: future.#session, state: future.#task.state }
      : undefined);
    taskOf = (future) => (#task in future ? future.#task : undefined);
  }

  /** @internal Created by an executor's `submit()`. */
  constructor(task: SubmittedTask<T>, session: PoolSession) {
    this.#task = task;
    this.#session = session;
  }

  #whenDone(): Promise<void> {
    this.#done ??= this.#task.promise.then(noop, noop);
    return this.#done;
  }

  /**
   * Cancels the call if it has not started yet (also when it was already sent
   * to a worker that is busy with an earlier call). Returns false if it is running
   * or finished (it cannot be cancelled then), true if it is now (or was already) cancelled.
   */
  cancel(): boolean {
    return this.#task.cancel();
  }

  /** True if the call was cancelled. */
  cancelled(): boolean {
    return this.#task.state === 'cancelled';
  }

  /** True while a worker is running the call (not while it waits in the queue or behind a worker's current call). */
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
  result(options?: ResultOptions): Promise<T> {
    const task = this.#task;
    let ms: number | undefined;
    try {
      ms = options === undefined ? undefined : checkTimeout(options.timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    if (ms === undefined) return this.#session.waitFor(task.promise, 'future.result(%s)', task.settled, task.label);
    const label = `future.result(${task.label})`;
    return this.#session.waitFor(within(task.promise, ms, label), label, task.settled);
  }

  /**
   * The call's error, or `undefined` if it succeeded.
   * @throws CancelledError if the call was cancelled; TimeoutError when `timeout` ms pass first.
   */
  async exception(options: ResultOptions = {}): Promise<unknown> {
    const ms = checkTimeout(options.timeout);
    const label = `future.exception(${this.#task.label})`;
    await this.#session.waitFor(within(this.#whenDone(), ms, label), label, this.#task.settled);
    const state = this.#task.state;
    if (state !== 'failed' && state !== 'cancelled') return undefined;
    const error = await this.#task.promise.then(noop, (e: unknown) => e);
    if (state === 'cancelled') throw error;
    return error;
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
    if (this.#callbacks === undefined) {
      this.#callbacks = [];
      void this.#whenDone().then(() => this.#runCallbacks());
    }
    this.#callbacks.push(fn);
  }

  #runCallbacks(): void {
    for (const fn of this.#callbacks!.splice(0)) this.#call(fn);
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
