/**
 * `AsyncResult`: what `Pool.applyAsync` / `mapAsync` / `starmapAsync` return
 * at once — Python's `multiprocessing.pool.AsyncResult`.
 */
import { InvalidStateError } from './errors.js';
import { waitLabel, type PoolSession } from './pool-session.js';
import { SubmittedTask } from './submitted-task.js';
import { checkTimeout, settlesWithin, within } from './timeouts.js';

/** Options of {@link AsyncResult.get}. */
export interface GetOptions {
  /** Give up after this many milliseconds with a `TimeoutError` (the task keeps running). @default undefined (wait as long as it takes) */
  timeout?: number;
}

/**
 * The result of a call submitted without waiting for it. Check on it with
 * `ready()` / `successful()`, wait for it with `wait()`, collect it with `get()`.
 *
 * @example
 * ```ts
 * const results = inputs.map((x) => pool.applyAsync(square, [x]));
 * console.log(results[0].ready());            // probably false: still running
 * for (const r of results) console.log(await r.get({ timeout: 5000 }));
 * console.log(results[0].successful());       // true
 * ```
 */
export class AsyncResult<T> {
  readonly #promise: Promise<T>;
  readonly #session: PoolSession;
  /** What the timeline and messages call it; with `#name`, a template whose `%s` is the function's name. */
  readonly #label: string;
  readonly #name: string | undefined;
  /** The one task behind this result, when no callback has to run first: its state is this result's. */
  readonly #task: SubmittedTask<T> | undefined;
  #state: 'pending' | 'ok' | 'failed' = 'pending';

  /**
   * @internal Created by `Pool`; callbacks run in the main program once the result is ready.
   * `source` is one submitted task (`applyAsync`) or the promise of a whole list (`mapAsync`). With `name`,
   * `label` is a template whose `%s` is `name` (see `waitLabel`: an applyAsync result per item builds no string).
   */
  constructor(source: Promise<T> | SubmittedTask<T>, session: PoolSession, label: string,
    callback?: (value: T) => void, errorCallback?: (error: unknown) => void, name?: string) {
    this.#session = session;
    this.#label = label;
    this.#name = name;
    const promise = source instanceof SubmittedTask ? source.promise : source;
    if (source instanceof SubmittedTask && callback === undefined && errorCallback === undefined) {
      // The common case: nothing to run first, so the task's own promise and state are this result's
      // (its rejection is already marked handled by the session).
      this.#promise = promise;
      this.#task = source;
      return;
    }
    // Callbacks run before the result counts as ready, as in Python (its result handler calls them first).
    this.#promise = promise.then((value) => {
      runCallback(callback, value, waitLabel(label, name));
      this.#state = 'ok';
      return value;
    }, (error: unknown) => {
      runCallback(errorCallback, error, waitLabel(label, name));
      this.#state = 'failed';
      throw error;
    });
    // Failure is reported through get(); an AsyncResult nobody asks about must not crash the program.
    this.#promise.catch(() => undefined);
  }

  /** True once the call has finished, successfully or not. */
  ready(): boolean {
    return this.#task !== undefined ? this.#task.settled : this.#state !== 'pending';
  }

  /**
   * True if the call finished without an error.
   * @throws InvalidStateError if it is not ready yet (Python raises `ValueError` there).
   */
  successful(): boolean {
    if (!this.ready()) throw new InvalidStateError(`${waitLabel(this.#label, this.#name)}: result is not ready`);
    return this.#task !== undefined ? this.#task.state === 'done' : this.#state === 'ok';
  }

  /**
   * Waits until the result is ready or `timeout` ms pass; never throws (like Python's, it returns nothing either way).
   * @param timeout milliseconds; @default undefined (wait as long as it takes)
   */
  async wait(timeout?: number): Promise<void> {
    const ms = checkTimeout(timeout);
    if (this.ready()) return;
    this.#session.beginWait(withSuffix(this.#label, '.wait()', this.#name), this.#name);
    try {
      await settlesWithin(this.#promise, ms);
    } finally {
      this.#session.endWait();
    }
  }

  /**
   * The result, once ready. Rejects with the task's own error (same `name`,
   * `message`, remote stack) if it failed.
   * @throws TimeoutError when `timeout` ms pass first; the task keeps running and a later `get()` can still collect it.
   */
  get(options?: GetOptions): Promise<T> {
    let ms: number | undefined;
    try {
      ms = options === undefined ? undefined : checkTimeout(options.timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const ready = this.ready();
    if (ready) return this.#promise;
    const label = withSuffix(this.#label, '.get()', this.#name);
    if (ms === undefined) return this.#session.waitFor(this.#promise, label, false, this.#name);
    const filled = waitLabel(label, this.#name);
    return this.#session.waitFor(within(this.#promise, ms, filled), filled);
  }
}

/** Templates with a suffix, made once each: `applyAsync(%s)` with `.get()` and with `.wait()`. */
const suffixed = new Map<string, Map<string, string>>();

/** `label + suffix`; for a template (`name` given) the same string every time, so a wait per result builds none. */
function withSuffix(label: string, suffix: string, name: string | undefined): string {
  if (name === undefined) return label + suffix;
  let bySuffix = suffixed.get(label);
  if (bySuffix === undefined) suffixed.set(label, bySuffix = new Map());
  let made = bySuffix.get(suffix);
  if (made === undefined) bySuffix.set(suffix, made = label + suffix);
  return made;
}

function runCallback<A>(callback: ((arg: A) => void) | undefined, arg: A, label: string): void {
  if (!callback) return;
  try {
    callback(arg);
  } catch (error) {
    // Python's result handler would die here and hang the pool; we report and carry on.
    console.error(`poolscope: a callback of ${label} threw:`, error);
  }
}
