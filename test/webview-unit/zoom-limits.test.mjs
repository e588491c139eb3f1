// Zoom limits and axis labels: one Ctrl+wheel notch is ~1.2×, the window never
// gets narrower than MIN_WINDOW_US, zooming out stops at the whole extent, and
// neighbouring tick labels never read the same at any zoom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaleLinear } from 'd3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { MIN_WINDOW_US, WHEEL_NOTCH_FACTOR, wheelDelta, maxZoomScale, normalizeDomain, zoomDomain, axisTickFormatter, parsePersistedState } =
  await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));

test('one wheel notch zooms by WHEEL_NOTCH_FACTOR (~1.2×) in every delta mode', () => {
  assert.ok(WHEEL_NOTCH_FACTOR >= 1.1 && WHEEL_NOTCH_FACTOR <= 1.3);
  for (const e of [{ deltaY: -100, deltaMode: 0 }, { deltaY: -3, deltaMode: 1 }, { deltaY: -1, deltaMode: 2 }]) {
    assert.ok(Math.abs(2 ** wheelDelta(e) - WHEEL_NOTCH_FACTOR) < 1e-9, JSON.stringify(e));
  }
  assert.ok(Math.abs(2 ** wheelDelta({ deltaY: 100, deltaMode: 0 }) - 1 / WHEEL_NOTCH_FACTOR) < 1e-9, 'and out');
});

test('zooming in stops at the minimum window, around the same centre', () => {
  let d = [0, 2_100_000];
  const mid = 1_050_000;
  for (let i = 0; i < 200; i++) d = zoomDomain(d, 4);
  assert.ok(Math.abs(d[1] - d[0] - MIN_WINDOW_US) < 1e-6, `span ${d[1] - d[0]}`);
  assert.ok(Math.abs((d[0] + d[1]) / 2 - mid) < 1e-6);
  // The d3-zoom scale cap says the same: full / cap = MIN_WINDOW_US.
  assert.equal((2_100_000 - 0) / maxZoomScale([0, 2_100_000]), MIN_WINDOW_US);
  assert.equal(maxZoomScale([0, 5]), 1, 'a trace shorter than the minimum cannot zoom');
  // Brushing or restoring a tinier window widens it.
  const n = normalizeDomain([157745.2, 157745.3]);
  assert.ok(Math.abs(n[1] - n[0] - MIN_WINDOW_US) < 1e-9);
  assert.deepEqual(normalizeDomain([0, 100]), [0, 100]);
});

test('zooming out stops at the whole extent', () => {
  const full = [-10, 1000];
  let d = [400, 410];
  for (let i = 0; i < 50; i++) d = zoomDomain(d, 1 / 1.5, full);
  assert.deepEqual(d, full);
});

test('tick labels are distinct at every zoom, including the minimum window far from zero', () => {
  for (const [d0, span] of [[157_740, MIN_WINDOW_US], [157_740, 37], [0, 900], [1_234_567, 1_900], [0, 15_000], [5e6, 250_000], [0, 2_100_000], [0, 3e7]]) {
    for (const width of [350, 620, 1200]) {
      const count = Math.max(2, Math.floor(width / 110));
      const x = scaleLinear().domain([d0, d0 + span]).range([0, width]);
      const fmt = axisTickFormatter(span, count);
      const labels = x.ticks(count).map(fmt);
      assert.ok(labels.length >= 2, `${d0}+${span}: ${labels}`);
      assert.equal(new Set(labels).size, labels.length, `${d0}+${span} @${width}px: ${labels.join(' | ')}`);
      for (const l of labels) assert.ok(l.length <= 14, `readable: ${l}`);
    }
  }
});

