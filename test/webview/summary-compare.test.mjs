// The summary cards and the compare view show the trace library's numbers
// (computeRunSummaries), formatted; compare puts runs side by side with speed-ups.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, loadFixture, openPage, reportHtml, ROOT, screenshot, settle, shownSummary } from './browser.mjs';

const { computeRunSummaries } = await import(path.join(ROOT, 'dist', 'trace.mjs'));

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const ms = (us) => `${(us / 1000).toFixed(us < 1e4 ? 2 : us < 1e5 ? 1 : 0)} ms`;

describe('summary of one run', () => {
  test('cards show wall, Σ task time, throughput, queue wait and utilization from computeRunSummaries', async () => {
    const fx = loadFixture('thread.json');
    const [expected] = computeRunSummaries(fx.events);
    const { page, context } = await openPage(browser, await reportHtml(fx.events, fx.title));
    try {
      const card = (m) => page.textContent(`.ps-card[data-metric="${m}"] .ps-card-value`);
      assert.equal(await card('wall'), ms(expected.wallUs));
      assert.equal(await card('task-time'), ms(expected.taskUs));
      assert.equal(await card('throughput'), `${expected.throughput.toFixed(1)} tasks/s`);
      assert.equal(await card('queue-wait'), `${ms(expected.queueWaitP50Us)} / ${ms(expected.queueWaitP95Us)}`);
      assert.equal(await card('tasks'), '16 / 0');
      assert.equal(await card('speedup'), '–', 'no serial baseline in a single thread run');
      const model = await shownSummary(page);
      assert.equal(model.wallUs, expected.wallUs);
      assert.equal(model.identity, '4 workers · 1 PID · 4 threads');
      const util = await page.$$eval('.ps-util-value', (els) => els.map((e) => e.textContent));
      assert.deepEqual(util, expected.utilization.map((u) => `${Math.round(u.utilization * 100)}% · ${u.tasks} tasks`
        + (u.cpuFraction !== undefined ? ` · ${Math.round(u.cpuFraction * 100)}% on CPU` : '')));
      // The fixture's tasks report their CPU time (97 % of each task): the mean share per task.
      assert.equal(await card('on-cpu'), `${Math.round(expected.cpuFraction * 100)}%`);
      const text = await page.textContent('.ps-summary-text');
      assert.match(text ?? '', /thread backend, 4 workers · 1 PID · 4 threads/);
    } finally {
      await context.close();
    }
  });
});

describe('speed-up across separate runs', () => {
  test('a serial run of another function is not a baseline', async () => {
    const serial = loadFixture('real-serial.json').events; // spin × 8
    const thread = loadFixture('thread.json').events; // fib × 16, no compareId
    const { page, context } = await openPage(browser, await reportHtml([...serial, ...thread], 'two functions'));
    try {
      const model = await shownSummary(page);
      assert.equal(model.fn, 'fib');
      assert.equal(await page.textContent('.ps-card[data-metric="speedup"] .ps-card-value'), '–');
    } finally {
      await context.close();
    }
  });
});

describe('compare mode', () => {
  let ctx;
  let fx;
  before(async () => {
    fx = loadFixture('compare.json');
    ctx = await openPage(browser, await reportHtml(fx.events, fx.title), { viewport: { width: 1400, height: 1300 } });
  });
  after(async () => { await ctx.context.close(); });

  test('the table lists every run with backend, identity and speed-up vs the serial run', async () => {
    const expected = computeRunSummaries(fx.events);
    const rows = await ctx.page.$$eval('.ps-compare-table tbody tr', (trs) => trs.map((tr) => ({
      backend: tr.dataset.backend,
      cells: Object.fromEntries([...tr.children].map((c) => [c.dataset.col, c.textContent])),
    })));
    assert.deepEqual(rows.map((r) => r.backend), ['serial', 'event-loop', 'thread', 'process']);
    for (const [k, s] of expected.entries()) {
      assert.equal(rows[k].cells['Where it ran'], s.identity);
      assert.equal(rows[k].cells['Task phase'], ms(s.taskPhaseUs));
      assert.equal(rows[k].cells['Speed-up'], `${s.speedupVsSerial.toFixed(2)}×`);
    }
    const speedups = Object.fromEntries(expected.map((s) => [s.backend, s.speedupVsSerial]));
    // The story the fixture tells: the event loop does not speed CPU work up; threads and processes do.
    assert.ok(speedups['event-loop'] < 1.2, `event-loop ${speedups['event-loop']}`);
    assert.ok(speedups.thread > 2 && speedups.process > 1.5, `thread ${speedups.thread}, process ${speedups.process}`);
    const chart = await ctx.page.getAttribute('.ps-speedup-chart', 'aria-label');
    assert.match(chart, new RegExp(`thread × 4: ${speedups.thread.toFixed(2)}×`));
    assert.equal(await ctx.page.$$eval('.ps-speedup-chart .ps-chart-bar', (b) => b.length), 4);
  });

  test('runs share one clock; "aligned starts" moves every run to 0', async () => {
    const { page } = ctx;
    const shared = await page.evaluate(() => window.__poolscope.fullDomain);
    await page.click('label.ps-check:has-text("Aligned starts")');
    await settle(page);
    const aligned = await page.evaluate(() => window.__poolscope.fullDomain);
    assert.ok(aligned[1] < shared[1] * 0.6, `aligned extent ${aligned} is the longest run, shared ${shared} all four`);
    await screenshot(page, 'compare-aligned');
    await page.click('label.ps-check:has-text("Aligned starts")');
    await settle(page);
    assert.deepEqual(await page.evaluate(() => window.__poolscope.fullDomain), shared);
  });

  test('clicking a row puts that run in the summary; hiding a run removes its lanes', async () => {
    const { page } = ctx;
    await page.click('.ps-compare-table tbody tr[data-backend="thread"]');
    await settle(page);
    assert.equal(await page.textContent('.ps-identity-main'), '4 workers · 1 PID · 4 threads');
    const lanesBefore = (await page.evaluate(() => window.__poolscope.lanes)).length;
    await page.click('.ps-run-chip:nth-of-type(1) input[type=checkbox]');
    await settle(page);
    const lanes = await page.evaluate(() => window.__poolscope.lanes);
    assert.equal(lanes.length, lanesBefore - 1, 'the serial run had one lane');
    assert.ok(lanes.every((l) => l.runId !== 'cmp-serial'));
    await page.click('.ps-run-chip:nth-of-type(1) input[type=checkbox]');
    await settle(page);
    await screenshot(page, 'compare');
    assert.deepEqual(await ctx.problems.csp(), []);
    assert.deepEqual(ctx.problems.console, []);
  });
});
