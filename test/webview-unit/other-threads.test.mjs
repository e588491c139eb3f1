// "Other threads of PID n" (issue 14): the CPU of a process's threads that ran no task — Node's libuv pool
// running async crypto, GC helpers, the runner's own thread — from the cpu-samples no worker claimed, on a
// lane of its own under that process's workers, when they did real work; on the lane painter with a
// recording context, and through the model's export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { TraceModel, layoutRows, LanePainter, runOffsets, fullExtent, visibleOtherThreads } = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));

const THEME = {
  background: '#000000', foreground: '#ffffff', muted: '#808080', grid: '#202020', laneAlt: '#101010', queue: '#404040',
  ok: '#00ff00', running: '#0000ff', failed: '#ff0000', cancelled: '#777777', mainWait: '#ffff00', cpu: '#00ffff', focus: '#ff00ff',
  highContrast: false, font: 'sans-serif', fn: (i) => `#fn${i}`,
};

const TICK = 50_000;

/** A process run (runner pid 10, workers 11 and 12); `burst` adds 4 busy pool threads in worker 11's process. */
function events({ burst }) {
  const out = [];
  let seq = 0;
  const push = (e) => out.push({ runId: 'r', seq: seq++, ...e });
  push({ type: 'run-start', t: 0, backend: 'process', workers: 2, fn: 'f', inputsCount: 2, node: 'v20', pid: 10, originUs: 1, cores: 2 });
  // A worker's first samples can arrive before its worker-start: they are its own once it reports.
  push({ type: 'cpu-sample', t: 1_000, pid: 11, tid: 11, cpuUs: 900, intervalUs: 1_000 });
  push({ type: 'worker-start', t: 1_000, workerId: 1, name: 'w1', pid: 11, threadId: 0, tid: 11, startupUs: 900 });
  push({ type: 'worker-start', t: 1_000, workerId: 2, name: 'w2', pid: 12, threadId: 0, tid: 12, startupUs: 900 });
  for (const [k, w] of [[0, 1], [1, 2]]) {
    push({ type: 'task-queued', t: 2_000, taskId: k, fn: 'f', inputPreview: String(k) });
    push({ type: 'task-start', t: 2_000, taskId: k, workerId: w });
  }
  for (let t = TICK; t <= 500_000; t += TICK) {
    push({ type: 'cpu-sample', t, pid: 11, tid: 11, cpuUs: 1_000, intervalUs: TICK });
    push({ type: 'cpu-sample', t, pid: 12, tid: 12, cpuUs: TICK, intervalUs: TICK });
    push({ type: 'cpu-sample', t, pid: 10, tid: 10, cpuUs: 400, intervalUs: TICK });
    if (burst && t > 100_000 && t <= 300_000) {
      for (let p = 0; p < 4; p++) push({ type: 'cpu-sample', t, pid: 11, tid: 20 + p, cpuUs: TICK / 2, intervalUs: TICK });
    }
  }
  for (const [k, w] of [[0, 1], [1, 2]]) push({ type: 'task-end', t: 500_000, taskId: k, workerId: w, ok: true, resultPreview: '1' });
  push({ type: 'run-end', t: 501_000, stats: { wallUs: 501_000, tasks: 2, ok: 2, failed: 0, taskUs: 0, pids: [], threadIds: [], workersStarted: 2 } });
  return out;
}

function model(evts) {
  const m = new TraceModel();
  m.add(evts);
  return m;
}

test('the samples no worker claimed are summed per process; a worker\'s early samples stay its own', () => {
  const m = model(events({ burst: true }));
  const run = m.runs[0];
  const others = m.otherThreadsOf(run);
  assert.deepEqual(others.map((o) => o.pid), [10, 11]);
  const [runner, worker] = others;
  assert.equal(runner.cpuUs, 10 * 400);
  assert.equal(runner.series.length, 1);
  assert.equal(worker.series.length, 4, 'four pool threads; the worker thread itself is not among them');
  assert.equal(worker.cpuUs, 4 * 4 * TICK / 2);
  assert.ok(Math.abs(worker.peakCores - 2) < 1e-9, `peak ${worker.peakCores}`);
  const lane = m.lanes.find((l) => l.pid === 11);
  assert.equal(lane.cpu[0], 1_000, 'the sample before worker-start went to the worker lane');
  // Only the process whose other threads did real work gets a lane.
  assert.deepEqual(visibleOtherThreads(m, run).map((o) => o.pid), [11]);
});

