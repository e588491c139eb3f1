// The click's last stage: the panel tells the host, once per live run, that the run's first bar was drawn
// (`first-bar`, on the animation frame after the draw). It is drawn in the task of the message that brought
// it (not after the live throttle), so it comes even while earlier frames of the run were just drawn.
// Finished runs arriving at once (a replay) and read-only panels send none.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, panelHtml } from './browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** @param {string} runId */
function runEvents(runId) {
  let seq = 0;
  /** @param {Record<string, unknown>} e */
  const ev = (e) => ({ ...e, runId, seq: seq++ });
  return {
    start: [
      ev({ type: 'run-start', t: 0, backend: 'thread', workers: 2, fn: 'square', file: '/w/tasks.ts', inputsCount: 2, node: 'v20', pid: 1, originUs: 1e9, cores: 2 }),
      ev({ type: 'worker-start', t: 5, workerId: 1, name: 'thread-worker-1', pid: 1, threadId: 1, tid: 11, startupUs: 0 }),
      ev({ type: 'worker-start', t: 5, workerId: 2, name: 'thread-worker-2', pid: 1, threadId: 2, tid: 12, startupUs: 0 }),
      ev({ type: 'task-queued', t: 10, taskId: 1, fn: 'square', inputPreview: '1' }),
      ev({ type: 'task-queued', t: 11, taskId: 2, fn: 'square', inputPreview: '2' }),
    ],
    firstStart: [ev({ type: 'task-start', t: 20, taskId: 1, workerId: 1 })],
    rest: [
      ev({ type: 'task-start', t: 21, taskId: 2, workerId: 2 }),
      ev({ type: 'task-end', t: 40, taskId: 1, workerId: 1, ok: true, resultPreview: '1' }),
      ev({ type: 'task-end', t: 41, taskId: 2, workerId: 2, ok: true, resultPreview: '4' }),
      ev({ type: 'run-end', t: 50, stats: { wallUs: 50, tasks: 2, ok: 2, failed: 0, taskUs: 40, pids: [1], threadIds: [1, 2], workersStarted: 2 } }),
    ],
  };
}

test('a live run: one first-bar message after its first task-start, naming the run; none for a finished run replayed at once', async () => {
  const { page, context, problems } = await openPage(browser, panelHtml(), { vscode: true, viewport: { width: 1000, height: 700 } });
  try {
    const live = runEvents('live-1');
    const result = await page.evaluate(async (run) => {
      const posted = /** @type {any[]} */ (/** @type {any} */ (window).__vscodePosted);
      const firstBars = () => posted.filter((m) => m.type === 'first-bar');
      const until = async (/** @type {() => boolean} */ cond) => { while (!cond()) await new Promise((r) => setTimeout(r, 5)); };
      window.postMessage({ type: 'run-state', phase: 'starting', runIds: [] }, '*');
      window.postMessage({ type: 'events', batch: run.start }, '*');
      // Lanes drawn, no bar yet: nothing to report.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const beforeStart = firstBars().length;
      window.postMessage({ type: 'events', batch: run.firstStart }, '*');
      await until(() => firstBars().length > 0);
      window.postMessage({ type: 'events', batch: run.rest }, '*');
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return { beforeStart, firstBars: firstBars() };
    }, live);
    assert.equal(result.beforeStart, 0);
    assert.equal(result.firstBars.length, 1, 'one message per run');
    assert.equal(result.firstBars[0].runId, 'live-1');
    assert.ok(result.firstBars[0].sinceMessageMs >= 0);
    // Stamped on the wall clock the host shares (the same machine).
    assert.ok(Math.abs(result.firstBars[0].paintedAtEpochMs - Date.now()) < 60_000, `paintedAtEpochMs ${result.firstBars[0].paintedAtEpochMs}`);

    const done = runEvents('replayed-1');
    const replay = await page.evaluate(async (run) => {
      const posted = /** @type {any[]} */ (/** @type {any} */ (window).__vscodePosted);
      window.postMessage({ type: 'events', batch: [...run.start, ...run.firstStart, ...run.rest] }, '*');
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r))));
      return posted.filter((m) => m.type === 'first-bar' && m.runId === 'replayed-1').length;
    }, done);
    assert.equal(replay, 0, 'a run that arrives finished is no click');
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});
