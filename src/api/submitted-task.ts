/**
 * One call submitted through the API: the engine task behind a `Future` or an
 * `AsyncResult`. It may exist before the engine task does (while the task
 * module is still being checked), and it settles exactly once — with the
 * task's result, its error, or a `CancelledError`.
 *
 * The common case costs almost nothing over the engine: when the export name is
 * known at submit, the engine's own promise is this task's promise and its state
 * is read from the engine task (no second promise, no copy of the outcome).
 */
import type { SettleObserver, TaskHandle } from '../pool/types.js';
import { CancelledError } from './errors.js';

/** Python's future states, plus the two ways of finishing. */
export type SubmittedState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

type OwnState = 'pending' | 'done' | 'failed' | 'cancelled';

export class SubmittedTask<T = unknown> {
  /** What the timeline and error messages call it (the function's name). */
  readonly label: string;
  #handle: TaskHandle<T> | undefined;
  /** A deferred task's own promise (a bound task's is the engine's, made when first asked for). */
  readonly #own: Promise<T> | undefined;
  /** Outcome decided here rather than by the engine task (deferred tasks; cancelled before they were sent). */
  #state: OwnState = 'pending';
  #resolve: ((value: T) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  /**
   * CPython's ProcessPoolExecutor rule: a call handed to a worker (its call queue) counts as running and can no
   * longer be cancelled. Otherwise (threads) the thread rule: running only once the worker has begun it.
   */
  readonly #sentIsRunning: boolean;

  /**
   * A task bound to an engine task at once: its promise is the engine's.
   * Or, without a handle, a deferred one (its module is still being checked): `attach()` binds it later.
   */
  constructor(label: string, handle: TaskHandle<T> | undefined, sentIsRunning: boolean) {
    this.label = label;
    this.#sentIsRunning = sentIsRunning;
    if (handle !== undefined) {
      this.#handle = handle;
    } else {
      this.#own = new Promise<T>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
    }
  }

  /**
   * Settles once. A bound task's is the engine task's, made on first use: an ignored result (no one asked)
   * has no promise to go unhandled; a deferred task's own promise is marked handled by the submitter.
   */
  get promise(): Promise<T> {
    return this.#own ?? this.#handle!.promise;
  }

  /** The engine task, once it exists. */
  get handle(): TaskHandle<T> | undefined {
    return this.#handle;
  }

  get state(): SubmittedState {
    if (this.#state !== 'pending') return this.#state;
    const handle = this.#handle;
    if (handle === undefined) return 'pending';
    switch (handle.state) {
      case 'queued': return 'pending';
      // Thread rule: sent to a worker is not yet running — a task sent ahead waits behind the one the worker runs.
      case 'running': return handle.started || this.#sentIsRunning ? 'running' : 'pending';
      default: return this.#resolve === undefined ? handle.state : 'pending'; // deferred: settled by attach's reaction
    }
  }

  /** True once the outcome is known (the promise is settled or settles in this microtask turn). */
  get settled(): boolean {
    const state = this.state;
    return state === 'done' || state === 'failed' || state === 'cancelled';
  }

  /**
   * Calls `observer(tag, outcome, failed)` once when this task settles: true; false (no call) if it already
   * has. A task bound at submit leaves it to the engine task (no closure, no promise); a deferred one settles
   * by its own promise, and is told from a reaction to it.
   */
  observeSettle(observer: SettleObserver, tag: unknown): boolean {
    if (this.settled) return false;
    if (this.#own === undefined) return this.#handle!.observeSettle(observer, tag);
    this.#own.then((value) => observer(tag, value, false), (error: unknown) => observer(tag, error, true));
    return true;
  }

  /** Binds the engine task of a deferred task; its outcome becomes this task's outcome. */
  attach(handle: TaskHandle<T>): void {
    this.#handle = handle;
    handle.promise.then((value) => this.#settle('done', value), (error: unknown) => this.#settle(handle.state === 'cancelled' ? 'cancelled' : 'failed', error));
  }

  /** A deferred task fails before it is sent (its function is not exported, the pool was terminated …). */
  fail(error: unknown): void {
    this.#settle('failed', error);
  }

  #settle(state: OwnState, outcome: unknown): void {
    if (this.#state !== 'pending' || this.#resolve === undefined) return;
    this.#state = state;
    if (state === 'done') this.#resolve(outcome as T);
    else this.#reject!(outcome);
  }

  /**
   * Cancels the task if it has not started (Python: only a pending future can be
   * cancelled). True if it is cancelled now or was already; false once running or finished.
   */
  cancel(): boolean {
    const state = this.state;
    if (state === 'cancelled') return true;
    if (state !== 'pending') return false;
    const error = new CancelledError(`${this.label}: cancelled before it started`);
    const handle = this.#handle;
    if (handle === undefined) {
      this.#settle('cancelled', error);
      return true;
    }
    // The engine cancels a task it has not handed to a worker, or one a worker holds but has not started;
    // a task that started meanwhile is left running (false).
    if (!handle.cancelPending(error)) return false;
    if (this.#resolve !== undefined) this.#settle('cancelled', error);
    return true;
  }
}
