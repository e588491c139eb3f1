// Runs beyond one machine (issue 20) on the standalone page, checked in Chromium: lanes grouped under a
// heading per host (DOM rows in order, host → its workers), the host line in the stats line and the
// summary, and an engine's task phases (Dask's transfer / compute) drawn inside the bars — checked by
// PIXELS on the canvas. The traces are synthetic (a py-dask run over two machines cannot be made on
// this one), shaped as the py-dask backend writes them: worker-start.host, task-end.phases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasPixel, cssRgb, launchBrowser, legendMarkCss, openPage, reportHtml, screenshot, settle, taskAt, taskRect } from './browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A py-dask run over two hosts, two worker processes each with one thread; task 0 has a long transfer before compute. */
function twoHostRun() {
  const events = [];
  let seq = 0;
  const emit = (e) => events.push({ runId: 'dask', seq: seq++, ...e });
  emit({ type: 'run-start', t: 0, backend: 'py-dask', workers: 4, fn: 'work', inputsCount: 8, node: 'Python 3.11.2', pid: 10,
    originUs: 1e9, hosts: ['10.0.0.6', '10.0.0.5'] });
  // Reported in an order that is not the display order: the layout sorts hosts by name, then PIDs.
  const workers = [
    { id: 1, host: '10.0.0.6', pid: 300 }, { id: 2, host: '10.0.0.5', pid: 200 },
    { id: 3, host: '10.0.0.5', pid: 100 }, { id: 4, host: '10.0.0.6', pid: 400 },
  ];
  for (const w of workers) {
    emit({ type: 'worker-start', t: 1_000, workerId: w.id, name: `tcp://${w.host}:4${w.pid} · Dask-Default-Threads-${w.pid}-0`,
      pid: w.pid, threadId: w.pid + 1, startupUs: 900_000, host: w.host });
  }
  for (let k = 0; k < 8; k++) emit({ type: 'task-queued', t: 2_000, taskId: k, fn: 'work', inputPreview: String(k) });
  for (let k = 0; k < 8; k++) {
    const w = workers[k % 4];
    const start = 10_000 + Math.floor(k / 4) * 110_000;
    const end = start + 100_000;
    // Task 0: transfer for the first 40 %, a gap (the engine between phases), compute for the last half.
    const phases = k === 0
      ? [{ name: 'transfer', start, end: start + 40_000 }, { name: 'compute', start: start + 50_000, end }]
      : [{ name: 'deserialize', start, end: start + 2_000 }, { name: 'compute', start: start + 2_000, end }];
    emit({ type: 'task-start', t: start, taskId: k, workerId: w.id });
    emit({ type: 'task-end', t: end, taskId: k, workerId: w.id, ok: true, resultPreview: String(k * k), cpuUs: 90_000, phases });
  }
  for (const w of workers) emit({ type: 'worker-exit', t: 240_000, workerId: w.id, code: null, signal: null, reason: 'idle' });
  emit({ type: 'run-end', t: 240_000, stats: { wallUs: 240_000, tasks: 8, ok: 8, failed: 0, taskUs: 800_000, pids: [100, 200, 300, 400], threadIds: [], workersStarted: 4 } });
  return events;
}

/** A thread run on this machine: no host headings, no host line. */
function localRun() {
  const events = [];
  let seq = 0;
  const emit = (e) => events.push({ runId: 'local', seq: seq++, ...e });
  emit({ type: 'run-start', t: 0, backend: 'thread', workers: 2, fn: 'work', inputsCount: 2, node: 'v20.0.0', pid: 10, originUs: 1e9 });
  for (const id of [1, 2]) emit({ type: 'worker-start', t: 100, workerId: id, name: `Thread-${id}`, pid: 10, threadId: id, startupUs: 50 });
  for (const id of [0, 1]) {
    emit({ type: 'task-queued', t: 200, taskId: id, fn: 'work', inputPreview: String(id) });
    emit({ type: 'task-start', t: 300, taskId: id, workerId: id + 1 });
    emit({ type: 'task-end', t: 50_300, taskId: id, workerId: id + 1, ok: true, resultPreview: '1' });
  }
  emit({ type: 'run-end', t: 51_000, stats: { wallUs: 51_000, tasks: 2, ok: 2, failed: 0, taskUs: 100_000, pids: [10], threadIds: [1, 2], workersStarted: 2 } });
  return events;
}

/** RGB of the canvas at client (x, y). */
async function pixelAt(page, x, y) {
  return (await canvasPixel(page, x, y)).slice(0, 3);
}

const near = (a, b, tol = 12) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) <= tol;

