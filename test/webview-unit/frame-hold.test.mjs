// The frame scheduler puts a frame off while host messages are handled back to back (a trace still
// arriving), at most CATCH_UP_HOLD_MS since the chart first needed drawing, and draws at once otherwise;
// the panel throttle says when a render it put off is still owed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { FrameScheduler, PanelThrottle, CATCH_UP_HOLD_MS, LIVE_PANEL_INTERVAL_MS } = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));

/** A fake clock and animation-frame queue in place of the browser's. */
function fakeFrames() {
  let now = 0;
  /** @type {Map<number, FrameRequestCallback>} */
  const queue = new Map();
  let id = 0;
  const saved = { raf: globalThis.requestAnimationFrame, caf: globalThis.cancelAnimationFrame, now: performance.now };
  globalThis.requestAnimationFrame = (cb) => { queue.set(++id, cb); return id; };
  globalThis.cancelAnimationFrame = (k) => { queue.delete(k); };
  performance.now = () => now;
  return {
    /** Advances the clock by `ms` and runs the frame callbacks queued before. */
    frame(ms = 16) {
      now += ms;
      const due = [...queue.values()];
      queue.clear();
      for (const cb of due) cb(now);
    },
    restore() {
      globalThis.requestAnimationFrame = saved.raf;
      globalThis.cancelAnimationFrame = saved.caf;
      performance.now = saved.now;
    },
  };
}

test('a frame waits while messages arrive back to back, at most CATCH_UP_HOLD_MS', () => {
  const clock = fakeFrames();
  try {
    let catchingUp = true;
    let painted = 0;
    const frames = new FrameScheduler({ isLive: () => false, urgent: () => true, catchingUp: () => catchingUp, paint: () => { painted++; }, afterPaint: () => {} });
    frames.schedule();
    clock.frame();
    clock.frame();
    assert.equal(painted, 0, 'held while messages keep coming');
    assert.equal(frames.dirty, true);
    catchingUp = false;
    clock.frame();
    assert.equal(painted, 1, 'drawn on the first frame after they stopped');

    // A stream that never pauses still gets a frame once CATCH_UP_HOLD_MS has passed.
    catchingUp = true;
    frames.schedule();
    let waited = 0;
    while (painted === 1 && waited < 10 * CATCH_UP_HOLD_MS) { clock.frame(); waited += 16; }
    assert.equal(painted, 2);
    assert.ok(waited >= CATCH_UP_HOLD_MS && waited <= CATCH_UP_HOLD_MS + 32, `drawn after ${waited} ms`);
  } finally {
    clock.restore();
  }
});

test('without back-to-back messages a frame is drawn at once', () => {
  const clock = fakeFrames();
  try {
    let painted = 0;
    const frames = new FrameScheduler({ isLive: () => false, urgent: () => false, catchingUp: () => false, paint: () => { painted++; }, afterPaint: () => {} });
    frames.schedule();
    clock.frame();
    assert.equal(painted, 1);
  } finally {
    clock.restore();
  }
});

test("a live run's panel render held by the throttle counts as pending until it is drawn", async () => {
  let rendered = 0;
  /** @type {() => void} */
  let rescheduled = () => {};
  const back = new Promise((resolve) => { rescheduled = () => resolve(undefined); });
  const panels = new PanelThrottle(() => { rendered++; }, () => rescheduled());
  // The page's first frame, before any run: the (empty) panels are drawn at once.
  panels.afterPaint(1, false, 0, 0);
  assert.equal(rendered, 1);
  assert.equal(panels.pending, false);
  // A run's events arrive inside the live interval: the render is put off, and is owed — the test hook's
  // `settled` must wait for it, or a test reads the panels of the state before.
  panels.afterPaint(2, true, LIVE_PANEL_INTERVAL_MS / 2, 10);
  assert.equal(rendered, 1, 'held by the live throttle');
  assert.equal(panels.pending, true);
  await back;
  assert.equal(panels.pending, false, 'the frame that draws it is scheduled');
  panels.afterPaint(2, true, LIVE_PANEL_INTERVAL_MS * 2, 10);
  assert.equal(rendered, 2);
  assert.equal(panels.pending, false);
});
