// A large trace's first frame is drawn before its rows are folded into the model: each lane from its busy
// sketch (the real busy share per pixel column, coarse). Checked here: lanes busy 3 %, 25 %, 60 % and 95 % of
// the time look that busy in the coarse frame, as in the exact frame; a failure is red there too; and once the
// fold ends the model, the summary, tooltips, the task table and the picture itself equal a page that folded
// every batch on arrival.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cssRgb, launchBrowser, openPage, panelHtml, ROOT, settle } from './browser.mjs';

const { eventMessages } = await import(path.join(ROOT, 'dist', 'webview-protocol.mjs'));

const SHARES = [0.03, 0.25, 0.6, 0.95];
const PERIOD_US = 1000;
const PER_LANE = 8000;
const FAILED_TASK = 4 * 4000; // on lane 0, half way

/** One run: worker w starts a task every PERIOD_US, busy SHARES[w] of each period; one failure. */
function trace() {
  const runId = 'coarse-1';
  const n = PER_LANE * SHARES.length;
  let seq = 0;
  const ev = (e) => ({ ...e, runId, seq: seq++ });
  const events = [ev({ type: 'run-start', t: 0, backend: 'thread', workers: SHARES.length, fn: 'work', inputsCount: n, node: 'v20', pid: 4242, originUs: 1e9 })];
  SHARES.forEach((_, w) => events.push(ev({ type: 'worker-start', t: 500, workerId: w, name: `PoolWorker-${w + 1}`, pid: 4242, threadId: w + 1, startupUs: 500 })));
  for (let k = 0; k < PER_LANE; k++) {
    SHARES.forEach((share, w) => {
      const id = k * SHARES.length + w;
      const s = 1000 + k * PERIOD_US;
      events.push(ev({ type: 'task-queued', t: s - 10, taskId: id, fn: 'work', inputPreview: `[${id}]` }));
      events.push(ev({ type: 'task-start', t: s, taskId: id, workerId: w }));
      events.push(id === FAILED_TASK
        ? ev({ type: 'task-end', t: s + share * PERIOD_US, taskId: id, workerId: w, ok: false, error: { name: 'ValueError', message: 'bad input' } })
        : ev({ type: 'task-end', t: s + share * PERIOD_US, taskId: id, workerId: w, ok: true, resultPreview: String(id * 2) }));
    });
  }
  const last = 1000 + PER_LANE * PERIOD_US;
  events.push(ev({ type: 'run-end', t: last, stats: { wallUs: last, tasks: n, ok: n - 1, failed: 1, taskUs: 0, pids: [4242], threadIds: [], workersStarted: SHARES.length } }));
  return events;
}

/** The host's messages, typed arrays as { typed, values } so they cross page.evaluate. */
function wireMessages() {
  const messages = eventMessages(trace());
  assert.ok(messages.some((m) => m.type === 'columns' && m.columns.length >= 30_000), 'one large column batch');
  return JSON.parse(JSON.stringify(messages, (_, v) => (ArrayBuffer.isView(v) ? { typed: v.constructor.name, values: Array.from(/** @type {Uint8Array} */ (v)) } : v)));
}

/** Posts the messages in the page, typed arrays rebuilt. */
function post(page, messages) {
  return page.evaluate((ms) => {
    const revive = (v) => {
      if (Array.isArray(v)) return v.map(revive);
      if (v && typeof v === 'object') {
        if (typeof v.typed === 'string' && Array.isArray(v.values)) return new globalThis[v.typed](v.values);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
      }
      return v;
    };
    for (const m of ms) window.postMessage(revive(m), '*');
  }, messages);
}

/**
 * Per worker lane: the filled height (px, from the bottom of the bar area) of each of `columns` pixel columns
 * spread over the run, and whether a column holds the failure colour.
 */