test('the lane sits under its process\'s worker, and is drawn filled to the cores used', () => {
  const m = model(events({ burst: true }));
  const visible = [0];
  const { rows } = layoutRows(m, visible, () => '');
  assert.deepEqual(rows.map((r) => [r.kind, r.label]), [
    ['run', 'Run 1 · process × 2 · f'],
    ['worker', 'PID 11 · main thread · w1'],
    ['other', 'PID 11 · other threads'],
    ['worker', 'PID 12 · main thread · w2'],
  ]);
  const row = rows[2];
  assert.equal(row.newPid, false, 'no separator between a process\'s workers and its other threads');
  assert.match(row.title, /libuv pool/);
  const calls = [];
  const ctx = {
    fillStyle: '', strokeStyle: '', lineWidth: 1, globalAlpha: 1, font: '',
    fillRect(x, y, w, h) { calls.push({ fill: this.fillStyle, x, y, w, h }); },
    fillText() {}, strokeRect() {}, beginPath() {}, moveTo() {}, lineTo() {}, closePath() {}, fill() {}, stroke() {}, arc() {},
    setLineDash() {}, save() {}, restore() {}, rect() {}, clip() {},
  };
  const offsets = runOffsets(m, visible, false);
  const width = 501;
  const painter = new LanePainter(ctx, { model: m, theme: THEME, colorMode: 'function', selected: -1, width, domain: [0, 501_000], offsets });
  const peak = painter.otherThreadsLane(m.runs[0], row.other, row.y, row.height);
  assert.ok(Math.abs(peak - 2) < 0.01, `peak drawn ${peak}`);
  const barH = row.height - 6;
  const cpu = calls.filter((c) => c.fill === '#00ffff');
  const heightAt = (x) => cpu.filter((c) => c.x <= x && x < c.x + c.w).reduce((h, c) => Math.max(h, c.h), 0);
  // 1 px = 1 ms: 2 of 2 cores from 100 to 300 ms, nothing before or after.
  assert.equal(heightAt(200), barH);
  assert.equal(heightAt(50), 0);
  assert.equal(heightAt(400), 0);
});

test('quiet other threads get no lane; the samples survive an export round trip', () => {
  const quiet = model(events({ burst: false }));
  const { rows } = layoutRows(quiet, [0], () => '');
  assert.equal(rows.filter((r) => r.kind === 'other').length, 0);
  const busy = model(events({ burst: true }));
  const again = model(busy.eventsOf(busy.runs[0]));
  assert.deepEqual(again.otherThreadsOf(again.runs[0]).map((o) => [o.pid, o.cpuUs]), busy.otherThreadsOf(busy.runs[0]).map((o) => [o.pid, o.cpuUs]));
  assert.equal(fullExtent(again, [0], runOffsets(again, [0], false))[1] > 0, true);
});

test('the Chrome-trace export has the same as a counter track per process, in cores', async () => {
  const { traceToChrome } = await import(path.join(ROOT, 'dist', 'trace.mjs'));
  const busy = traceToChrome(events({ burst: true })).traceEvents.filter((e) => e.ph === 'C' && e.name.startsWith('on CPU · other threads'));
  assert.ok(busy.length > 0, 'a counter for the busy process');
  assert.deepEqual([...new Set(busy.map((e) => e.pid))], [11], 'only the process whose other threads worked');
  const peak = Math.max(...busy.map((e) => e.args['on CPU']));
  assert.ok(Math.abs(peak - 2) < 0.01, `peak ${peak} cores`);
  assert.equal(busy.at(-1).args['on CPU'], 0, 'back to 0 after the last sample');
  const quiet = traceToChrome(events({ burst: false })).traceEvents.filter((e) => e.ph === 'C' && e.name.startsWith('on CPU · other threads'));
  assert.equal(quiet.length, 0);
});
