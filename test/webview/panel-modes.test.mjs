// The panel in the shapes a user meets it in VS Code: the legend in the default
// side-by-side split (620 px) wraps inside the panel; a trace file's panel
// (Open Trace) is read-only; and a webview rebuilt after a window reload from
// its persisted state plus the host's replay shows exactly what it showed
// before — a stopped run stays stopped, the statistics are the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT, launchBrowser, loadFixture, openPage, panelHtml, screenshot, settle } from './browser.mjs';
import { defined } from '../fixtures/trace-events.mjs';

const built = await esbuild.build({ entryPoints: [path.join(ROOT, 'src', 'extension', 'trace-history.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
const { PROTOCOL_VERSION } = await import(path.join(ROOT, 'dist', 'webview-protocol.mjs'));
const { TraceHistory } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const post = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);

async function assertClean(problems) {
  assert.deepEqual(await problems.csp(), [], 'no CSP violations');
  assert.deepEqual(problems.pageErrors, [], 'no page errors');
  assert.deepEqual(problems.console, [], 'no console errors');
}

/** Where the legend's items sit, and whether anything spills out of the panel or is cut. */
function legendLayout(page) {
  return page.evaluate(() => {
    const legend = /** @type {HTMLElement} */ (document.querySelector('.ps-legend'));
    const box = legend.getBoundingClientRect();
    const items = [...legend.querySelectorAll('.ps-legend-item')].map((el) => {
      const r = el.getBoundingClientRect();
      // What is painted at the item's centre: the item itself (not covered, not clipped away).
      const atCentre = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
      return {
        text: el.textContent, left: r.left, right: r.right, top: Math.round(r.top),
        cut: el.scrollWidth > el.clientWidth + 1, visible: el.contains(atCentre),
      };
    });
    return {
      winW: innerWidth, winH: innerHeight, scrollY, bottom: box.bottom, pageScrollW: document.documentElement.scrollWidth, left: box.left, right: box.right,
      lanesScroll: /** @type {HTMLElement} */ (document.querySelector('.ps-chart')).scrollHeight > /** @type {HTMLElement} */ (document.querySelector('.ps-chart')).clientHeight,
      overflow: legend.scrollWidth > legend.clientWidth + 1, rows: new Set(items.map((i) => i.top)).size, items,
    };
  });
}

describe('legend at the default side-by-side width', () => {
  for (const width of [620, 420]) {
    test(`at ${width} px the legend wraps onto rows inside the panel: nothing overflows, nothing is cut or covered`, async () => {
      const fx = loadFixture('compare.json');
      // A short panel: the lanes scroll, and the legend (on however many rows) stays in view below them.
      const { page, context, problems } = await openPage(browser, panelHtml(), { vscode: true, viewport: { width, height: 600 } });
      try {
        await post(page, { type: 'events', batch: fx.events });
        await post(page, { type: 'run-state', phase: 'done' });
        await settle(page);
        await settle(page);
        const m = await legendLayout(page);
        assert.ok(m.scrollY === 0 && m.bottom <= m.winH, `the legend ends at ${m.bottom} px in a ${m.winH} px panel (page scrolled ${m.scrollY})`);
        assert.ok(m.lanesScroll, 'the lanes scroll inside at this height');
        assert.ok(m.items.length >= 10, `legend entries: ${m.items.map((i) => i.text).join(' | ')}`);
        assert.ok(m.rows >= 2, `the legend wraps (${m.rows} row)`);
        assert.equal(m.overflow, false, 'the legend does not scroll sideways');
        assert.ok(m.pageScrollW <= m.winW, `the page is ${m.pageScrollW} px wide in a ${m.winW} px panel`);
        assert.ok(m.right <= m.winW, 'the legend ends inside the panel');
        for (const item of m.items) {
          assert.ok(item.left >= m.left - 0.5 && item.right <= m.right + 0.5, `"${item.text}" spills out: ${item.left}–${item.right} of ${m.left}–${m.right}`);
          assert.equal(item.cut, false, `"${item.text}" is cut`);
          assert.equal(item.visible, true, `"${item.text}" is covered`);
        }
        await screenshot(page, `legend-${width}px`);
        await assertClean(problems);
      } finally {
        await context.close();
      }
    });
  }
});

describe("a trace file's panel (Open Trace)", () => {
  test('is read-only: no run controls and no Clear; titled by the file; opened fitted; keeps the file in its state', async () => {
    const fx = loadFixture('thread.json');
    const attrs = 'data-host="vscode" data-read-only="true" data-title="run-42.json" data-source="/home/user/traces/run-42.json"';
    const { page, context, problems } = await openPage(browser, panelHtml({ bodyAttributes: attrs }), { vscode: true, viewport: { width: 900, height: 800 } });
    try {
      assert.deepEqual(await page.evaluate(() => window.__vscodePosted[0]), { type: 'ready', protocol: PROTOCOL_VERSION, lastSeq: {} });
      await post(page, { type: 'run-state', phase: 'done', runIds: ['thread-1'] });
      await post(page, { type: 'events', batch: fx.events });
      await settle(page);
      assert.equal(await page.textContent('.ps-title'), 'run-42.json');
      assert.equal(await page.textContent('.ps-badge'), 'read-only trace file', 'the header says why there is no Run again');
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 16);
      assert.equal(await page.evaluate(() => window.__poolscope.follow), false, 'a file opens fitted, not following');
      for (const label of ['Run again', 'Compare backends', 'Stop', 'Clear']) {
        assert.equal(await page.isVisible(`button[aria-label="${label}"]`), false, `${label} is not offered`);
      }
      assert.equal(await page.locator('.ps-toolbar select:visible').count(), 1, 'of the dropdowns only the view\'s (colour) stays');
      assert.equal(await page.isVisible('button[aria-label="Export JSON"]'), true);
      assert.equal(await page.isVisible('text=Backend'), false);
      await page.waitForFunction(() => window.__vscodeState()?.source !== undefined, null, { timeout: 20_000 });
      assert.equal(await page.evaluate(() => window.__vscodeState()?.source), '/home/user/traces/run-42.json');
      await screenshot(page, 'trace-file-panel');
      await assertClean(problems);
    } finally {
      await context.close();
    }
  });
});

describe("a trace file's panel with several runs", () => {
  test('opens at its first run (the live panel scrolls to the newest; a file is read from the top)', async () => {
    const fx = loadFixture('compare.json');
    const attrs = 'data-host="vscode" data-read-only="true" data-title="compare.json" data-source="/t/compare.json"';
    const { page, context, problems } = await openPage(browser, panelHtml({ bodyAttributes: attrs }), { vscode: true, viewport: { width: 900, height: 560 } });
    try {
      await post(page, { type: 'run-state', phase: 'done' });
      await post(page, { type: 'events', batch: fx.events });
      await settle(page);
      const m = await page.evaluate(() => ({
        scrollTop: /** @type {HTMLElement} */ (document.querySelector('.ps-chart')).scrollTop,
        scrollable: /** @type {HTMLElement} */ (document.querySelector('.ps-chart')).scrollHeight > /** @type {HTMLElement} */ (document.querySelector('.ps-chart')).clientHeight,
        first: [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.ps-lane-label'))].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))[0]?.textContent,
      }));
      assert.equal(m.scrollable, true, 'the lanes scroll at this height');
      assert.equal(m.scrollTop, 0);
      assert.match(m.first, /^Run 1 · serial/);
      await assertClean(problems);
    } finally {
      await context.close();
    }
  });
});

describe('after a window reload', () => {
  test('the restored panel shows the same runs, lanes and statistics; a stopped run stays stopped', async () => {
    // A compare whose last run was stopped while tasks ran, and the runner killed before its run-end:
    // the host ends it (closeOpenRuns) once the runner is gone, as the extension does.
    const fx = loadFixture('compare.json');
    const lastRun = fx.events.at(-1).runId;
    let starts = 0;
    const cut = fx.events.findIndex((e) => e.runId === lastRun && e.type === 'task-start' && ++starts === 4);
    const history = new TraceHistory(1e9);
    history.add(fx.events.slice(0, cut + 1));

    // Short enough that the lanes scroll: where they were scrolled must come back too.
    const first = await openPage(browser, panelHtml(), { vscode: true, viewport: { width: 900, height: 560 } });
    let saved;
    let shownBefore;
    try {
      await post(first.page, { type: 'config', host: 'vscode', backend: 'thread', workers: 4, running: true });
      await post(first.page, { type: 'run-state', phase: 'running', runIds: [lastRun] });
      await post(first.page, { type: 'events', batch: history.events() });
      await settle(first.page);
      assert.match(await first.page.textContent('.ps-stats') ?? '', /running…/, 'live while it streams');
      const closing = history.closeOpenRuns({ name: 'RunStopped', message: 'the run was stopped before it reported its end' });
      await post(first.page, { type: 'events', batch: closing });
      await post(first.page, { type: 'run-state', phase: 'stopped', runIds: [lastRun] });
      await post(first.page, { type: 'config', host: 'vscode', backend: 'thread', workers: 4, running: false });
      await settle(first.page);
      // The user scrolls the lanes back up to the second run.
      await first.page.evaluate(() => { /** @type {HTMLElement} */ (document.querySelector('.ps-chart')).scrollTop = 90; });
      await settle(first.page);
      shownBefore = await shown(first.page);
      assert.ok(shownBefore.scrollTop > 0 && !shownBefore.labels[0].startsWith('Run 1'), `scrolled: ${shownBefore.scrollTop}px, first label ${shownBefore.labels[0]}`);
      assert.doesNotMatch(shownBefore.stats, /running…/);
      // The webview persists its state (debounced); VS Code keeps it through the reload.
      await first.page.waitForFunction((top) => new Set((window.__vscodeState()?.events ?? []).map((e) => e.runId)).size === 4
        && window.__vscodeState()?.ui.laneScroll === top, shownBefore.scrollTop, { timeout: 20_000 });
      saved = await first.page.evaluate(() => window.__vscodeState());
      await screenshot(first.page, 'reload-before');
      await assertClean(first.problems);
    } finally {
      await first.context.close();
    }

    // The reloaded window: a new page with the saved state; the new extension host sends its
    // config and run state (idle) and replays what the page lacks, as timeline-panel.ts does on `ready`.
    const second = await openPage(browser, panelHtml(), { vscode: true, state: saved, viewport: { width: 900, height: 560 } });
    try {
      const ready = await second.page.evaluate(() => window.__vscodePosted[0]);
      assert.ok(ready?.type === 'ready', JSON.stringify(ready));
      await post(second.page, { type: 'config', host: 'vscode', backend: 'thread', workers: 4, running: false });
      await post(second.page, { type: 'run-state', phase: 'idle', runIds: [] });
      const missing = history.since(ready.lastSeq);
      if (missing.length) await post(second.page, { type: 'events', batch: missing });
      await settle(second.page);
      const shownAfter = await shown(second.page);
      assert.deepEqual(shownAfter, shownBefore);
      // The stopped run reads as stopped: its cut task cancelled, the rest not run, no speed-up for less work.
      assert.match(shownAfter.stats, /tasks 3 ok · 1 cancelled · 8 not run/);
      assert.match(shownAfter.stats, /stopped/);
      assert.doesNotMatch(shownAfter.stats, /speed-up|pending/);
      const stopped = shownAfter.runs.find((r) => r.runId === lastRun);
      assert.equal(stopped.finished, true);
      assert.equal(stopped.error, 'RunStopped');
      assert.equal(await second.page.isEnabled('button[aria-label="Run again"]'), true, 'nothing is running: Run again is offered');
      assert.equal(await second.page.isEnabled('button[aria-label="Stop"]'), false);
      await screenshot(second.page, 'reload-after');
      await assertClean(second.problems);
    } finally {
      await second.context.close();
    }

    // A reload before the state was saved: the last run is missing from it and comes with the host's catch-up.
    // It is not a new run: the lanes stay where they were, the focus on the run the user looked at.
    const kept = defined(saved, 'the state saved before the reload');
    const lastRunId = kept.events.at(-1)?.runId;
    const early = { ...kept, events: kept.events.filter((e) => e.runId !== lastRunId) };
    const third = await openPage(browser, panelHtml(), { vscode: true, state: early, viewport: { width: 900, height: 560 } });
    try {
      const ready = await third.page.evaluate(() => window.__vscodePosted[0]);
      assert.ok(ready?.type === 'ready', JSON.stringify(ready));
      await post(third.page, { type: 'config', host: 'vscode', backend: 'thread', workers: 4, running: false });
      await post(third.page, { type: 'run-state', phase: 'idle', runIds: [] });
      const missing = history.since(ready.lastSeq);
      assert.ok(missing.some((e) => e.runId === lastRunId && e.type === 'run-start'), 'the whole last run is caught up');
      await post(third.page, { type: 'events', batch: missing });
      await settle(third.page);
      assert.deepEqual(await shown(third.page), shownBefore);
      await assertClean(third.problems);
    } finally {
      await third.context.close();
    }
  });
});

/** What the user reads: the stats line, every lane label and each run's figures. */
async function shown(page) {
  return page.evaluate(() => ({
    stats: document.querySelector('.ps-stats')?.textContent ?? '',
    scrollTop: /** @type {HTMLElement} */ (document.querySelector('.ps-chart')).scrollTop,
    labels: [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.ps-lane-label'))].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((e) => e.textContent),
    runs: window.__poolscope.runs.map((r) => ({
      runId: r.runId, finished: r.finished, error: r.error?.name, ok: r.ok, failed: r.failed, cancelled: r.cancelled, wallUs: r.wallUs,
      queueWaitP50: r.queueWaitP50Us, queueWaitP95: r.queueWaitP95Us, utilization: r.utilization.map((u) => [u.workerId, u.tasks, u.busyUs]),
    })),
  }));
}
