// What a user sees when a trace opens in the standalone page (as the CLI's --html writes it):
// lanes labelled with PIDs and threadIds, one bar per task (model and canvas pixels), the
// tooltip under the mouse, zoom changing the axis, and a page that breaks no CSP rule.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasPixel, launchBrowser, loadFixture, openPage, reportHtml, screenshot, settle, taskAt, taskRect } from './browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Opens a fixture; returns page + problems; the caller closes the context. */
async function open(name, options) {
  const fx = loadFixture(`${name}.json`);
  return { fx, ...(await openPage(browser, await reportHtml(fx.events, fx.title), options)) };
}

async function assertClean(page, problems) {
  assert.deepEqual(await problems.csp(), [], 'no CSP violations');
  assert.deepEqual(problems.pageErrors, [], 'no page errors');
  assert.deepEqual(problems.console, [], 'no console errors');
}

const bgOf = (px) => px.slice(0, 3).join(',');

describe('thread backend trace', () => {
  let ctx;
  before(async () => { ctx = await open('thread'); });
  after(async () => { await ctx.context.close(); });

  test('lanes: the main program plus one lane per worker thread, all in one PID', async () => {
    const lanes = await ctx.page.evaluate(() => window.__poolscope.lanes);
    assert.deepEqual(lanes.map((l) => l.label), [
      'PID 4242 · main program',
      'PID 4242 · thread 1 · PoolWorker-1',
      'PID 4242 · thread 2 · PoolWorker-2',
      'PID 4242 · thread 3 · PoolWorker-3',
      'PID 4242 · thread 4 · PoolWorker-4',
    ]);
    // The same labels are in the DOM, where the user (and a screen reader) reads them.
    const domLabels = await ctx.page.$$eval('.ps-lane-worker .ps-lane-text', (els) => els.map((e) => e.textContent));
    assert.deepEqual(domLabels, lanes.filter((l) => l.kind === 'worker').map((l) => l.label));
    assert.equal(await ctx.page.textContent('.ps-identity-main'), '4 workers · 1 PID · 4 threads');
    assert.ok(lanes.filter((l) => l.kind === 'worker').every((l) => l.cpuSamples > 0), 'cpu samples matched to lanes by tid');
  });

  test('one bar per task: the model counts 16, and each bar is painted on the canvas', async () => {
    const { page, fx } = ctx;
    const tasks = fx.events.filter((e) => e.type === 'task-start').map((e) => e.taskId);
    assert.equal(tasks.length, 16);
    assert.equal(await page.evaluate(() => window.__poolscope.bars), 16);
    assert.equal(await page.evaluate(() => window.__poolscope.barsDrawn), 16);
    const background = bgOf(await canvasPixel(page, ...(await page.evaluate(() => {
      const r = /** @type {Element} */ (document.querySelector('.ps-canvas')).getBoundingClientRect();
      return [r.right - 3, r.bottom - 3];
    }))));
    for (const taskId of tasks) {
      const rect = await page.evaluate(([id]) => window.__poolscope.taskRect('thread-1', id), [taskId]);
      assert.ok(rect, `task ${taskId} is on screen`);
      const px = await canvasPixel(page, rect.x + rect.width / 2, rect.y + rect.height / 2);
      assert.notEqual(bgOf(px), background, `task ${taskId}'s bar is painted`);
    }
  });

  test('hovering a bar shows its tooltip: task, function, input, result, PID, thread, worker, times', async () => {
    const { page, fx } = ctx;
    const end = fx.events.find((e) => e.type === 'task-end' && e.taskId === 5);
    const rect = await page.evaluate(() => window.__poolscope.taskRect('thread-1', 5));
    await page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2);
    await page.waitForSelector('.ps-tooltip:not([hidden])');
    const tip = await page.textContent('.ps-tooltip');
    assert.match(tip, /#5 · fib/);
    assert.match(tip, /input\[30\]/);
    assert.match(tip, new RegExp(`result${end.resultPreview}`));
    const r5 = await taskRect(page, 'thread-1', 5);
    const worker = await taskAt(page, r5.x + r5.width / 2, r5.y + r5.height / 2);
    assert.equal(worker.taskId, 5);
    assert.match(tip, new RegExp(`PID 4242 · thread ${worker.threadId} · ${worker.worker}`));
    for (const field of ['queued', 'start → end', 'duration', 'queue wait']) assert.ok(tip.includes(field), `tooltip shows ${field}`);
    await screenshot(page, 'thread-tooltip');
    await page.mouse.move(5, 5);
  });

  test('zoom: +, wheel and 0 change the axis domain and the axis ticks', async () => {
    const { page } = ctx;
    const d0 = await page.evaluate(() => window.__poolscope.domain);
    const ticks0 = await page.$$eval('.ps-axis .tick text', (t) => t.map((x) => x.textContent));
    await page.focus('.ps-chart');
    await page.keyboard.press('+');
    await settle(page);
    const d1 = await page.evaluate(() => window.__poolscope.domain);
    assert.ok(d1[1] - d1[0] < (d0[1] - d0[0]) * 0.8, `zoomed in: ${d0} → ${d1}`);
    const ticks1 = await page.$$eval('.ps-axis .tick text', (t) => t.map((x) => x.textContent));
    assert.notDeepEqual(ticks1, ticks0);
    const box = await page.locator('.ps-canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    await page.mouse.wheel(0, -400);
    await settle(page);
    const d2 = await page.evaluate(() => window.__poolscope.domain);
    assert.ok(d2[1] - d2[0] < d1[1] - d1[0], `wheel zoomed in further: ${d1} → ${d2}`);
    assert.equal(await page.evaluate(() => window.__poolscope.follow), false, 'zooming stops follow');
    await page.keyboard.press('0');
    await settle(page);
    assert.deepEqual(await page.evaluate(() => window.__poolscope.domain), await page.evaluate(() => window.__poolscope.fullDomain));
  });

  test('the main program lane says where it waited', async () => {
    const { page } = ctx;
    const hit = await page.evaluate(() => {
      const c = /** @type {Element} */ (document.querySelector('.ps-canvas')).getBoundingClientRect();
      const lane = /** @type {Element} */ (document.querySelector('.ps-lane-main')).getBoundingClientRect();
      return window.__poolscope.hitTest(c.left + c.width / 2, lane.top + lane.height / 2);
    });
    assert.deepEqual(hit, { kind: 'main-wait' });
  });

  test('no CSP violation, page error or console error', async () => {
    await screenshot(ctx.page, 'thread');
    await assertClean(ctx.page, ctx.problems);
  });
});

describe('process backend trace', () => {
  test('one lane per PID, each the main thread of its process; identity says 4 PIDs', async () => {
    const { page, problems, context } = await open('process');
    try {
      const lanes = await page.evaluate(() => window.__poolscope.lanes);
      assert.deepEqual(lanes.map((l) => [l.pid, l.threadId]), [[5001, 0], [5002, 0], [5003, 0], [5004, 0]]);
      assert.equal(lanes[0].label, 'PID 5001 · main thread · PoolWorker-1');
      assert.equal(await page.textContent('.ps-identity-main'), '4 workers · 4 PIDs');
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 16);
      await screenshot(page, 'process');
      await assertClean(page, problems);
    } finally {
      await context.close();
    }
  });
});

