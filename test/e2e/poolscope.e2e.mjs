#!/usr/bin/env node
// poolscope.e2e.mjs — what a new user does with the installed .vsix, in a real
// workbench (code-server) driven by Playwright in Debian's Chromium:
//
//   1. opens demo.ts from the workspace (test/e2e/workspace/),
//   2. runs "PoolScope: Compare Backends" from the palette and types the inputs,
//   3. waits for the timeline and checks inside the webview that the thread run
//      has one PID and several threads, the process run several PIDs, and that
//      the summary is shown,
//   4. toggles the backend from the status bar,
//   5. runs a throwing function and finds its error in the Problems panel,
//   6. exports the trace as Chrome JSON and reads it back,
//   7. reloads the window: the timeline (runs, lanes, stats) and the problem come back as they were,
//   8. switches to the light theme, opens the exported trace in its own read-only panel.
//
// Started by start-code-server.sh (E2E_URL, E2E_WORKSPACE, E2E_USER_DATA_DIR …),
// see run-workbench-tests.sh. Adapted from the shared vscode-e2e recipe's
// e2e-example.mjs. Prints "e2e: N passed, M failed"; exit 1 with "E2E FAILED: …".
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, answerInputBox, checks, codeText, fail, goToLine, openWorkbenchBrowser, pickQuickPickRow,
  runPaletteCommand as palette, timelineFrame as frameOf, webviewFrame,
} from './workbench.mjs';
const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.E2E_URL },
    workspace: { type: 'string', default: process.env.E2E_WORKSPACE },
    out: { type: 'string', default: process.env.E2E_OUT ?? 'e2e-out' },
    'extension-id': { type: 'string', default: 'poolscope.poolscope' },
    'user-data-dir': { type: 'string', default: process.env.E2E_USER_DATA_DIR },
    timeout: { type: 'string', default: '60000' },
    headed: { type: 'boolean', default: false },
  },
});
const TIMEOUT = Number(opt.timeout);
const timelineFrame = (page) => frameOf(page, opt['extension-id']);
const OUT = path.resolve(opt.out);
fs.mkdirSync(OUT, { recursive: true });
const URL_ = opt.url ?? fail('no workbench URL: pass --url or run under start-code-server.sh (E2E_URL)');
const WORKSPACE = opt.workspace ?? fail('no workspace folder: pass --workspace or run under start-code-server.sh (E2E_WORKSPACE)');

/**
 * The timeline's lane labels grouped by run: each run header row
 * (`data-kind="run"`, "Run 2 · thread × 3 · …") followed by its worker rows
 * ("PID 4242 · thread 3 · name"). Parsed from what the user can read.
 */
async function readRuns(inner) {
  const labels = await inner.locator('.ps-lane-label').evaluateAll((els) =>
    els.map((el) => ({ kind: el.dataset.kind, text: el.textContent ?? '', top: parseFloat(el.style.top) || 0 })));
  labels.sort((a, b) => a.top - b.top);
  /** @type {{ header: string, backend?: string, workers: number, lanes: { pid: number, threadId: number, text: string }[] }[]} */
  const runs = [];
  for (const l of labels) {
    if (l.kind === 'run') {
      const backend = /·\s*(serial|event-loop|thread|process)\s*×\s*(\d+)/.exec(l.text);
      runs.push({ header: l.text, backend: backend?.[1], workers: Number(backend?.[2]), lanes: [] });
    } else if (l.kind === 'worker' && runs.length) {
      const m = /PID (\d+) · (?:thread (\d+)|main thread)/.exec(l.text);
      if (m) runs.at(-1)?.lanes.push({ pid: Number(m[1]), threadId: m[2] ? Number(m[2]) : 0, text: l.text });
    }
  }
  return runs;
}

const { browser, page, consoleErrors } = await openWorkbenchBrowser({ headed: opt.headed, timeout: TIMEOUT });
const { check, step, shot, finish } = checks(OUT);
const runPaletteCommand = (p, title, options = {}) => palette(p, title, { step, ...options });

