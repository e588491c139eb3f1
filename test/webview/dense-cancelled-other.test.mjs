// Honest pictures (issue 14), checked by PIXELS on the canvas of the standalone page:
// - a lane of 200 000 tiny tasks that kept its worker 3 % busy looks 3 % busy (not a solid bar), next
//   to a lane that was busy all the time;
// - tasks cut short by Stop are grey "cancelled", not red "failed", and are counted apart;
// - the CPU that the threads of a worker's process used outside any task (Node's libuv pool running
//   async crypto) is drawn on an "other threads of PID n" lane, where and when it was used.
// The traces are synthetic, so the checks do not depend on how busy this machine is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cssRgb, launchBrowser, legendMarkCss, openPage, reportHtml, settle, taskRect } from './browser.mjs';
import { eventRecorder } from '../fixtures/event-recorder.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });


const stats = (tasks) => ({ wallUs: 0, tasks, ok: tasks, failed: 0, taskUs: 0, pids: [], threadIds: [], workersStarted: 1 });

/** The colour a legend entry's mark is drawn in ([r, g, b]), found by the entry's text; undefined without one. */
async function legendColour(page, text) {
  const css = await legendMarkCss(page, text);
  return css === undefined ? undefined : cssRgb(page, css);
}

/** A theme colour as the timeline reads it (webview/theme.ts: the CSS variable on <body>, else its default). */
async function themeColour(page, variable, fallback) {
  const css = await page.evaluate((name) => getComputedStyle(document.body).getPropertyValue(name).trim(), variable);
  return cssRgb(page, css || fallback);
}

/** The client rectangle of the lane whose label contains `text`. */
async function laneBox(page, text) {
  return page.evaluate((t) => {
    const el = [...document.querySelectorAll('.ps-lane-label')].find((e) => e.textContent?.includes(t));
    if (!el) return undefined;
    const r = el.getBoundingClientRect();
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector('.ps-canvas')).getBoundingClientRect();
    return { top: r.top, height: r.height, left: c.left, width: c.width };
  }, text);
}

/**
 * Shares of the pixels in a canvas rectangle (client coordinates) close to `colour`, and different from the
 * background; `columns` gives, per pixel column, the share of its height in `colour`.
 */
async function pixelShares(page, box, colour) {
  return page.evaluate(([b, col]) => {
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector('.ps-canvas'));
    const r = c.getBoundingClientRect();
    const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
    const x0 = Math.max(0, Math.round(b.x - r.left));
    const x1 = Math.min(c.width, Math.round(b.x + b.width - r.left));
    const y0 = Math.round(b.y - r.top);
    const y1 = Math.round(b.y + b.height - r.top);
    const data = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
    const bg = [...ctx.getImageData(c.width - 2, c.height - 2, 1, 1).data.slice(0, 3)];
    const dist = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    const w = x1 - x0;
    const columns = new Array(w).fill(0);
    let match = 0;
    let drawn = 0;
    for (let k = 0; k < data.length; k += 4) {
      const px = [data[k], data[k + 1], data[k + 2]];
      if (dist(px, col) < 40) { match++; columns[(k / 4) % w]++; }
      if (dist(px, bg) > 12) drawn++;
    }
    const n = data.length / 4;
    const h = y1 - y0;
    return { match: match / n, drawn: drawn / n, columns: columns.map((m) => m / h) };
  }, [box, colour]);
}

