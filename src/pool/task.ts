/**
 * One submitted task: its call, its promise and where it is. The pool hands
 * this object out as the `TaskHandle` (one allocation per task, not two).
 */
import type { SettleObserver, TaskHandle, TaskState } from './types.js';
import { noop } from '../common/noop.js';

/** The pool a task belongs to, as far as the task's own methods need it. */
export interface TaskOwner {
  cancelTask(task: Task, reason?: Error): boolean;
  cancelPendingTask(task: Task, reason?: Error): boolean;
}

export class Task<T = unknown> implements TaskHandle<T> {
  readonly taskId: number;
  readonly fn: string;
  args: unknown[];
  state: TaskState = 'queued';
  /** Per-task timeout in ms; 0 = none. */
  readonly timeoutMs: number;
  /**
   * The task's code has begun (the pool knows it: the head of a ready sequential worker, which reports each
   * result before starting the next; a Start notice on event-loop; called on serial). A task only sent ahead to
   * a worker is 'running' in `state` but not started: cancelling it skips it, a crash re-queues it.
   */
  started = false;
  /** Its cell in the worker's claims (thread workers), −1 when none: see `WorkerInit.claims`. */
  claim = -1;
  /** task-start was emitted. */
  startEmitted = false;
  /** Pending timeout timer, while one is armed. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the AbortSignal listener, when there is one. */
  detachSignal: (() => void) | undefined;
  /**
   * Made on first use: a task followed by an observer (asCompleted, wait, the runner) or not followed at all
   * never needs one — no promise, no resolving functions, no reaction, no microtask. Until then the outcome is
   * kept here, so a promise asked for after the task settled is made settled.
   */
  #promise: Promise<T> | undefined;
  #resolve: ((value: T) => void) | undefined;
  #reject: ((reason: unknown) => void) | undefined;
  #outcome: unknown;
  #handled = false;
  readonly #owner: TaskOwner;
  /** The first settle observer and its tag (most tasks have none, a few have one), then any others. */
  #observer: SettleObserver | undefined;
  #observerTag: unknown;
  #moreObservers: [SettleObserver, unknown][] | undefined;

  constructor(taskId: number, fn: string, args: unknown[], timeoutMs: number, owner: TaskOwner) {
    this.taskId = taskId;
    this.fn = fn;
    this.args = args;
    this.timeoutMs = timeoutMs;
    this.#owner = owner;
  }

  get promise(): Promise<T> {
    if (this.#promise !== undefined) return this.#promise;
    if (this.state === 'done') this.#promise = Promise.resolve(this.#outcome as T);
    else if (this.settled) {
      this.#promise = Promise.reject(this.#outcome);
      if (this.#handled) this.#promise.catch(noop);
    } else {
      this.#promise = new Promise<T>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
    }
    return this.#promise;
  }

  /** Settles the promise, if one was asked for, and tells the observers (the pool sets `state` first). */
  resolve(value: T): void {
    this.#outcome = value;
    this.#resolve?.(value);
    this.#notifySettled();
  }

  reject(error: unknown): void {
    this.#outcome = error;
    this.#reject?.(error);
    this.#notifySettled();
  }

  /**
   * Marks a rejection handled before a mass failure (terminate, a broken pool): a promise someone asked for and
   * then dropped must not crash the process. A promise not asked for yet cannot go unhandled.
   */
  markHandled(): void {
    this.#handled = true;
    this.#promise?.catch(noop);
  }

  get settled(): boolean {
    return this.state === 'done' || this.state === 'failed' || this.state === 'cancelled';
  }

  cancel(reason?: Error): boolean {
    return this.#owner.cancelTask(this as Task, reason);
  }

  cancelPending(reason?: Error): boolean {
    return this.#owner.cancelPendingTask(this as Task, reason);
  }

  observeSettle(observer: SettleObserver, tag: unknown): boolean {
    if (this.settled) return false;
    if (this.#observer === undefined) {
      this.#observer = observer;
      this.#observerTag = tag;
    } else {
      (this.#moreObservers ??= []).push([observer, tag]);
    }
    return true;
  }

  /** Tells each observer, once, that the task settled. */
  #notifySettled(): void {
    const observer = this.#observer;
    if (observer === undefined) return;
    const tag = this.#observerTag;
    const more = this.#moreObservers;
    this.#observer = this.#observerTag = this.#moreObservers = undefined;
    const outcome = this.#outcome;
    const failed = this.state !== 'done';
    tell(observer, tag, outcome, failed);
    if (more !== undefined) for (const [other, otherTag] of more) tell(other, otherTag, outcome, failed);
  }
}

/**
 * An observer runs inside the pool's bookkeeping (a worker's message, a timeout): one that throws must not leave
 * the pool half-way through it, so its error is reported and the others are still told.
 */
function tell(observer: SettleObserver, tag: unknown, outcome: unknown, failed: boolean): void {
  try {
    observer(tag, outcome, failed);
  } catch (error) {
    console.error('poolscope: a task settle observer threw:', error);
  }
}