function laneColumns(page, failedRgb) {
  return page.evaluate(([failed]) => {
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector('.ps-canvas'));
    const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
    const img = ctx.getImageData(0, 0, c.width, c.height);
    const px = (x, y) => { const o = (y * c.width + x) * 4; return [img.data[o], img.data[o + 1], img.data[o + 2]]; };
    const same = (a, b) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) < 6;
    return window.__poolscope.lanes.filter((l) => l.kind === 'worker').map((lane) => {
      // lane-painter.ts workerLane: bars from y + 5, height row − 13 (no in-flight rows on a thread lane).
      const top = lane.y + 5;
      const h = 28 - 13;
      const heights = [];
      const red = [];
      for (let x = 40; x < c.width - 40; x += 3) {
        const bg = px(x, top);
        let filled = 0;
        for (let y = top + h - 1; y >= top && !same(px(x, y), bg); y--) filled++;
        heights.push(filled);
        red.push(same(px(x, top + h - 1), failed) ? 1 : 0);
      }
      return { workerId: lane.workerId, heights, red: red.reduce((a, b) => a + b, 0) };
    });
  }, [failedRgb]);
}

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('coarse first frame: each lane as busy as it was; after the fold, everything equals folding on arrival', async () => {
  const messages = wireMessages();
  const deferred = await openPage(browser, panelHtml());
  const direct = await openPage(browser, panelHtml());
  try {
    // The page that folds on arrival: the reference.
    await direct.page.evaluate(() => window.__poolscope.deferFold(false));
    await post(direct.page, messages);
    await direct.page.waitForFunction(() => window.__poolscope.paintedEvents === window.__poolscope.events && window.__poolscope.events > 0);
    await settle(direct.page);
    assert.equal(await direct.page.evaluate(() => window.__poolscope.folding), false);

    // The deferring page, its fold held: the first frame is drawn from the lanes' busy sketches.
    await deferred.page.evaluate(() => window.__poolscope.holdFold(true));
    await post(deferred.page, messages);
    await deferred.page.waitForFunction(() => window.__poolscope.paintedEvents === window.__poolscope.events && window.__poolscope.events > 0);
    await deferred.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await deferred.page.evaluate(() => window.__poolscope.folding), true, 'rows still waiting to be folded');
    assert.equal(await deferred.page.evaluate(() => window.__poolscope.events), await direct.page.evaluate(() => window.__poolscope.events));
    assert.deepEqual(await deferred.page.evaluate(() => window.__poolscope.fullDomain), await direct.page.evaluate(() => window.__poolscope.fullDomain));

    const failedCss = await deferred.page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--ps-failed').trim() || '#f14c4c');
    const red = await cssRgb(deferred.page, failedCss);
    const coarse = await laneColumns(deferred.page, red);
    const exact = await laneColumns(direct.page, red);
    assert.equal(coarse.length, SHARES.length);
    coarse.forEach((lane, w) => {
      const barH = 15;
      const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
      const want = Math.max(1, Math.round(SHARES[w] * barH));
      // Each column as the exact frame draws it (± 1 px), and on average the lane's share of the bar.
      const close = lane.heights.filter((hgt, i) => Math.abs(hgt - exact[w].heights[i]) <= 1).length;
      assert.ok(close >= 0.95 * lane.heights.length, `lane ${w}: ${close} of ${lane.heights.length} columns as in the exact frame`);
      assert.ok(Math.abs(mean(lane.heights) - want) <= 1, `lane ${w} (${SHARES[w] * 100} % busy): ${mean(lane.heights).toFixed(2)} px of ${barH}, want ${want}`);
    });
    // The one failure (lane 0) is red in the coarse frame as in the exact one; no other lane has any.
    assert.deepEqual(coarse.map((l) => l.red > 0), [true, false, false, false]);
    assert.deepEqual(exact.map((l) => l.red > 0), [true, false, false, false]);

    // The fold: afterwards the same model, summary, tooltips, table and picture as the reference page.
    await deferred.page.evaluate(() => window.__poolscope.holdFold(false));
    await deferred.page.waitForFunction(() => !window.__poolscope.folding);
    await settle(deferred.page);
    const snapshot = (page) => page.evaluate(() => {
      const ps = window.__poolscope;
      const c = /** @type {HTMLCanvasElement} */ (document.querySelector('.ps-canvas'));
      const r = c.getBoundingClientRect();
      const hits = [];
      for (const lane of ps.lanes.filter((l) => l.kind === 'worker')) {
        for (let x = r.left + 20; x < r.right - 20; x += 97) hits.push(ps.hitTest(x, r.top + lane.y + 12));
      }
      return { summary: ps.summary, bars: ps.bars, barsDrawn: ps.barsDrawn, lanes: ps.lanes, hits, picture: c.toDataURL() };
    });
    const got = await snapshot(deferred.page);
    const want = await snapshot(direct.page);
    assert.ok(want.hits.some((h) => h && 'taskId' in h), 'tooltips name tasks');
    assert.deepEqual(got.hits, want.hits, 'tooltips');
    assert.deepEqual(got.summary, want.summary, 'summary');
    assert.deepEqual(got.lanes, want.lanes);
    assert.equal(got.bars, SHARES.length * PER_LANE);
    assert.equal(got.barsDrawn, want.barsDrawn);
    assert.ok(got.picture === want.picture, 'the final picture is the exact one');
    const table = (page) => page.evaluate(async () => {
      const details = /** @type {HTMLDetailsElement} */ (document.querySelector('.ps-task-table'));
      details.open = true;
      await new Promise((r) => details.addEventListener('toggle', () => setTimeout(r, 0), { once: true }));
      return details.textContent;
    });
    const tableGot = await table(deferred.page);
    assert.ok(tableGot && tableGot.includes(`${(SHARES.length * PER_LANE).toLocaleString('en-US')} tasks`), `the table: ${tableGot?.slice(0, 200)}`);
    assert.equal(tableGot, await table(direct.page), 'task table');
    assert.deepEqual(deferred.problems.console, []);
    assert.deepEqual(deferred.problems.pageErrors, []);
  } finally {
    await deferred.context.close();
    await direct.context.close();
  }
});