test('200 000 tiny tasks 3 % busy are drawn about 3 % high, not merged into a solid bar', async () => {
  const { events, emit } = eventRecorder();
  const N = 200_000;
  emit('dense', { type: 'run-start', t: 0, backend: 'process', workers: 2, fn: 'tiny', inputsCount: N + 2000, node: 'v20.0.0', pid: 10, originUs: 1e9 });
  emit('dense', { type: 'worker-start', t: 100, workerId: 1, name: 'sparse-worker', pid: 11, threadId: 0, startupUs: 100 });
  emit('dense', { type: 'worker-start', t: 100, workerId: 2, name: 'busy-worker', pid: 12, threadId: 0, startupUs: 100 });
  // Worker 1: a 3 µs task every 100 µs (3 % busy) for 20 s. Worker 2: 10 ms tasks back to back (100 % busy).
  for (let k = 0; k < N; k++) {
    const s = 1_000 + k * 100;
    emit('dense', { type: 'task-queued', t: s, taskId: k, fn: 'tiny', inputPreview: String(k) });
    emit('dense', { type: 'task-start', t: s, taskId: k, workerId: 1 });
    emit('dense', { type: 'task-end', t: s + 3, taskId: k, workerId: 1, ok: true, resultPreview: '1' });
  }
  for (let k = 0; k < 2000; k++) {
    const s = 1_000 + k * 10_000;
    const id = N + k;
    emit('dense', { type: 'task-queued', t: s, taskId: id, fn: 'tiny', inputPreview: String(id) });
    emit('dense', { type: 'task-start', t: s, taskId: id, workerId: 2 });
    emit('dense', { type: 'task-end', t: s + 10_000, taskId: id, workerId: 2, ok: true, resultPreview: '1' });
  }
  const endT = 1_000 + N * 100 + 1_000;
  emit('dense', { type: 'run-end', t: endT, stats: stats(N + 2000) });

  const { page, context, problems } = await openPage(browser, await reportHtml(events, 'dense'), { viewport: { width: 1400, height: 900 } });
  try {
    await settle(page);
    const fn = await legendColour(page, 'tiny');
    assert.ok(fn, 'the legend names the function');
    const sparse = await laneBox(page, 'sparse-worker');
    const busy = await laneBox(page, 'busy-worker');
    assert.ok(sparse && busy, 'both lanes are laid out');
    // The bar band of each lane (worker rows draw bars from 5 px below the top to 8 px above the bottom), inside the run.
    const band = (lane) => ({ x: lane.left + 20, width: lane.width - 40, y: lane.top + 5, height: lane.height - 13 });
    const s = await pixelShares(page, band(sparse), fn);
    const b = await pixelShares(page, band(busy), fn);
    assert.ok(s.match < 0.15, `3 %-busy lane: ${(s.match * 100).toFixed(1)} % of its band in the task colour`);
    assert.ok(s.match > 0, 'the tiny tasks are still drawn');
    const solid = s.columns.filter((x) => x > 0.6).length;
    assert.ok(solid < s.columns.length * 0.02, `${solid} of ${s.columns.length} columns of the 3 %-busy lane look solid`);
    assert.ok(b.match > 0.8, `100 %-busy lane: ${(b.match * 100).toFixed(1)} % of its band in the task colour`);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('tasks cut short by Stop are grey "cancelled", not red "failed", and counted apart', async () => {
  const { events, emit } = eventRecorder();
  emit('stopped', { type: 'run-start', t: 0, backend: 'thread', workers: 2, fn: 'spin', inputsCount: 8, node: 'v20.0.0', pid: 20, originUs: 1e9 });
  for (const w of [1, 2]) emit('stopped', { type: 'worker-start', t: 100, workerId: w, name: `worker-${w}`, pid: 20, threadId: w, startupUs: 100 });
  for (let k = 0; k < 8; k++) emit('stopped', { type: 'task-queued', t: 200, taskId: k, fn: 'spin', inputPreview: String(k) });
  // Two tasks each finish; then one per worker runs until Stop at 400 ms; the rest never start.
  for (const [k, w, s] of [[0, 1, 1_000], [1, 2, 1_000], [2, 1, 101_000], [3, 2, 101_000]]) {
    emit('stopped', { type: 'task-start', t: s, taskId: k, workerId: w });
    emit('stopped', { type: 'task-end', t: s + 100_000, taskId: k, workerId: w, ok: true, resultPreview: '1' });
  }
  const stopT = 400_000;
  for (const [k, w] of [[4, 1], [5, 2]]) {
    emit('stopped', { type: 'task-start', t: 201_000, taskId: k, workerId: w });
    emit('stopped', { type: 'task-end', t: stopT, taskId: k, workerId: w, ok: false, error: { name: 'PoolTerminated', message: 'Pool was terminated: the run was stopped' } });
  }
  for (const k of [6, 7]) emit('stopped', { type: 'task-end', t: stopT, taskId: k, workerId: -1, ok: false, error: { name: 'PoolTerminated', message: 'Pool was terminated: the run was stopped' } });
  for (const w of [1, 2]) emit('stopped', { type: 'worker-exit', t: stopT + 100, workerId: w, code: 1, signal: null, reason: 'killed' });
  emit('stopped', { type: 'run-end', t: stopT + 200, stats: stats(8), error: { name: 'RunStopped', message: 'the run was stopped' } });

  const { page, context, problems } = await openPage(browser, await reportHtml(events, 'stopped'), { viewport: { width: 1400, height: 900 } });
  try {
    await settle(page);
    const cancelled = await themeColour(page, '--ps-cancelled', '#8b8b8b');
    const failed = await themeColour(page, '--ps-failed', '#f14c4c');
    const legend = await page.textContent('.ps-legend');
    assert.match(legend ?? '', /cancelled/);
    for (const taskId of [4, 5]) {
      const rect = await taskRect(page, 'stopped', taskId);
      assert.ok(rect.width > 20, `stopped task ${taskId} is drawn: ${JSON.stringify(rect)}`);
      const inner = { x: rect.x + 2, y: rect.y + 1, width: rect.width - 5, height: rect.height - 2 };
      const grey = await pixelShares(page, inner, cancelled);
      const red = await pixelShares(page, inner, failed);
      assert.ok(grey.match > 0.8, `task ${taskId}: ${(grey.match * 100).toFixed(0)} % of its bar in the cancelled grey`);
      assert.equal(red.match, 0, `task ${taskId}: no pixel in the failed red`);
    }
    // No failure flag anywhere on the lanes.
    for (const w of ['worker-1', 'worker-2']) {
      const lane = await laneBox(page, w);
      const red = await pixelShares(page, { x: lane.left, width: lane.width, y: lane.top, height: lane.height }, failed);
      assert.equal(red.match, 0, `${w}: no red on the lane`);
    }
    const [run] = await page.evaluate(() => window.__poolscope.runs);
    assert.equal(run.ok, 4);
    assert.equal(run.cancelled, 4);
    assert.equal(run.failed, 0);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('CPU of the threads of a worker\'s process that ran no task (libuv pool) is drawn on an "other threads of PID n" lane', async () => {
  const { events, emit } = eventRecorder();
  const TICK = 50_000;
  // Event loop, 4 async pbkdf2 calls in flight: the worker thread only starts them (short slices); the
  // work runs on four libuv pool threads of the same process, at 0.5 core each (2 cores), 100–400 ms.
  emit('crypto', { type: 'run-start', t: 0, backend: 'event-loop', workers: 4, fn: 'hash', inputsCount: 4, node: 'v20.0.0', pid: 30, originUs: 1e9, cores: 2 });
  emit('crypto', { type: 'worker-start', t: 100, workerId: 1, name: 'event-loop', pid: 30, threadId: 1, tid: 31, startupUs: 100 });
  for (let k = 0; k < 4; k++) {
    emit('crypto', { type: 'task-queued', t: 1_000, taskId: k, fn: 'hash', inputPreview: String(k) });
    emit('crypto', { type: 'task-start', t: 2_000 + k * 100, taskId: k, workerId: 1 });
    emit('crypto', { type: 'task-slice', taskId: k, workerId: 1, start: 2_000 + k * 100, end: 2_050 + k * 100 });
  }
  for (let t = TICK; t <= 500_000; t += TICK) {
    emit('crypto', { type: 'cpu-sample', t, pid: 30, tid: 31, cpuUs: 200, intervalUs: TICK });
    // The runner's own main thread: a little CPU all along.
    emit('crypto', { type: 'cpu-sample', t, pid: 30, tid: 30, cpuUs: 500, intervalUs: TICK });
    if (t > 100_000 && t <= 400_000) {
      for (let p = 0; p < 4; p++) emit('crypto', { type: 'cpu-sample', t, pid: 30, tid: 40 + p, cpuUs: TICK / 2, intervalUs: TICK });
    }
  }
  for (let k = 0; k < 4; k++) {
    emit('crypto', { type: 'task-slice', taskId: k, workerId: 1, start: 400_500 + k * 100, end: 400_550 + k * 100 });
    emit('crypto', { type: 'task-end', t: 400_550 + k * 100, taskId: k, workerId: 1, ok: true, resultPreview: '<Buffer>' });
  }
  emit('crypto', { type: 'worker-exit', t: 501_000, workerId: 1, code: 0, signal: null, reason: 'idle' });
  emit('crypto', { type: 'run-end', t: 501_000, stats: stats(4) });

  // A second run whose process's other threads only ticked over: no lane for them.
  emit('quiet', { type: 'run-start', t: 0, backend: 'thread', workers: 1, fn: 'hash', inputsCount: 1, node: 'v20.0.0', pid: 50, originUs: 1e9, cores: 2 });
  emit('quiet', { type: 'worker-start', t: 100, workerId: 1, name: 'quiet-worker', pid: 50, threadId: 1, tid: 51, startupUs: 100 });
  emit('quiet', { type: 'task-queued', t: 1_000, taskId: 0, fn: 'hash', inputPreview: '0' });
  emit('quiet', { type: 'task-start', t: 1_000, taskId: 0, workerId: 1 });
  for (let t = TICK; t <= 500_000; t += TICK) {
    emit('quiet', { type: 'cpu-sample', t, pid: 50, tid: 51, cpuUs: TICK, intervalUs: TICK });
    emit('quiet', { type: 'cpu-sample', t, pid: 50, tid: 50, cpuUs: 300, intervalUs: TICK });
  }
  emit('quiet', { type: 'task-end', t: 500_000, taskId: 0, workerId: 1, ok: true, resultPreview: '1' });
  emit('quiet', { type: 'run-end', t: 501_000, stats: stats(1) });

  const { page, context, problems } = await openPage(browser, await reportHtml(events, 'other threads'), { viewport: { width: 1400, height: 1200 } });
  try {
    await settle(page);
    const lanes = await page.evaluate(() => window.__poolscope.lanes);
    const others = lanes.filter((l) => l.kind === 'other');
    assert.deepEqual(others.map((l) => [l.runId, l.label, l.pid]), [['crypto', 'PID 30 · other threads', 30]],
      `one other-threads lane, for the run whose pool threads worked: ${JSON.stringify(others)}`);
    // 4 threads × 150 ms of the libuv pool + the runner's 10 × 0.5 ms.
    assert.equal(others[0]?.otherCpuUs, 4 * 6 * TICK / 2 + 10 * 500);
    assert.ok(Math.abs((others[0]?.otherPeakCores ?? 0) - 2) < 0.1, `peak ${others[0]?.otherPeakCores} cores`);

    // Only the crypto run on screen, so pixels map to its clock.
    await page.evaluate(() => window.__poolscope.setDomain(0, 501_000));
    await settle(page);
    const cpu = await themeColour(page, '--ps-cpu', '#89d185');
    const lane = await laneBox(page, 'PID 30 · other threads');
    assert.ok(lane, 'the lane has its label');
    const x = (t) => lane.left + (t / 501_000) * lane.width;
    const band = (a, b) => ({ x: x(a), width: x(b) - x(a), y: lane.top + 3, height: lane.height - 6 });
    const during = await pixelShares(page, band(150_000, 350_000), cpu);
    const before = await pixelShares(page, band(5_000, 90_000), cpu);
    const afterwards = await pixelShares(page, band(410_000, 495_000), cpu);
    // 2 cores of a 2-core run: the lane is full while the pool worked, almost empty around it.
    assert.ok(during.match > 0.85, `while the pool worked: ${(during.match * 100).toFixed(0)} % of the lane in the on-CPU colour`);
    assert.ok(before.match < 0.1, `before: ${(before.match * 100).toFixed(0)} %`);
    assert.ok(afterwards.match < 0.1, `after: ${(afterwards.match * 100).toFixed(0)} %`);
    const label = await page.evaluate(() => [...document.querySelectorAll('.ps-lane-label')].find((e) => e.textContent?.includes('other threads'))?.getAttribute('title'));
    assert.match(label ?? '', /libuv pool/);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});