describe('event-loop backend trace', () => {
  test('one lane; hovering a slice names the task that held the thread', async () => {
    const { page, problems, context, fx } = await open('event-loop');
    try {
      const lanes = await page.evaluate(() => window.__poolscope.lanes);
      assert.equal(lanes.length, 1);
      assert.equal(lanes[0].label, 'PID 4242 · thread 1 · EventLoop-1');
      assert.equal(await page.textContent('.ps-identity-main'), '1 thread, 4 in flight');
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 8);
      // taskRect points at the task's longest slice: the hit test must name that same task.
      for (const taskId of [0, 3, 7]) {
        const rect = await taskRect(page, 'event-loop-1', taskId);
        const hit = await taskAt(page, rect.x + rect.width / 2, rect.y + rect.height / 2);
        assert.equal(hit.taskId, taskId);
        const slices = fx.events.filter((e) => e.type === 'task-slice' && e.taskId === taskId).length;
        assert.equal(hit.slices, slices);
      }
      await screenshot(page, 'event-loop');
      await assertClean(page, problems);
    } finally {
      await context.close();
    }
  });
});

describe('light theme', () => {
  test('standalone page follows prefers-color-scheme: light background on canvas', async () => {
    const { page, problems, context } = await open('thread', { colorScheme: 'light' });
    try {
      const px = await canvasPixel(page, ...(await page.evaluate(() => {
        const r = /** @type {Element} */ (document.querySelector('.ps-canvas')).getBoundingClientRect();
        return [r.right - 2, r.bottom - 2];
      })));
      assert.ok(px[0] > 200 && px[1] > 200 && px[2] > 200, `light background, got ${px}`);
      await screenshot(page, 'thread-light');
      await assertClean(page, problems);
    } finally {
      await context.close();
    }
  });
});

describe('VS Code theme changes', () => {
  test('the canvas follows the theme variables when VS Code swaps body classes', async () => {
    const { panelHtml } = await import('./browser.mjs');
    const { page, problems, context } = await openPage(browser, panelHtml(), { vscode: true });
    try {
      await page.evaluate((events) => window.postMessage({ type: 'events', batch: events }, '*'), loadFixture('thread.json').events);
      await settle(page);
      const corner = async () => canvasPixel(page, ...(await page.evaluate(() => {
        const r = /** @type {Element} */ (document.querySelector('.ps-canvas')).getBoundingClientRect();
        return [r.right - 2, r.bottom - 2];
      })));
      const setTheme = (cls, bg) => page.evaluate(([c, b]) => {
        document.documentElement.style.setProperty('--vscode-editor-background', b);
        document.body.className = c;
      }, [cls, bg]);
      await setTheme('vscode-light', '#fffffe');
      await settle(page);
      assert.deepEqual((await corner()).slice(0, 3), [255, 255, 254]);
      await setTheme('vscode-high-contrast', '#000001');
      await settle(page);
      assert.deepEqual((await corner()).slice(0, 3), [0, 0, 1]);
      await screenshot(page, 'thread-high-contrast');
      await assertClean(page, problems);
    } finally {
      await context.close();
    }
  });
});
