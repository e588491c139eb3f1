// The lane painter without a browser: a recording 2-D context shows what a lane
// paints (bars, sub-pixel columns, failure markers, start-up labels) at a given
// window, from real fixture traces loaded into the webview's model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lib = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));
const { TraceModel, TaskStatus, layoutRows, runLabel, runTitle, LanePainter, MIN_FAILED_PX, runOffsets, fullExtent } = lib;

const fixture = (name) => JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'traces', `${name}.json`), 'utf8'));

const THEME = {
  background: '#000000', foreground: '#ffffff', muted: '#808080', grid: '#202020', laneAlt: '#101010', queue: '#404040',
  ok: '#00ff00', running: '#0000ff', failed: '#ff0000', mainWait: '#ffff00', cpu: '#00ffff', focus: '#ff00ff',
  highContrast: false, font: 'sans-serif', fn: (i) => `#fn${i}`,
};

/** A 2-D context that records fillRect / fillText with the fill style in effect. */
function recorder() {
  const calls = [];
  const ctx = {
    fillStyle: '', strokeStyle: '', lineWidth: 1, globalAlpha: 1, font: '',
    fillRect(x, y, w, h) { calls.push({ op: 'fillRect', fill: this.fillStyle, x, y, w, h }); },
    fillText(text, x, y) { calls.push({ op: 'fillText', fill: this.fillStyle, text, x, y }); },
    strokeRect() {}, beginPath() {}, moveTo() {}, lineTo() {}, closePath() {}, fill() {}, stroke() {}, arc() {},
    setLineDash() {}, save() {}, restore() {}, rect() {}, clip() {},
  };
  return { ctx, calls };
}

function load(name) {
  const model = new TraceModel({ dedupeBySeq: true });
  model.add(fixture(name).events);
  const visible = model.runs.map((r) => r.index);
  const offsets = runOffsets(model, visible, false);
  const full = fullExtent(model, visible, offsets);
  const { rows } = layoutRows(model, visible, () => '');
  return { model, offsets, full, rows };
}

function paintLanes(t, domain, width = 800) {
  const { ctx, calls } = recorder();
  const painter = new LanePainter(ctx, { model: t.model, theme: THEME, colorMode: 'function', selected: -1, width, domain, offsets: t.offsets });
  let bars = 0;
  const perLane = [];
  for (const row of t.rows) {
    if (row.kind !== 'worker') continue;
    const start = calls.length;
    bars += painter.workerLane(t.model.lanes[row.lane], row.y, row.height);
    perLane.push({ row, calls: calls.slice(start) });
  }
  return { bars, calls, perLane };
}

test('a fitted thread run paints one bar per task, in its function colour, inside the canvas', () => {
  const t = load('thread');
  const { bars, calls } = paintLanes(t, t.full);
  const tasks = t.model.tasks.count;
  assert.ok(tasks > 0);
  assert.equal(bars, tasks, 'every task is in view when fitted');
  const taskBars = calls.filter((c) => c.op === 'fillRect' && c.fill.startsWith('#fn'));
  assert.ok(taskBars.length >= tasks, 'at least one fill per task');
  for (const b of taskBars) {
    assert.ok(b.x >= -1 && b.x + b.w <= 801, `bar ${b.x}+${b.w} inside the canvas`);
    assert.ok(b.w > 0 && b.h > 0);
  }
  // Every task's middle is covered by a fill in its function's colour, on its own lane.
  const kx = 800 / (t.full[1] - t.full[0]);
  const m = t.model;
  for (let i = 0; i < tasks; i++) {
    const row = t.rows.find((r) => r.kind === 'worker' && r.lane === m.tasks.lane[i]);
    const mid = ((m.tasks.start[i] + m.tasks.end[i]) / 2 + t.offsets[m.tasks.run[i]] - t.full[0]) * kx;
    const hit = taskBars.some((b) => b.fill === `#fn${m.tasks.fn[i]}` && b.x <= mid + 0.5 && mid - 0.5 <= b.x + b.w && b.y >= row.y && b.y < row.y + row.height);
    assert.ok(hit, `task ${i} drawn at ${mid.toFixed(1)} px on its lane`);
  }
});

test('a window left of every task paints no task bars', () => {
  const t = load('thread');
  const span = t.full[1] - t.full[0];
  const { bars, calls } = paintLanes(t, [t.full[0] - 10 * span, t.full[0] - 9 * span]);
  assert.equal(bars, 0);
  assert.equal(calls.filter((c) => c.fill.startsWith('#fn')).length, 0);
});

test('failed tasks narrower than a pixel still get a marker MIN_FAILED_PX wide', () => {
  const t = load('failures');
  const failed = [...Array(t.model.tasks.count).keys()].filter((i) => t.model.tasks.status[i] === TaskStatus.Failed);
  assert.ok(failed.length >= 2, 'the fixture has failures');
  // A window a thousand times wider than the trace: every task is far below a pixel.
  const span = t.full[1] - t.full[0];
  const { calls } = paintLanes(t, [t.full[0], t.full[0] + span * 1000]);
  const markers = calls.filter((c) => c.op === 'fillRect' && c.fill === THEME.failed && c.w >= MIN_FAILED_PX);
  assert.ok(markers.length >= 1, `a failure marker ≥ ${MIN_FAILED_PX} px (got ${JSON.stringify(calls.filter((c) => c.fill === THEME.failed))})`);
});

test('the start-up label is drawn only where its box is on screen, never pinned to the left edge', () => {
  const t = load('process');
  const lane = t.model.lanes.find((l) => l.known && l.startupUs > 0);
  assert.ok(lane, 'a lane with a start-up');
  const off = t.offsets[lane.runIndex];
  const s0 = lane.startT - lane.startupUs + off;
  const s1 = lane.startT + off;
  // Zoomed on the start-up: the label is inside the box.
  const inView = paintLanes(t, [s0 - 1, s1 + 1]);
  const labels = inView.calls.filter((c) => c.op === 'fillText' && c.text.startsWith('start-up'));
  assert.ok(labels.length >= 1, 'label drawn when the box is wide and visible');
  // Window starting after this lane's start-up (and everyone's): no label at the left edge.
  const lastReady = Math.max(...t.model.lanes.map((l) => l.startT + t.offsets[l.runIndex]));
  const after = paintLanes(t, [lastReady + 1, lastReady + 1 + (s1 - s0)]);
  assert.deepEqual(after.calls.filter((c) => c.op === 'fillText' && c.text.startsWith('start-up')), []);
});

test('run names are short (backend and function once); the full name is in the title', () => {
  const t = load('compare');
  for (const run of t.model.runs) {
    const label = runLabel(run);
    const backend = run.start.backend;
    assert.equal(label.split(backend).length - 1, 1, `${label}: backend once`);
    assert.ok(label.length <= 40, `${label} is short`);
    assert.ok(runTitle(run).startsWith(label.split(' · ').slice(0, 2).join(' · ')));
  }
  const header = t.rows.find((r) => r.kind === 'run');
  assert.ok(header.title.length >= header.label.length);
});
