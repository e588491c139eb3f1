/**
 * One call submitted through the API: the engine task behind a `Future` or an
 * `AsyncResult`. It may exist before the engine task does (while the task
 * module is still being checked), and it settles exactly once — with the
 * task's result, its error, or a `CancelledError`.
 */
import type { TaskHandle } from '../pool/types.js';
import { CancelledError } from './errors.js';

/** Python's future states, plus the two ways of finishing. */
export type SubmittedState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export class SubmittedTask<T = unknown> {
  /** What the timeline and error messages call it (the function's name). */
  readonly label: string;
  /** Settles once; rejections are already marked handled, so an ignored result never crashes the program. */
  readonly promise: Promise<T>;
  #handle: TaskHandle<T> | undefined;
  #state: 'pending' | 'done' | 'failed' | 'cancelled' = 'pending';
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #value: T | undefined;
  #error: unknown;

  constructor(label: string) {
    this.label = label;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.promise.catch(() => undefined);
  }

  /** The engine task, once it exists. */
  get handle(): TaskHandle<T> | undefined {
    return this.#handle;
  }

  get state(): SubmittedState {
    if (this.#state !== 'pending') return this.#state;
    return this.#handle?.state === 'running' ? 'running' : 'pending';
  }

  get settled(): boolean {
    return this.#state !== 'pending';
  }

  /** The result, once `state === 'done'`. */
  get value(): T | undefined {
    return this.#value;
  }

  /** The error, once `state` is `'failed'` or `'cancelled'`. */
  get error(): unknown {
    return this.#error;
  }

  /** Binds the engine task; its outcome becomes this task's outcome. */
  attach(handle: TaskHandle<T>): void {
    this.#handle = handle;
    handle.promise.then((value) => this.resolve(value), (error: unknown) => this.fail(error));
  }

  resolve(value: T): void {
    if (this.#state !== 'pending') return;
    this.#state = 'done';
    this.#value = value;
    this.#resolve(value);
  }

  fail(error: unknown): void {
    if (this.#state !== 'pending') return;
    this.#state = 'failed';
    this.#error = error;
    this.#reject(error);
  }

  /**
   * Cancels the task if it has not started (Python: only a pending future can be
   * cancelled). True if it is cancelled now or was already; false once running or finished.
   */
  cancel(): boolean {
    if (this.#state === 'cancelled') return true;
    if (this.#state !== 'pending') return false;
    if (this.#handle !== undefined) {
      if (this.#handle.state !== 'queued') return false;
      if (!this.#handle.cancel()) return false;
    }
    this.#state = 'cancelled';
    this.#error = new CancelledError(`${this.label}: cancelled before it started`);
    this.#reject(this.#error);
    return true;
  }
}
