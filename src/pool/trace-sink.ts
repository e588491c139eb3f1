/**
 * Stamps `runId` and a contiguous `seq` on every event and delivers them to
 * listeners in batches: events collect in an array and are flushed once per
 * turn of the event loop (setImmediate), or as soon as a batch is large —
 * never one callback per event.
 */
import type { TraceEvent, TraceListener, UnstampedEvent } from '../trace/events.js';

/** Pending events that trigger delivery right away instead of at the end of the tick. */
const FLUSH_AT = 2048;

export class TraceSink {
  readonly runId: string;
  #seq = 0;
  #pending: TraceEvent[] = [];
  #listeners: TraceListener[] = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined;

  constructor(runId: string) {
    this.runId = runId;
  }

  /** Number of events emitted so far (= the next seq). */
  get count(): number {
    return this.#seq;
  }

  emit(event: UnstampedEvent): void {
    const stamped = event as TraceEvent;
    stamped.runId = this.runId;
    stamped.seq = this.#seq++;
    this.push(stamped);
  }

  /** Next sequence number, for events built already stamped (the per-task hot path: no shape change afterwards). */
  nextSeq(): number {
    return this.#seq++;
  }

  /** Queues an event that already carries `runId` and `seq` from `nextSeq()`, in seq order. */
  push(event: TraceEvent): void {
    const pending = this.#pending;
    pending.push(event);
    if (pending.length >= FLUSH_AT) {
      // A burst (thousands of submits in one loop) is delivered in slices, so events die young instead of piling up.
      this.flush();
    } else if (this.#scheduled === undefined) {
      this.#scheduled = setImmediate(this.#flushNow);
    }
  }

  subscribe(listener: TraceListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Delivers pending events now (close() calls it so run-end is out before close resolves). */
  flush(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    for (const listener of this.#listeners.slice()) {
      try {
        listener(batch);
      } catch (err) {
        // A broken listener must not break the pool or starve the other listeners.
        process.emitWarning(`PoolScope trace listener threw: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }

  readonly #flushNow = (): void => {
    this.#scheduled = undefined;
    this.flush();
  };
}
