// End to end with the real engine: traces recorded from dist/pool.mjs right now (thread and
// process backends on one clock) open in the report page with the PIDs and threadIds the
// workers really had.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, reportHtml, screenshot } from './browser.mjs';
import { recordRun } from '../fixtures/traces/record.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('real thread and process runs: lanes carry the PIDs and threadIds the workers reported', async () => {
  const originUs = Number(process.hrtime.bigint() / 1000n);
  const thread = await recordRun({ backend: 'thread', workers: 2, n: 6, originUs, compareId: 'live', runId: 'live-thread', args: () => [8] });
  const proc = await recordRun({ backend: 'process', workers: 2, n: 6, originUs, compareId: 'live', runId: 'live-process', fn: 'evenOnly', args: (k) => [k] });
  assert.equal(proc.settled.filter((s) => s.status === 'rejected').length, 3, 'odd inputs fail');
  const events = [...thread.events, ...proc.events];
  const { page, context, problems } = await openPage(browser, await reportHtml(events, 'live engine'));
  try {
    const lanes = await page.evaluate(() => window.__poolscope.lanes);
    const expectLane = (e) => [e.runId, e.pid, e.threadId];
    const starts = events.filter((e) => e.type === 'worker-start');
    assert.deepEqual(lanes.map((l) => [l.runId, l.pid, l.threadId]).sort(), starts.map(expectLane).sort());
    const threadLanes = lanes.filter((l) => l.runId === 'live-thread');
    assert.equal(new Set(threadLanes.map((l) => l.pid)).size, 1, 'threads share one PID');
    assert.equal(threadLanes[0].pid, process.pid, 'the PID of this process');
    const procLanes = lanes.filter((l) => l.runId === 'live-process');
    assert.equal(new Set(procLanes.map((l) => l.pid)).size, procLanes.length, 'one PID per process');
    assert.ok(procLanes.every((l) => l.pid !== process.pid));
    assert.equal(await page.evaluate(() => window.__poolscope.bars), 12);
    const rows = await page.$$eval('.ps-compare-table tbody tr', (trs) => trs.map((tr) => tr.dataset.backend));
    assert.deepEqual(rows, ['thread', 'process']);
    const failedCell = await page.textContent('.ps-compare-table tbody tr[data-backend="process"] td[data-col="Failed"]');
    assert.equal(failedCell, '3');
    await screenshot(page, 'real-engine');
    assert.deepEqual(await problems.csp(), []);
    assert.deepEqual(problems.console, []);
  } finally {
    await context.close();
  }
});
