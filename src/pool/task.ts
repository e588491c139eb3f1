/**
 * One submitted task: its call, its promise and where it is. The pool hands
 * this object out as the `TaskHandle` (one allocation per task, not two).
 */
import type { TaskHandle, TaskState } from './types.js';

/** The pool a task belongs to, as far as the task's own methods need it. */
export interface TaskOwner {
  cancelTask(task: Task, reason?: Error): boolean;
  cancelPendingTask(task: Task, reason?: Error): boolean;
}

export class Task<T = unknown> implements TaskHandle<T> {
  readonly taskId: number;
  readonly fn: string;
  args: unknown[];
  readonly promise: Promise<T>;
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
  resolve!: (value: T) => void;
  reject!: (reason: unknown) => void;
  readonly #owner: TaskOwner;

  constructor(taskId: number, fn: string, args: unknown[], timeoutMs: number, owner: TaskOwner) {
    this.taskId = taskId;
    this.fn = fn;
    this.args = args;
    this.timeoutMs = timeoutMs;
    this.#owner = owner;
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
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
}