test('a run over two machines: a heading per host, its worker lanes under it (hosts by name, then PIDs), and the host line', async () => {
  const { page, context, problems } = await openPage(browser, await reportHtml(twoHostRun(), 'dask over two hosts'));
  try {
    await settle(page);
    const rows = await page.evaluate(() => window.__poolscope.lanes);
    assert.deepEqual(rows.map((r) => [r.kind, r.kind === 'host' ? r.label : r.pid, r.host]), [
      ['host', '10.0.0.5', '10.0.0.5'], ['worker', 100, '10.0.0.5'], ['worker', 200, '10.0.0.5'],
      ['host', '10.0.0.6', '10.0.0.6'], ['worker', 300, '10.0.0.6'], ['worker', 400, '10.0.0.6'],
    ]);
    assert.equal(rows[0].detail, '2 processes · 2 lanes');
    await screenshot(page, 'hosts');
    // The DOM labels, top to bottom: the headings are real rows the user reads, the workers indented under them.
    const labels = await page.$$eval('.ps-lane-label', (els) => els.map((el) => ({
      kind: el.dataset.kind, host: el.dataset.host, text: el.textContent, top: parseFloat(el.style.top), indent: getComputedStyle(el).paddingLeft,
    })));
    const hostLabels = labels.filter((l) => l.kind === 'host');
    assert.deepEqual(hostLabels.map((l) => l.text), ['10.0.0.52 processes · 2 lanes', '10.0.0.62 processes · 2 lanes']);
    const workers = labels.filter((l) => l.kind === 'worker');
    assert.ok(workers.every((w) => w.host && w.indent === '28px'), `worker labels under a host are indented: ${JSON.stringify(workers)}`);
    const under6 = workers.filter((w) => w.host === '10.0.0.6');
    assert.ok(under6.every((w) => w.top > hostLabels[1].top), 'the 10.0.0.6 lanes sit below its heading');
    assert.equal(await page.textContent('.ps-stat-hosts'), '2 hosts (10.0.0.5, 10.0.0.6), 4 processes, 4 threads');
    assert.equal(await page.textContent('.ps-identity-hosts'), '2 hosts (10.0.0.5, 10.0.0.6), 4 processes, 4 threads');
    // The tooltip names the machine.
    const rect = await taskRect(page, 'dask', 1);
    const info = await taskAt(page, rect.x + rect.width / 2, rect.y + rect.height / 2);
    assert.equal(info.host, '10.0.0.5', 'task 1 ran on worker 2, on 10.0.0.5');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.console, []);
    assert.deepEqual(await problems.csp(), []);
  } finally {
    await context.close();
  }
});

test('Dask phases are drawn inside the bar: transfer in its colour, compute in the task colour, the gap between them pale', async () => {
  const { page, context, problems } = await openPage(browser, await reportHtml(twoHostRun(), 'dask phases'));
  try {
    await settle(page);
    // Zoom onto task 0 (10 → 110 ms) so its phases are wide.
    await page.evaluate(() => window.__poolscope.setDomain(0, 130_000));
    await settle(page);
    const rect = await taskRect(page, 'dask', 0);
    assert.ok(rect.width > 400, `task 0 drawn wide: ${JSON.stringify(rect)}`);
    const y = rect.y + rect.height / 2;
    const at = (share) => pixelAt(page, rect.x + rect.width * share, y);
    const legendMark = (/** @type {string} */ label) => legendMarkCss(page, label);
    const transferCss = await legendMark('engine: transfer');
    const computeCss = await legendMark('compute (the task\'s colour)');
    assert.ok(transferCss && computeCss, 'the legend names the phases');
    assert.ok(await legendMark('engine: deserialize'), 'every phase name in the trace is in the legend');
    const transfer = await cssRgb(page, transferCss);
    const compute = await cssRgb(page, computeCss);
    // The lane's own band, 5 ms after the bar (the next task on this lane starts 10 ms after it ends).
    const band = await at(1.05);
    const inTransfer = await at(0.2);
    const inGap = await at(0.45);
    const inCompute = await at(0.8);
    assert.ok(near(inTransfer, transfer), `transfer part ${inTransfer} is the transfer colour ${transfer}`);
    assert.ok(near(inCompute, compute), `compute part ${inCompute} is the task colour ${compute}`);
    // Pale = the task colour at 30 % over the lane band (WAITING_ALPHA), as a waiting part of any bar.
    const pale = band.map((c, k) => Math.round(c * 0.7 + compute[k] * 0.3));
    assert.ok(near(inGap, pale, 20), `the gap ${inGap} is pale ${pale} (band ${band}, task colour ${compute})`);
    const info = await taskAt(page, rect.x + rect.width * 0.8, y);
    assert.deepEqual(info.phases, [{ name: 'transfer', us: 40_000 }, { name: 'compute', us: 50_000 }]);
    await screenshot(page, 'dask-phases');
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('a run on one machine with a local backend has no host headings and no host line', async () => {
  const { page, context } = await openPage(browser, await reportHtml(localRun(), 'local'));
  try {
    await settle(page);
    const rows = await page.evaluate(() => window.__poolscope.lanes);
    assert.deepEqual(rows.map((r) => r.kind), ['worker', 'worker']);
    assert.equal(await page.$('.ps-stat-hosts'), null);
    assert.equal(await page.$('.ps-lane-host'), null);
  } finally {
    await context.close();
  }
});
