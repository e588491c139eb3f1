// Bars drawn as they ran (issue 22): a task bar is full colour for the share of its time its thread
// was on a CPU and pale while it waited. Checked by PIXELS on the canvas of the standalone page:
// a py-thread bar (four threads taking turns under one GIL) is mostly pale, a py-process bar mostly
// full colour, and the legend names both styles. The trace is synthetic, so the check does not
// depend on how busy this machine is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cssRgb, launchBrowser, openPage, reportHtml, settle, taskAt, taskRect } from './browser.mjs';
import { defined } from '../fixtures/trace-events.mjs';
import { eventRecorder } from '../fixtures/event-recorder.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const TICK = 5_000;

/**
 * A compare of py-thread × 4 and py-process × 2 on one clock, 4 tasks of the same function each.
 * py-thread: each 5 ms sample interval one of the four threads holds the GIL (turns); py-process:
 * both processes on a CPU in every interval.
 */
function gilCompare() {
  const { events, emit } = eventRecorder();
  const runs = [
    { runId: 'py-thread', backend: 'py-thread', workers: 4, pid: 100, t0: 0, taskUs: 400_000 },
    { runId: 'py-process', backend: 'py-process', workers: 2, pid: 200, t0: 450_000, taskUs: 100_000 },
  ];
  for (const r of runs) {
    emit(r.runId, { type: 'run-start', t: r.t0, backend: r.backend, workers: r.workers, fn: 'work', inputsCount: 4, node: 'Python 3.11.7',
      pid: r.pid, originUs: 1e9, compareId: 'c1', label: `${r.backend} · GIL enabled`, gil: true });
    const lanes = r.backend === 'py-thread' ? [1, 2, 3, 4] : [1, 2];
    for (const w of lanes) {
      const pid = r.backend === 'py-thread' ? r.pid : r.pid + w;
      const tid = r.backend === 'py-thread' ? r.pid + w : pid;
      emit(r.runId, { type: 'worker-start', t: r.t0 + 100, workerId: w, name: `${r.backend}-worker-${w}`, pid, threadId: tid, tid, startupUs: 100 });
    }
    for (let k = 0; k < 4; k++) emit(r.runId, { type: 'task-queued', t: r.t0 + 200, taskId: k, fn: 'work', inputPreview: '2000000' });
    const perLane = 4 / lanes.length;
    const ends = [];
    for (const [li, w] of lanes.entries()) {
      for (let j = 0; j < perLane; j++) {
        const taskId = li * perLane + j;
        const start = r.t0 + 1_000 + j * r.taskUs;
        emit(r.runId, { type: 'task-start', t: start, taskId, workerId: w });
        ends.push({ t: start + r.taskUs, taskId, workerId: w });
      }
      const pid = r.backend === 'py-thread' ? r.pid : r.pid + w;
      const tid = r.backend === 'py-thread' ? r.pid + w : pid;
      const until = r.t0 + 1_000 + perLane * r.taskUs;
      for (let t = r.t0 + 1_000 + TICK, k = 0; t <= until; t += TICK, k++) {
        // Threads: the GIL goes round — this thread's turn every fourth interval. Processes: a core each.
        const cpuUs = r.backend === 'py-thread' ? (k % 4 === li ? TICK : 0) : Math.round(TICK * 0.97);
        if (cpuUs > 0) emit(r.runId, { type: 'cpu-sample', t, pid, tid, cpuUs, intervalUs: TICK });
      }
    }
    for (const e of ends) emit(r.runId, { type: 'task-end', t: e.t, taskId: e.taskId, workerId: e.workerId, ok: true, resultPreview: '1' });
    const endT = Math.max(...ends.map((e) => e.t)) + 500;
    for (const w of lanes) emit(r.runId, { type: 'worker-exit', t: endT, workerId: w, code: 0, signal: null, reason: 'idle' });
    emit(r.runId, { type: 'run-end', t: endT, stats: { wallUs: endT - r.t0, tasks: 4, ok: 4, failed: 0, taskUs: 4 * r.taskUs, pids: [], threadIds: [], workersStarted: lanes.length } });
  }
  return events;
}