let failed;
try {
  await check('workbench loads with the workspace', async () => {
    await page.goto(URL_, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible' });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'demo.ts' }).first().waitFor({ state: 'visible' });
  });

  await check('opens demo.ts in an editor', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'demo.ts' }).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'demo.ts' }).waitFor({ state: 'visible' });
    step('  tab open');
    const lines = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: codeText('export function burn') }).first();
    await lines.waitFor({ state: 'visible' });
    step('  code shown');
    await lines.click({ position: { x: 5, y: 5 } });
    await goToLine(page, 1);
    step('  cursor on line 1');
  });

  await check('status bar shows the backend from the workspace settings (extension activated)', async () => {
    const item = page.locator('[aria-label^="PoolScope backend"]').first();
    await item.waitFor({ state: 'visible' });
    const label = await item.getAttribute('aria-label');
    if (!/PoolScope backend thread, 3 workers/.test(label ?? '')) throw new Error(`status bar says ${JSON.stringify(label)}`);
  });

  await check('palette runs "PoolScope: Compare Backends" and the inputs box takes range(4, 12)', async () => {
    const tries = await runPaletteCommand(page, 'PoolScope: Compare Backends', { keepsInputOpen: true });
    if (tries > 1) step(`  (palette needed ${tries} attempts)`);
    await answerInputBox(page, 'range(4, 12)', { titleContains: 'inputs for burn' });
  });

  const { outer, inner } = timelineFrame(page);
  let runs = [];
  await check('timeline webview shows four runs: serial, event-loop, thread, process', async () => {
    await page.locator(outer).first().waitFor({ state: 'attached' });
    await inner.locator('.ps-lane-label').first().waitFor({ state: 'visible' });
    // The compare runs one backend after another: wait until the last one reported its workers.
    const deadline = Date.now() + 90_000;
    for (;;) {
      runs = await readRuns(inner);
      const proc = runs.find((r) => r.backend === 'process');
      if (runs.length >= 4 && proc && proc.lanes.length >= 3) break;
      if (Date.now() > deadline) {
        const shown = await inner.locator('body').innerText({ timeout: 2000 }).catch(() => '(inner frame not reachable)');
        throw new Error(`runs seen: ${JSON.stringify(runs)}; the webview shows: ${JSON.stringify(shown.slice(0, 600))}`);
      }
      await page.waitForTimeout(500);
    }
    const backends = runs.map((r) => r.backend);
    for (const b of ['serial', 'event-loop', 'thread', 'process']) if (!backends.includes(b)) throw new Error(`no ${b} run in ${backends}`);
    step(`  runs: ${runs.map((r) => `${r.backend}: ${r.lanes.map((l) => `${l.pid}/${l.threadId}`).join(' ')}`).join(' | ')}`);
  });

  await check('thread run: 3 lanes, one PID, 3 different threadIds', async () => {
    const thread = runs.find((r) => r.backend === 'thread');
    const pids = new Set(thread.lanes.map((l) => l.pid));
    const threads = new Set(thread.lanes.map((l) => l.threadId));
    if (thread.lanes.length !== 3 || pids.size !== 1 || threads.size !== 3 || threads.has(0)) {
      throw new Error(`thread lanes: ${JSON.stringify(thread.lanes)}`);
    }
  });

  await check('process run: 3 lanes, 3 different PIDs, none of them the thread run\'s', async () => {
    const proc = runs.find((r) => r.backend === 'process');
    const thread = runs.find((r) => r.backend === 'thread');
    const pids = new Set(proc.lanes.map((l) => l.pid));
    if (proc.lanes.length !== 3 || pids.size !== 3 || pids.has(thread.lanes[0].pid)) throw new Error(`process lanes: ${JSON.stringify(proc.lanes)}`);
  });

  await check('summary shows every backend with its wall time', async () => {
    // The summary (cards / compare table) names each backend and a speed-up against serial once the compare ended.
    const deadline = Date.now() + 60_000;
    let text = '';
    // The full summary and the compare table sit in a collapsible section under the lanes: open it as a user would.
    const more = inner.locator('details.ps-more');
    if (!(await more.evaluate((d) => d.open))) await more.locator('summary').click();
    for (;;) {
      text = (await inner.locator('body').innerText()).replace(/\u00a0/g, ' ');
      const summary = /speed-?up|×\s*serial|vs serial/i.test(text) && /ms\b|\bs\b/.test(text);
      if (summary && /1 PID · 3 threads/.test(text) && /3 PIDs/.test(text)) break;
      if (Date.now() > deadline) throw new Error(`no summary with speed-up and identities; the webview shows: ${JSON.stringify(text.slice(0, 800))}`);
      await page.waitForTimeout(500);
    }
    await shot(page, '01-compare-timeline');
    await page.locator(outer).first().screenshot({ path: path.join(OUT, '02-timeline-webview.png') }).catch(() => {});
    // The lanes themselves (below the summary in a narrow panel): scrolled into view by the screenshot.
    await inner.locator('.ps-timeline').first().screenshot({ path: path.join(OUT, '02-timeline-lanes.png') }).catch(() => {});
  });

  await check('in a 620 px panel the lanes come first: toolbar on one row, the first lanes visible without scrolling', async () => {
    const frame = page.locator(outer).first();
    const box0 = await frame.boundingBox();
    const view = page.viewportSize();
    // Narrow the window until the timeline's editor group is ~620 px wide (the default side-by-side split on a laptop).
    await page.setViewportSize({ width: Math.max(900, Math.round(view.width - (box0.width - 620))), height: view.height });
    const box = await frameWidthNear(frame, 620);
    step(`  webview ${Math.round(box.width)} × ${Math.round(box.height)} px`);
    if (Math.abs(box.width - 620) > 40) throw new Error(`webview is ${box.width} px wide, wanted ~620`);
    await inner.locator('details.ps-more > summary').click();
    await inner.locator('details.ps-more:not([open])').waitFor({ state: 'attached' });
    await nextFrames(inner);
    const m = await inner.locator('body').evaluate(() => {
      const lanes = [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.ps-lane-label[data-kind="worker"]'))].map((e) => e.getBoundingClientRect());
      // Rows = groups of visible toolbar controls whose vertical centres are within half a control's height
      // (a select and a button on one row differ by a few px; the next row starts a whole control lower).
      const centres = [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.ps-toolbar button, .ps-toolbar select, .ps-toolbar input'))]
        .filter((e) => e.offsetParent).map((e) => { const r = e.getBoundingClientRect(); return { mid: (r.top + r.bottom) / 2, h: r.height }; })
        .sort((a, b) => a.mid - b.mid);
      let rows = 0;
      let rowMid = -Infinity;
      for (const c of centres) if (c.mid - rowMid > Math.max(8, c.h / 2)) { rows++; rowMid = c.mid; }
      return { firstLaneBottom: lanes[0]?.bottom ?? Infinity, visibleLanes: lanes.filter((r) => r.bottom <= innerHeight).length, toolbarRows: rows, winH: innerHeight, stats: document.querySelector('.ps-stats')?.textContent ?? '' };
    });
    step(`  ${JSON.stringify(m)}`);
    await shot(page, '02b-panel-620px');
    if (m.firstLaneBottom > m.winH || m.visibleLanes < 3) throw new Error(`lanes below the fold at 620 px: ${JSON.stringify(m)}`);
    if (m.toolbarRows > 2) throw new Error(`toolbar wraps onto ${m.toolbarRows} rows`);
    if (!/wall/.test(m.stats)) throw new Error(`no stats line: ${m.stats}`);
    await page.setViewportSize(view);
    await frameWidthNear(frame, box0.width);
  });

  await check('status bar click toggles the backend (thread → process)', async () => {
    const item = page.locator('[aria-label^="PoolScope backend"]').first();
    // The item shows a spinner (and stops the run on click) while a run is in flight.
    await page.locator('[aria-label^="PoolScope backend thread, 3 workers"]').first().waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('[aria-label^="PoolScope backend"][aria-label$="running"]'));
    await item.click();
    await page.locator('[aria-label^="PoolScope backend process, 3 workers"]').first().waitFor({ state: 'visible', timeout: 10_000 });
    await shot(page, '03-status-bar-toggled');
  });

  let problemText = '';
  await check('the throwing function\'s two failing calls are one problem at the throw, listing inputs 1 and 3', async () => {
    await page.locator('.monaco-editor .view-lines', { hasText: codeText('export function explode') }).first().click();
    await goToLine(page, 11);
    await runPaletteCommand(page, 'PoolScope: Run Function in Pool', { keepsInputOpen: true });
    await answerInputBox(page, '[1, 2, 3, 4]', { titleContains: 'inputs for explode' });
    await runPaletteCommand(page, 'View: Focus Problems');
    // One diagnostic per call site: it names every input that failed there (the count grows as tasks end).
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: /2 calls failed here: inputs 1, 3/ }).first();
    await marker.waitFor({ state: 'visible', timeout: 60_000 });
    problemText = (await marker.innerText()).replace(/\u00a0/g, ' ');
    if (!/RangeError/.test(problemText)) throw new Error(`marker says ${JSON.stringify(problemText)}`);
    const rows = await page.locator('.markers-panel .monaco-list-row', { hasText: 'odd input' }).count();
    if (rows !== 1) throw new Error(`${rows} problems for one failing line`);
    // The squiggle sits in the editor at the throw.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 10_000 });
    await shot(page, '04-problems');
  });

  /** The file Export Trace wrote (in the workspace): Open Trace opens it later. */
  let exportedFile;
  await check('Export Trace writes a Chrome trace of every run that reads back', async () => {
    const before = new Set(fs.readdirSync(WORKSPACE));
    await runPaletteCommand(page, 'PoolScope: Export Trace', { keepsInputOpen: true });
    await pickQuickPickRow(page, 'Chrome trace JSON');
    // The save dialog (a simple file dialog in the browser) is prefilled with poolscope-<time>.json in the workspace:
    // accept it once it is.
    await page.waitForFunction(() => /poolscope-[^/]*\.json$/.test(/** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input.input'))?.value ?? ''), undefined, { timeout: 20_000 });
    await answerInputBox(page, undefined);
    let file;
    for (const deadline = Date.now() + 20_000; !file && Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      file = fs.readdirSync(WORKSPACE).find((f) => !before.has(f) && /^poolscope-.*\.json$/.test(f));
    }
    if (!file) throw new Error(`no poolscope-*.json appeared in ${WORKSPACE}`);
    const { chromeToTrace, computeRunSummaries } = await import(path.join(ROOT, 'dist/trace.mjs'));
    const json = JSON.parse(fs.readFileSync(path.join(WORKSPACE, file), 'utf8'));
    if (!json.traceEvents?.some((e) => e.ph === 'X')) throw new Error('no X events in the export');
    const summaries = computeRunSummaries(chromeToTrace(json));
    const backends = summaries.map((s) => s.backend);
    if (!['serial', 'event-loop', 'thread', 'process'].every((b) => backends.includes(b))) throw new Error(`exported runs: ${backends}`);
    const explode = summaries.find((s) => s.fn === 'explode');
    if (!explode || explode.failed !== 2 || explode.ok !== 2) throw new Error(`explode run in the export: ${JSON.stringify(explode && { ok: explode.ok, failed: explode.failed })}`);
    fs.copyFileSync(path.join(WORKSPACE, file), path.join(OUT, 'exported-trace.json'));
    exportedFile = path.join(WORKSPACE, file);
    step(`  ${file}: ${summaries.length} runs, ${json.traceEvents.length} Chrome events`);
  });

  await check('Reload Window restores the timeline exactly (runs, lanes, stats line; nothing shown running) and the problem', async () => {
    await runPaletteCommand(page, 'PoolScope: Show Timeline');
    await inner.locator('.ps-lane-label').first().waitFor({ state: 'visible' });
    // Every run has ended: nothing reads "running…" before the reload.
    await page.waitForFunction(() => !document.querySelector('[aria-label^="PoolScope backend"][aria-label$="running"]'));
    const read = () => inner.locator('body').evaluate(() => ({
      stats: document.querySelector('.ps-stats')?.textContent ?? '',
      labels: [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.ps-lane-label'))].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((e) => e.textContent),
      running: /running…/.test(document.body.innerText),
      phase: document.body.dataset.phase,
      // 'pending' while what is shown is newer than what a reload restores (the page saves its state ≤ 1 s later).
      persist: document.body.dataset.persist,
    }));
    // What the panel shows once it has settled (a replayed or late batch may still redraw the stats line):
    // the same on two reads a few frames apart.
    let before = await read();
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      await nextFrames(inner);
      await page.waitForTimeout(250);
      const again = await read();
      if (JSON.stringify(again) === JSON.stringify(before) && again.persist !== 'pending') break;
      before = again;
    }
    if (before.persist === 'pending') throw new Error('the timeline never saved its state (body data-persist stays "pending")');
    if (before.running) throw new Error(`a run reads running before the reload: ${JSON.stringify(before)}`);
    await shot(page, '07-before-reload');
    // Not through runPaletteCommand: its retry would reload twice. The palette goes with the page.
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input.input').fill('> Developer: Reload Window');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Developer: Reload Window' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await reloaded;
    await page.waitForLoadState('domcontentloaded');
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 90_000 });
    // The serializer revives the panel; its page restores its state and the host replays the rest.
    const deadline = Date.now() + 90_000;
    let after;
    for (;;) {
      after = await read().catch(() => undefined);
      if (after && after.labels.length >= before.labels.length && after.stats === before.stats) break;
      if (Date.now() > deadline) throw new Error(`after the reload the timeline shows ${JSON.stringify(after)}; before: ${JSON.stringify(before)}`);
      await page.waitForTimeout(500);
    }
    if (after.running) throw new Error('a run reads "running…" after the reload');
    if (JSON.stringify(after.labels) !== JSON.stringify(before.labels)) throw new Error(`lanes differ after the reload:\n${before.labels.join(' | ')}\n${after.labels.join(' | ')}`);
    if (after.phase === 'running' || after.phase === 'starting') throw new Error(`phase ${after.phase} after the reload`);
    step(`  restored: ${after.labels.length} lane labels, stats "${after.stats.slice(0, 100)}"`);
    await shot(page, '08-after-reload');
    await page.locator(timelineFrame(page).outer).first().screenshot({ path: path.join(OUT, '08-after-reload-webview.png') }).catch(() => {});
    // The problem comes back as it was (kept in the workspace state).
    await runPaletteCommand(page, 'View: Focus Problems');
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: /2 calls failed here: inputs 1, 3/ }).first();
    await marker.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await marker.innerText()).replace(/\u00a0/g, ' ');
    if (text !== problemText) throw new Error(`the problem reads ${JSON.stringify(text)} after the reload, ${JSON.stringify(problemText)} before`);
    await shot(page, '08b-problems-after-reload');
  });

  await check('light theme: the timeline follows it (body class and canvas background)', async () => {
    await runPaletteCommand(page, 'Preferences: Color Theme', { keepsInputOpen: true });
    const input = page.locator('.quick-input-widget input.input');
    await input.fill('Light Modern');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Light Modern' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await runPaletteCommand(page, 'PoolScope: Show Timeline');
    const deadline = Date.now() + 20_000;
    let cls = '';
    while (Date.now() < deadline) {
      cls = await inner.locator('body').getAttribute('class').catch(() => '') ?? '';
      if (/vscode-light/.test(cls)) break;
      await page.waitForTimeout(300);
    }
    if (!/vscode-light/.test(cls)) throw new Error(`webview body class ${cls}`);
    // The canvas repaints in the new colours on the frames after the class changed.
    await nextFrames(inner);
    await shot(page, '06-light-theme');
    await page.locator(outer).first().screenshot({ path: path.join(OUT, '06-light-theme-webview.png') }).catch(() => {});
  });

  await check('Open Trace shows the exported file in its own read-only panel, titled by the file; the live panel keeps its runs', async () => {
    const name = path.basename(exportedFile);
    await runPaletteCommand(page, 'PoolScope: Open Trace', { keepsInputOpen: true });
    // The browser's open dialog is a quick input taking a path.
    await answerInputBox(page, exportedFile);
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
    const file = await webviewFrame(page, { readOnly: true });
    await file.locator('.ps-lane-label[data-kind="worker"]').first().waitFor({ state: 'visible', timeout: 30_000 });
    const m = await file.evaluate(() => ({
      title: document.querySelector('.ps-title')?.textContent,
      // Lane labels exist only for the rows on screen: count the runs in the runs list (one chip per run).
      runs: document.querySelectorAll('.ps-runs .ps-run-chip').length,
      runControls: ['Run again', 'Compare backends', 'Stop', 'Clear']
        .filter((l) => { const b = /** @type {HTMLButtonElement | null} */ (document.querySelector(`button[aria-label="${l}"]`)); return b && b.offsetParent !== null; }),
      selects: [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.ps-toolbar select'))].filter((e) => e.offsetParent !== null).length,
    }));
    step(`  ${JSON.stringify(m)}`);
    if (m.title !== name) throw new Error(`the trace panel is titled ${JSON.stringify(m.title)}`);
    if (m.runs < 5) throw new Error(`${m.runs} runs drawn from the file (4 compared + explode)`);
    if (m.runControls.length) throw new Error(`a trace file's panel offers ${m.runControls.join(', ')}`);
    // The overview strip above the lanes draws the file's runs too (it is redrawn at most every 400 ms).
    await file.waitForFunction(() => {
      const c = /** @type {HTMLCanvasElement | null} */ (document.querySelector('.ps-overview-canvas'));
      if (!c || !c.width) return false;
      const d = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
      return false;
    }, null, { timeout: 15_000 });
    const live = await webviewFrame(page, { readOnly: false });
    const liveTitle = await live.evaluate(() => document.querySelector('.ps-title')?.textContent);
    if (liveTitle === name) throw new Error('the live panel shows the file');
    await page.locator('.tabs-container .tab', { hasText: 'PoolScope Timeline' }).first().waitFor({ state: 'attached' });
    await shot(page, '09-open-trace');
  });

  await shot(page, '05-final');
} catch (err) {
  failed = err;
  await shot(page, 'failure');
  fs.writeFileSync(path.join(OUT, 'failure-dom.html'), await page.content().catch(() => ''));
} finally {
  await browser.close().catch(() => {});
}

finish('e2e', failed, consoleErrors);

/**
 * Waits (bounded) until a webview's frame is `width` px wide (± 40) after a window resize, and returns its box.
 * @param {import('playwright-core').Locator} frame
 * @param {number} width
 * @returns {Promise<{ x: number, y: number, width: number, height: number }>}
 */
async function frameWidthNear(frame, width) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const box = await frame.boundingBox();
    if (box && Math.abs(box.width - width) <= 40) return box;
    if (Date.now() > deadline) {
      if (!box) throw new Error('the webview frame has no box (not shown)');
      return box;
    }
    await frame.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  }
}

/**
 * Two animation frames of the webview's page: whatever it draws in response to what just happened is on screen.
 * @param {import('playwright-core').FrameLocator} inner
 */
async function nextFrames(inner) {
  await inner.locator('body').evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}
