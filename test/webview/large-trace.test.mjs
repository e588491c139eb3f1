// A large trace (25 000 tasks) in the HTML report: its events are embedded as column batches
// (columns, not objects); the page shows every task, and the summary it derives from its
// own columns agrees with the trace library's computeRunSummaries on the original events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, openPage, reportHtml, ROOT, screenshot, settle, shownSummary } from './browser.mjs';
import { syntheticTrace } from '../fixtures/traces/generate.mjs';

const { computeRunSummaries } = await import(path.join(ROOT, 'dist', 'trace.mjs'));

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('25 000 tasks: embedded as columns, every bar counted, summary equal to computeRunSummaries', async () => {
  const events = [...syntheticTrace({ n: 25_000, workers: 4, batch: 5000, runId: 'large-1' })].flat();
  const html = await reportHtml(events, 'large');
  assert.match(html, /"columns":\[\{"runId":"large-1"/, 'the run is embedded as columns');
  const { page, context, problems } = await openPage(browser, html);
  try {
    await page.waitForFunction(() => window.__poolscope.summary !== undefined);
    await settle(page);
    assert.equal(await page.evaluate(() => window.__poolscope.bars), 25_000);
    assert.equal(await page.evaluate(() => window.__poolscope.events), events.length);
    const [expected] = computeRunSummaries(events);
    const got = await shownSummary(page);
    for (const key of ['wallUs', 'taskUs', 'tasks', 'ok', 'failed', 'queueWaitP50Us', 'queueWaitP95Us', 'identity']) {
      if (typeof expected[key] === 'number') assert.ok(Math.abs(got[key] - expected[key]) < 1e-6 * Math.max(1, expected[key]), `${key}: ${got[key]} vs ${expected[key]}`);
      else assert.equal(got[key], expected[key], key);
    }
    assert.deepEqual(got.utilization.map((u) => u.tasks), expected.utilization.map((u) => u.tasks));
    // Zoomed out, sub-pixel bars merge per pixel column: every lane is still painted.
    assert.equal(await page.evaluate(() => window.__poolscope.barsDrawn), 25_000);
    await screenshot(page, 'large-25k');
    assert.deepEqual(await problems.csp(), []);
    assert.deepEqual(problems.console, []);
  } finally {
    await context.close();
  }
});
