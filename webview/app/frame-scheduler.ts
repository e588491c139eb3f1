/**
 * When things are drawn: at most one chart frame per animation frame however
 * fast events arrive, fewer while a run is live (and fewer still when a frame
 * is costly), the side panels on their own slower throttle, and trailing
 * throttles for reports that must end on the final state.
 */

/**
 * While a run is live, the chart is re-laid out and redrawn at most this often
 * (and less often when a frame is costly): batches arrive every 40 ms, and a
 * redraw per batch starves ingestion on a busy machine.
 */
export const LIVE_FRAME_INTERVAL_MS = 100;
/** Summary, compare table and task table refresh at most this often while a run is live. */
export const LIVE_PANEL_INTERVAL_MS = 250;
/**
 * A frame is put off while the host's messages are handled back to back (a replay or a trace still
 * arriving: each message's handler starts as the previous one ends), for at most this long since the
 * chart first needed drawing: a large trace then pays for one frame with everything in it, not for frames
 * between its batches.
 */
export const CATCH_UP_HOLD_MS = 1000;

/** Above this many tasks, panels are computed after the chart has painted. */
export const BIG_TRACE_TASKS = 50_000;

export interface FrameHooks {
  /** A run is streaming (frames are throttled). */
  isLive(): boolean;
  /** This frame must not wait (e.g. a refit is pending). */
  urgent(): boolean;
  /** Messages are being handled back to back (see CATCH_UP_HOLD_MS). */
  catchingUp?(): boolean;
  /** Lays out and draws the chart; its cost sets the live throttle. */
  paint(): void;
  /** After the chart was painted (panels, reports). */
  afterPaint(live: boolean, now: number): void;
}

export class FrameScheduler {
  #frame = 0;
  #dirty = false;
  #drawnAt = -Infinity;
  #drawCostMs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #frames = 0;
  /** When the chart first needed drawing since the last frame (performance.now()). */
  #dirtySince = 0;

  constructor(private readonly hooks: FrameHooks) {}

  /** Something changed: a frame will be drawn. */
  get dirty(): boolean { return this.#dirty; }
  /** Frames drawn so far. */
  get frames(): number { return this.#frames; }

  schedule(): void {
    if (!this.#dirty) this.#dirtySince = performance.now();
    this.#dirty = true;
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => this.#onFrame());
  }

  /**
   * Draws now, in this task, instead of on the next animation frame (the drawing is presented with the next
   * frame either way): for a frame that must not wait a frame (a click's first bar). Skips the live throttle.
   */
  drawNow(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty = true;
    this.#draw(this.hooks.isLive());
  }

  #onFrame(): void {
    this.#frame = 0;
    if (!this.#dirty) return;
    if (this.hooks.catchingUp?.() && performance.now() - this.#dirtySince < CATCH_UP_HOLD_MS) {
      this.#frame = requestAnimationFrame(() => this.#onFrame());
      return;
    }
    const live = this.hooks.isLive();
    if (live && !this.hooks.urgent()) {
      // Live stream: redraw at most every LIVE_FRAME_INTERVAL_MS, and spend at most ~20 % of the time drawing.
      const wait = this.#drawnAt + Math.max(LIVE_FRAME_INTERVAL_MS, this.#drawCostMs * 5) - performance.now();
      if (wait > 0) {
        this.#timer ??= setTimeout(() => { this.#timer = undefined; this.schedule(); }, wait);
        return;
      }
    }
    this.#draw(live);
  }

  #draw(live: boolean): void {
    this.#dirty = false;
    this.#frames++;
    const t0 = performance.now();
    this.hooks.paint();
    const now = performance.now();
    this.#drawnAt = now;
    this.#drawCostMs = now - t0;
    this.hooks.afterPaint(live, now);
  }
}

/**
 * The side panels (summary, compare, runs, legend, task table): re-rendered when
 * the model's version moved, while live at most every LIVE_PANEL_INTERVAL_MS and
 * never more than ~20 % of the time.
 */
export class PanelThrottle {
  #version = -1;
  #last = 0;
  #costMs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A large trace's render waits for an idle moment. */
  #idlePending = false;

  /** `busy`: whether messages are still arriving (a large trace's panels then wait on, past PANEL_IDLE_WAIT_MS). */
  constructor(private readonly render: () => void, private readonly reschedule: () => void, private readonly busy: () => boolean = () => false) {}

  /**
   * A render is owed: a large trace's waits for an idle moment, or a live run's for its throttle interval
   * (what the test hook's `settled` waits out, so a test reads the panels of the state it posted).
   */
  get pending(): boolean {
    return this.#idlePending || this.#timer !== undefined;
  }

  /** Forces the next frame to re-render the panels. */
  invalidate(): void {
    this.#version = -1;
  }

  afterPaint(version: number, live: boolean, now: number, tasks: number): void {
    const interval = Math.max(LIVE_PANEL_INTERVAL_MS, this.#costMs * 5);
    if (this.#version !== version && (!live || now - this.#last >= interval)) {
      this.#version = version;
      this.#last = now;
      // Large trace: let the chart reach the screen first; the summary follows once the page is idle — not
      // between the batches of a trace still arriving (a million-task summary costs ~200 ms, and each batch
      // would pay it again), but at most PANEL_IDLE_WAIT_MS later.
      if (tasks <= BIG_TRACE_TASKS) this.#renderTimed();
      else if (!this.#idlePending) {
        // One pending render at a time: it renders the state of when it runs.
        this.#idlePending = true;
        const run = (timedOut: boolean): void => {
          if (timedOut && this.busy()) {
            whenIdle(run);
            return;
          }
          this.#idlePending = false;
          this.#renderTimed();
        };
        whenIdle(run);
      }
    } else if (this.#version !== version && !this.#timer) {
      // Come back for the panels once the throttle interval has passed.
      this.#timer = setTimeout(() => { this.#timer = undefined; this.reschedule(); }, interval);
    }
  }

  #renderTimed(): void {
    const t0 = performance.now();
    try {
      this.render();
    } finally {
      this.#costMs = performance.now() - t0;
    }
  }
}

/** A deferred panel render waits for an idle moment at most this long. */
export const PANEL_IDLE_WAIT_MS = 3000;

/** Runs `fn` when the page is idle (requestIdleCallback where there is one), at most PANEL_IDLE_WAIT_MS later (`timedOut` then). */
function whenIdle(fn: (timedOut: boolean) => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback((deadline) => fn(deadline.didTimeout), { timeout: PANEL_IDLE_WAIT_MS });
  else setTimeout(() => fn(false), 0);
}

/** Calls `fn` at most every `intervalMs`; a call inside the interval runs once at its end (the last state always goes out). */
export function trailingThrottle(fn: () => void, intervalMs: number): () => void {
  let at = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    const wait = at + intervalMs - performance.now();
    if (wait > 0) {
      if (!timer) timer = setTimeout(() => { timer = undefined; run(); }, wait);
      return;
    }
    at = performance.now();
    fn();
  };
  return run;
}