test('persisted state is validated on restore', () => {
  assert.equal(parsePersistedState(undefined), undefined);
  assert.equal(parsePersistedState({ v: 2 }), undefined);
  const s = parsePersistedState({ v: 1, ui: { colorMode: 'rainbow', aligned: 'yes', follow: false, hidden: ['a', 3], domain: [5, 1] }, events: [{ type: 'bogus' }, 7] });
  assert.deepEqual(s.ui, { colorMode: 'function', aligned: false, follow: false, hidden: ['a'], focused: undefined, domain: undefined, laneScroll: undefined });
  assert.deepEqual(s.events, []);
  // The lanes' scroll position comes back when it is a position; a trace file panel's path when it is a string.
  assert.equal(parsePersistedState({ v: 1, ui: { laneScroll: 120 } }).ui.laneScroll, 120);
  assert.equal(parsePersistedState({ v: 1, ui: { laneScroll: -5 } }).ui.laneScroll, undefined);
  assert.equal(parsePersistedState({ v: 1, ui: {}, source: '/t/a.json' }).source, '/t/a.json');
  assert.equal(parsePersistedState({ v: 1, ui: {}, source: 42 }).source, undefined);
});

test('follow: a window that showed the whole extent keeps showing it as the run grows; a zoomed one slides at its width', async () => {
  const { followDomain } = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));
  // The run's first batch alone: 1 ms of extent, fitted. The next batch makes it 500 ms long.
  assert.deepEqual(followDomain([0, 1000], [0, 500_000], [0, 1000]), [0, 500_000], 'still everything, not the last millisecond');
  // Zoomed in by the user to 100 ms: follow keeps that width at the newest time.
  assert.deepEqual(followDomain([200_000, 300_000], [0, 500_000], [0, 400_000]), [400_000, 500_000]);
  // Without a previous extent (follow switched on): fits while everything fits, else slides.
  assert.deepEqual(followDomain([0, 500_000], [0, 500_000]), [0, 500_000]);
  assert.deepEqual(followDomain([0, 1000], [0, 500_000]), [499_000, 500_000]);
  // A new run 30 s after a compare the window showed whole: the new run takes the view.
  assert.deepEqual(followDomain([0, 10_000_000], [40_000_000, 40_001_000], [0, 10_000_000]), [40_000_000, 40_001_000]);
});

test('newestExtent: follow keeps the newest run in view with the rest of its compare, not the runs before it', async () => {
  const { newestExtent, fullExtent, runOffsets } = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));
  const { TraceModel } = await import(path.join(ROOT, 'dist', 'trace.mjs'));
  const { eventRecorder } = await import('../fixtures/event-recorder.mjs');
  const { events, emit } = eventRecorder();
  /** A one-task run on the shared clock: starts `originUs` µs after the first, lasts 1 s. @param {string} runId @param {number} originUs @param {string} [compareId] */
  const oneRun = (runId, originUs, compareId) => {
    emit(runId, { type: 'run-start', t: 0, backend: 'thread', workers: 1, fn: 'f', inputsCount: 1, node: 'x', pid: 1, originUs, ...(compareId ? { compareId } : {}) });
    emit(runId, { type: 'worker-start', t: 10, workerId: 1, name: 'w1', pid: 1, threadId: 1, startupUs: 5 });
    emit(runId, { type: 'task-queued', t: 20, taskId: 0, fn: 'f', inputPreview: '0' });
    emit(runId, { type: 'task-start', t: 100, taskId: 0, workerId: 1 });
    emit(runId, { type: 'task-end', t: 1_000_000, taskId: 0, workerId: 1, ok: true, resultPreview: '1' });
  };
  oneRun('c-serial', 0, 'c1');
  oneRun('c-thread', 1_100_000, 'c1');
  oneRun('later', 30_000_000);
  const model = new TraceModel();
  model.add(events);
  const visible = [0, 1, 2];
  const offsets = runOffsets(model, visible, false);
  const newest = newestExtent(model, visible, offsets);
  const full = fullExtent(model, visible, offsets);
  assert.ok(newest[0] > 29_000_000 && newest[1] < 31_100_000, `the later run alone: ${newest}`);
  assert.ok(full[0] < 0 && full[1] > 31_000_000, 'fit still spans everything');
  // Without the later run the newest is the compare: both of its runs.
  const compare = newestExtent(model, [0, 1], offsets);
  assert.ok(compare[0] < 0 && compare[1] > 2_100_000, `the whole compare: ${compare}`);
});
