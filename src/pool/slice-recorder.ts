/**
 * Records when each task actually held the thread (event-loop backend).
 *
 * Every callback that runs on the thread is wrapped by async_hooks
 * `before`/`after`; the task it belongs to is read from an AsyncLocalStorage
 * whose store is the task id (set when the task is called, inherited by
 * everything it schedules). Consecutive callbacks of the same task that follow
 * each other closely are merged into one slice, so a CPU loop with awaits
 * becomes one bar, not thousands. Slices of different tasks never overlap:
 * a slice is closed at the moment the last callback of its task returned.
 */
import { AsyncLocalStorage, createHook, type AsyncHook } from 'node:async_hooks';

/** Gaps shorter than this between callbacks of one task do not split its slice. */
const MERGE_GAP_US = 20;

export type SliceSink = (taskId: number, start: number, end: number) => void;

export class SliceRecorder {
  readonly storage = new AsyncLocalStorage<number>();
  readonly #now: () => number;
  readonly #emit: SliceSink;
  #hook: AsyncHook | undefined;
  #depth = 0;
  /** Task whose slice is open, or −1. */
  #openTask = -1;
  #openStart = 0;
  #lastLeave = 0;
  /** Inside a callback of the open task. */
  #inside = false;

  constructor(now: () => number, emit: SliceSink) {
    this.#now = now;
    this.#emit = emit;
  }

  enable(): void {
    this.#hook = createHook({
      before: () => {
        if (this.#depth++ !== 0) return;
        const task = this.storage.getStore();
        if (task !== undefined) this.enter(task, this.#now());
      },
      after: () => {
        if (--this.#depth !== 0) return;
        if (this.#inside) this.leave(this.#now());
      },
    }).enable();
  }

  disable(): void {
    this.#hook?.disable();
    this.#hook = undefined;
  }

  /** Task `taskId` starts running code at `t` (its synchronous start, or one of its callbacks). */
  enter(taskId: number, t: number): void {
    if (this.#openTask === taskId && t - this.#lastLeave < MERGE_GAP_US) {
      this.#inside = true;
      return;
    }
    if (this.#openTask >= 0) this.#emit(this.#openTask, this.#openStart, this.#lastLeave);
    this.#openTask = taskId;
    this.#openStart = t;
    this.#inside = true;
  }

  /** The running code of the open task returned at `t`. */
  leave(t: number): void {
    this.#lastLeave = t;
    this.#inside = false;
  }

  /** Task finished at `t`: close its slice. */
  taskEnded(taskId: number, t: number): void {
    if (this.#openTask !== taskId) return;
    this.#emit(taskId, this.#openStart, this.#inside ? t : this.#lastLeave);
    this.#openTask = -1;
    this.#inside = false;
  }
}