/** Share of a bar's pixels in full colour and in the waiting style (neither full colour nor background). */
async function barStyles(page, runId, taskId) {
  const rect = await taskRect(page, runId, taskId);
  assert.ok(rect.width > 20, `task ${runId}#${taskId} drawn wide enough to judge: ${JSON.stringify(rect)}`);
  // The legend's on-CPU swatch is the function's colour at full strength.
  const markCss = await page.evaluate(() => {
    const mark = document.querySelector('.ps-mark-on-cpu');
    return mark ? getComputedStyle(mark).getPropertyValue('--mark').trim() : '';
  });
  assert.ok(markCss, 'the legend has the on-CPU swatch');
  const fullRgb = await cssRgb(page, markCss);
  return page.evaluate(({ rc, full }) => {
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector('.ps-canvas'));
    const r = c.getBoundingClientRect();
    const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
    const bg = [...ctx.getImageData(c.width - 2, c.height - 2, 1, 1).data.slice(0, 3)];
    const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    // Inside the bar, away from its edges (hairline gap, high-contrast border).
    const x0 = Math.ceil(rc.x - r.left) + 2;
    const x1 = Math.floor(rc.x + rc.width - r.left) - 3;
    const y0 = Math.ceil(rc.y - r.top) + 1;
    const y1 = Math.floor(rc.y + rc.height - r.top) - 1;
    const data = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
    let running = 0;
    let waiting = 0;
    let other = 0;
    for (let k = 0; k < data.length; k += 4) {
      const px = [data[k], data[k + 1], data[k + 2]];
      if (dist(px, full) < 30) running++;
      else if (dist(px, bg) > 12) waiting++;
      else other++;
    }
    const n = running + waiting + other;
    return { running: running / n, waiting: waiting / n, other: other / n, full, bg };
  }, { rc: rect, full: fullRgb });
}

test('a py-thread bar is drawn mostly waiting (pale), a py-process bar mostly running (full colour); the legend names both', async () => {
  const { page, context, problems } = await openPage(browser, await reportHtml(gilCompare(), 'GIL'), { viewport: { width: 1400, height: 1000 } });
  try {
    await settle(page);
    const thread = await barStyles(page, 'py-thread', 0);
    const proc = await barStyles(page, 'py-process', 0);
    // One GIL among four threads: each bar is on a CPU about a quarter of its time.
    assert.ok(thread.waiting > 0.55, `py-thread bar mostly waiting: ${JSON.stringify(thread)}`);
    assert.ok(thread.running > 0.1 && thread.running < 0.45, `py-thread bar has its turns in full colour: ${JSON.stringify(thread)}`);
    assert.ok(proc.running > 0.8, `py-process bar mostly running: ${JSON.stringify(proc)}`);
    assert.ok(proc.waiting < 0.2, `py-process bar hardly waiting: ${JSON.stringify(proc)}`);

    const legend = await page.textContent('.ps-legend');
    assert.match(legend ?? '', /on CPU \(full colour/);
    assert.match(legend ?? '', /waiting: GIL, event loop or a busy core \(pale\)/);

    // The tooltip's data: on-CPU time and fraction from the thread's samples.
    const rect = await taskRect(page, 'py-thread', 0);
    const info = await taskAt(page, rect.x + rect.width / 2, rect.y + rect.height / 2);
    assert.equal(info.taskId, 0);
    assert.equal(info.cpuSource, 'sampled');
    assert.ok(Math.abs(defined(info.cpuFraction) - 0.25) < 0.03, `py-thread task on CPU ${info.cpuFraction}`);

    // Per-run and per-lane means in the summary data.
    const runs = await page.evaluate(() => window.__poolscope.runs);
    const byId = Object.fromEntries(runs.map((r) => [r.runId, r]));
    const [pyThread, pyProcess] = [defined(byId['py-thread'], 'the py-thread run'), defined(byId['py-process'], 'the py-process run')];
    assert.ok(Math.abs(defined(pyThread.cpuFraction) - 0.25) < 0.03, `py-thread mean ${pyThread.cpuFraction}`);
    assert.ok(defined(pyProcess.cpuFraction) > 0.9, `py-process mean ${pyProcess.cpuFraction}`);
    for (const u of pyThread.utilization) assert.ok(defined(u.cpuFraction) < 0.3, `${u.name} ${u.cpuFraction}`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.console, []);
  } finally {
    await context.close();
  }
});
