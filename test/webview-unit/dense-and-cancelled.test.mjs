// Dense lanes tell the truth and stopped is not failed (issue 14), on the lane painter with a recording
// context: where many tiny tasks share a pixel, the column is filled to the share of its time they covered
// (a 3 %-busy lane looks 3 % busy, not solid); tasks ended by Stop/terminate are grey "cancelled" without
// a failure flag, and the summary counts them apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lib = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));
const { TraceModel, layoutRows, LanePainter, runOffsets, fullExtent, isCancelledTask, isFailedTask, taskFill } = lib;
const { computeRunSummaries } = await import(path.join(ROOT, 'dist', 'trace.mjs'));

const THEME = {
  background: '#000000', foreground: '#ffffff', muted: '#808080', grid: '#202020', laneAlt: '#101010', queue: '#404040',
  ok: '#00ff00', running: '#0000ff', failed: '#ff0000', cancelled: '#777777', mainWait: '#ffff00', cpu: '#00ffff', focus: '#ff00ff',
  highContrast: false, font: 'sans-serif', fn: (i) => `#fn${i}`,
};

function recorder() {
  const calls = [];
  const ctx = {
    fillStyle: '', strokeStyle: '', lineWidth: 1, globalAlpha: 1, font: '',
    fillRect(x, y, w, h) { calls.push({ op: 'fillRect', fill: this.fillStyle, alpha: this.globalAlpha, x, y, w, h }); },
    fillText() {}, strokeRect() {}, beginPath() {}, moveTo() {}, lineTo() {}, closePath() {}, fill() {}, stroke() {}, arc() {},
    setLineDash() {}, save() {}, restore() {}, rect() {}, clip() {},
  };
  return { ctx, calls };
}

/**
 * One process worker lane: `tasks` tasks of `taskUs` every `everyUs` (busy share taskUs/everyUs); some stopped.
 * @param {{ tasks: number, taskUs: number, everyUs: number, stopped?: number[], failed?: number[] }} lane
 */
function run({ tasks, taskUs, everyUs, stopped = [], failed = [] }) {
  const events = [];
  let seq = 0;
  const push = (e) => events.push({ runId: 'r', seq: seq++, ...e });
  push({ type: 'run-start', t: 0, backend: 'process', workers: 1, fn: 'f', inputsCount: tasks, node: 'v20', pid: 10, originUs: 1 });
  push({ type: 'worker-start', t: 0, workerId: 1, name: 'w1', pid: 11, threadId: 0, startupUs: 0 });
  for (let k = 0; k < tasks; k++) {
    const s = 1000 + k * everyUs;
    push({ type: 'task-queued', t: s, taskId: k, fn: 'f', inputPreview: String(k) });
    push({ type: 'task-start', t: s, taskId: k, workerId: 1 });
    if (stopped.includes(k)) push({ type: 'task-end', t: s + taskUs, taskId: k, workerId: 1, ok: false, error: { name: 'PoolTerminated', message: 'Pool was terminated: stopped' } });
    else if (failed.includes(k)) push({ type: 'task-end', t: s + taskUs, taskId: k, workerId: 1, ok: false, error: { name: 'RangeError', message: 'bad' } });
    else push({ type: 'task-end', t: s + taskUs, taskId: k, workerId: 1, ok: true, resultPreview: '1' });
  }
  return events;
}

function paint(events, width = 400) {
  const model = new TraceModel();
  model.add(events);
  const visible = model.runs.map((r) => r.index);
  const offsets = runOffsets(model, visible, false);
  const domain = fullExtent(model, visible, offsets);
  const { rows } = layoutRows(model, visible, () => '');
  const row = rows.find((r) => r.kind === 'worker');
  const { ctx, calls } = recorder();
  const painter = new LanePainter(ctx, { model, theme: THEME, colorMode: 'function', selected: -1, width, domain, offsets });
  painter.workerLane(model.lanes[row.lane], row.y, row.height);
  return { model, calls, row };
}

test('a dense lane 3 % busy is drawn 3 % high, not as a solid band', () => {
  // 20 000 tasks of 3 µs every 100 µs: thousands per pixel column at 400 px.
  const { calls } = paint(run({ tasks: 20_000, taskUs: 3, everyUs: 100 }));
  const bars = calls.filter((c) => c.op === 'fillRect' && c.fill === '#fn1');
  assert.ok(bars.length > 0, 'the dense columns are drawn');
  const covered = bars.reduce((sum, b) => sum + b.w * b.h, 0);
  const fullHeight = Math.max(...calls.filter((c) => c.fill === '#101010').map((c) => c.h));
  const width = bars.reduce((sum, b) => sum + b.w, 0);
  const share = covered / (width * fullHeight);
  assert.ok(share < 0.1, `drawn area is ${(share * 100).toFixed(1)} % of the lane, for a lane 3 % busy`);
  for (const b of bars) assert.ok(b.h < fullHeight / 2, `column ${b.x} is ${b.h}px of ${fullHeight}px`);
});

test('a dense lane 100 % busy is drawn full height', () => {
  const { calls } = paint(run({ tasks: 20_000, taskUs: 100, everyUs: 100 }));
  const bars = calls.filter((c) => c.op === 'fillRect' && c.fill === '#fn1');
  const fullHeight = Math.max(...calls.filter((c) => c.fill === '#101010').map((c) => c.h));
  const tall = bars.filter((b) => b.h >= fullHeight - 1).reduce((s, b) => s + b.w, 0);
  const width = bars.reduce((s, b) => s + b.w, 0);
  assert.ok(tall / width > 0.9, `${(100 * tall / width).toFixed(0)} % of the columns are full height`);
});

test('stopped tasks are cancelled: grey, no failure flag, counted apart from failed', () => {
  const events = run({ tasks: 6, taskUs: 50_000, everyUs: 60_000, stopped: [4, 5], failed: [1] });
  const { model, calls } = paint(events, 800);
  const cancelled = [...Array(model.tasks.count).keys()].filter((i) => isCancelledTask(model, i));
  const failed = [...Array(model.tasks.count).keys()].filter((i) => isFailedTask(model, i));
  assert.equal(cancelled.length, 2);
  assert.equal(failed.length, 1);
  for (const i of cancelled) assert.equal(taskFill(model, i, THEME, 'function'), '#777777');
  assert.equal(taskFill(model, failed[0], THEME, 'function'), '#ff0000');
  assert.ok(calls.some((c) => c.fill === '#777777' && c.w > 10), 'cancelled bars drawn grey');
  // The failure flag (a red mark) appears for the one failure only: red fills are its bar and its flag.
  const red = calls.filter((c) => c.fill === '#ff0000');
  const redX = new Set(red.map((c) => Math.round(c.x / 50)));
  assert.ok(redX.size <= 2, `red only around the failed task: ${JSON.stringify(red.map((c) => c.x))}`);
  const [s] = computeRunSummaries(events);
  assert.deepEqual([s.ok, s.failed, s.cancelled], [3, 1, 2]);
});
