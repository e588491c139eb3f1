/**
 * One submitted task: its call, its promise and where it is. The pool hands
 * this object out as the `TaskHandle` (one allocation per task, not two).
 */
import type { TaskHandle, TaskState } from './types.js';

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
  /** task-start was emitted. */
  startEmitted = false;
  /** Pending timeout timer, while one is armed. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the AbortSignal listener, when there is one. */
  detachSignal: (() => void) | undefined;
  resolve!: (value: T) => void;
  reject!: (reason: unknown) => void;
  readonly #cancel: (task: Task, reason?: Error) => boolean;

  constructor(taskId: number, fn: string, args: unknown[], timeoutMs: number, cancel: (task: Task, reason?: Error) => boolean) {
    this.taskId = taskId;
    this.fn = fn;
    this.args = args;
    this.timeoutMs = timeoutMs;
    this.#cancel = cancel;
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get settled(): boolean {
    return this.state === 'done' || this.state === 'failed' || this.state === 'cancelled';
  }

  cancel(reason?: Error): boolean {
    return this.#cancel(this as Task, reason);
  }

  cancelPending(reason?: Error): boolean {
    return this.state === 'queued' && this.#cancel(this as Task, reason);
  }
}
