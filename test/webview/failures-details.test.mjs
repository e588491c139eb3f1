// Failed tasks are marked, the details pane shows the full error and stack, and in
// VS Code "Reveal in editor" posts the user's file:line:column to the host.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasPixel, launchBrowser, loadFixture, openPage, reportHtml, screenshot, settle, taskAt, taskRect } from './browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const center = (r) => [r.x + r.width / 2, r.y + r.height / 2];

describe('failures trace', () => {
  let ctx;
  let fx;
  before(async () => {
    fx = loadFixture('failures.json');
    // Task 11's error carries a cause (an Error thrown with { cause }): the details list it under the stack.
    const end11 = fx.events.find((e) => e.type === 'task-end' && e.taskId === 11);
    end11.error.cause = { name: 'TypeError', message: 'bad byte 0xff at 4', stack: 'TypeError: bad byte 0xff at 4\n    at decode (/home/user/project/src/codec.ts:9:13)' };
    ctx = await openPage(browser, await reportHtml(fx.events, fx.title), { vscode: true });
  });
  after(async () => { await ctx.context.close(); });

  test('failed bars are painted in the failure colour; the crash and recycle markers are on their lanes', async () => {
    const { page } = ctx;
    const failed = fx.events.filter((e) => e.type === 'task-end' && !e.ok).map((e) => e.taskId);
    assert.deepEqual(failed, [3, 7, 11, 15]);
    for (const taskId of failed) {
      const rect = await page.evaluate(([id]) => window.__poolscope.taskRect('failures-1', id), [taskId]);
      const [r, g, b] = await canvasPixel(page, ...center(rect));
      assert.ok(r > 200 && g < 120 && b < 120, `task ${taskId} is red, got ${[r, g, b]}`);
    }
    const okRect = await page.evaluate(() => window.__poolscope.taskRect('failures-1', 0));
    const [r] = await canvasPixel(page, ...center(okRect));
    assert.ok(r < 150, 'an ok task is not red');
    const lanes = await page.evaluate(() => window.__poolscope.lanes);
    assert.deepEqual(lanes.map((l) => l.exit).sort(), ['crash', 'idle', 'idle', 'idle', 'recycled', 'recycled']);
    assert.equal(await page.textContent('.ps-card[data-metric="tasks"] .ps-card-value'), '14 / 4');
  });

  test('hover shows the error name and message; click opens details with the stack and Reveal in editor', async () => {
    const { page } = ctx;
    const rect = await page.evaluate(() => window.__poolscope.taskRect('failures-1', 11));
    await page.mouse.move(...center(rect));
    await page.waitForSelector('.ps-tooltip:not([hidden])');
    assert.match(await page.textContent('.ps-tooltip') ?? '', /errorRangeError: bad input 31/);
    await page.mouse.click(...center(rect));
    await page.waitForSelector('.ps-details:not([hidden])');
    const details = await page.textContent('.ps-details');
    assert.match(details, /Task #11 · parseRecord/);
    assert.match(details, /at parseRecord \(\/home\/user\/project\/src\/demo\.ts:16:11\)/);
    assert.match(details, /Caused by TypeError\s*bad byte 0xff at 4/);
    assert.match(details, /at decode \(\/home\/user\/project\/src\/codec\.ts:9:13\)/);
    await screenshot(page, 'failures-details');
    await page.click('.ps-reveal');
    const posted = await page.evaluate(() => window.__vscodePosted.filter((m) => m.type === 'reveal'));
    assert.deepEqual(posted, [{ type: 'reveal', file: '/home/user/project/src/demo.ts', line: 16, column: 11 }]);
  });

  test('a crashed task says WorkerCrashed with its exit code', async () => {
    const { page } = ctx;
    const r = await taskRect(page, 'failures-1', 7);
    const info = await taskAt(page, r.x + r.width / 2, r.y + r.height / 2);
    assert.equal(info.error?.name, 'WorkerCrashed');
    assert.equal(info.error?.data?.code, 134);
  });

  test('keyboard: arrows walk the tasks of a lane and across lanes, Enter opens details', async () => {
    const { page } = ctx;
    await page.focus('.ps-chart');
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowRight');
    await settle(page);
    const first = await page.textContent('.ps-details h2');
    await page.keyboard.press('ArrowRight');
    await settle(page);
    const second = await page.textContent('.ps-details h2');
    assert.notEqual(first, second);
    await page.keyboard.press('ArrowDown');
    await settle(page);
    const third = await page.textContent('.ps-details h2');
    assert.notEqual(third, second);
    assert.deepEqual(await ctx.problems.csp(), []);
    assert.deepEqual(ctx.problems.console, []);
  });

  test('the accessible task table lists every task with its outcome', async () => {
    const { page } = ctx;
    await page.click('.ps-task-table summary');
    await settle(page);
    const rows = await page.$$eval('.ps-task-table tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, 18);
    assert.equal(rows.filter((t) => /RangeError|WorkerCrashed|TaskTimeout/.test(t)).length, 4);
    assert.equal(await page.$$eval('.ps-task-table tbody tr.ps-row-failed', (r) => r.length), 4);
  });
});
