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
//   6. exports the trace as Chrome JSON and reads it back.
//
// Started by start-code-server.sh (E2E_URL, E2E_WORKSPACE, E2E_USER_DATA_DIR …),
// see run-workbench-tests.sh. Adapted from the shared vscode-e2e recipe's
// e2e-example.mjs. Prints "e2e: N passed, M failed"; exit 1 with "E2E FAILED: …".
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
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
const OUT = path.resolve(opt.out);
fs.mkdirSync(OUT, { recursive: true });
if (!opt.url) fail('no workbench URL: pass --url or run under start-code-server.sh (E2E_URL)');
if (!opt.workspace) fail('no workspace folder: pass --workspace or run under start-code-server.sh (E2E_WORKSPACE)');

function loadPlaywright() {
  const bases = [process.env.E2E_TOOLS && path.dirname(process.env.E2E_TOOLS), ROOT, HERE];
  for (const base of bases.filter(Boolean)) {
    try { return createRequire(path.join(base, 'noop.js'))('playwright-core'); } catch { /* next */ }
  }
  fail('playwright-core not found: run setup.sh (E2E_TOOLS) or npm ci');
}

function fail(msg) {
  console.error(`E2E FAILED: ${msg}`);
  process.exit(1);
}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const step = (msg) => console.log(`[e2e ${elapsed()}] ${msg}`);
const results = [];
async function check(name, fn) {
  const t = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    step(`ok   ${name} (${Date.now() - t} ms)`);
  } catch (err) {
    err.check = name;
    results.push({ name, ok: false, err });
    // Playwright names the locator it waited for on the following lines: keep them.
    step(`FAIL ${name}: ${err?.message?.split('\n').slice(0, 4).join(' | ') ?? err}`);
    throw err;
  }
}
const shot = (page, name) => page.screenshot({ path: path.join(OUT, `${name}.png`) }).catch(() => {});

/**
 * Runs a palette command. Right after load the palette can open before the
 * extension's contributions are registered (its list is computed on open), so
 * the row never appears: wait briefly, else Escape and reopen.
 * `keepsInputOpen`: the command opens its own input box or quick pick.
 */
async function runPaletteCommand(page, title, { attempts = 8, keepsInputOpen = false } = {}) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  for (let i = 1; i <= attempts; i++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`> ${title}`);
      const row = widget.locator('.monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: Math.min(1000 + 1000 * i, 5000) });
      const focused = widget.locator('.monaco-list-row.focused', { hasText: title });
      if (await focused.count()) await page.keyboard.press('Enter');
      else await row.click();
      if (keepsInputOpen) await row.waitFor({ state: 'detached', timeout: 5000 });
      else await widget.waitFor({ state: 'hidden', timeout: 5000 });
      return i;
    } catch (err) {
      if (process.env.E2E_DEBUG) {
        step(`  palette attempt ${i} for "${title}": ${err.message.split('\n')[0]}`);
        await shot(page, `palette-attempt-${i}`);
      }
      await page.keyboard.press('Escape').catch(() => {});
      await page.waitForTimeout(500 * i);
    }
  }
  throw new Error(`command "${title}" not runnable from the palette after ${attempts} attempts (extension not activated, or the command is missing)`);
}

/** Answers an input box the command opened (inputs, file name): replaces its text and accepts. */
async function answerInputBox(page, text, { titleContains } = {}) {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 10_000 });
  if (titleContains) await widget.locator('.quick-input-title', { hasText: titleContains }).waitFor({ timeout: 10_000 });
  const input = widget.locator('input.input');
  if (text !== undefined) await input.fill(text);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Picks a row of an open quick pick by its label. */
async function pickQuickPickRow(page, label) {
  const widget = page.locator('.quick-input-widget');
  const row = widget.locator('.monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

/** Matches code as Monaco renders it: spaces become U+00A0. */
function codeText(text) {
  return new RegExp(text.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\u00a0]+'));
}

/** Puts the cursor on a 1-based line of the active editor. */
async function goToLine(page, line) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The webview's inner document (two nested iframes; the outer one names the extension). */
function timelineFrame(page) {
  const outer = `iframe.webview.ready[src*="extensionId=${opt['extension-id']}"]`;
  return { outer, inner: page.frameLocator(outer).first().frameLocator('iframe#active-frame') };
}

/**
 * The timeline's lane labels grouped by run: each run header row
 * (`data-kind="run"`, "Run 2 · thread × 3 · …") followed by its worker rows
 * ("PID 4242 · thread 3 · name"). Parsed from what the user can read.
 */
async function readRuns(inner) {
  const labels = await inner.locator('.ps-lane-label').evaluateAll((els) =>
    els.map((el) => ({ kind: el.dataset.kind, text: el.textContent ?? '', top: parseFloat(el.style.top) || 0 })));
  labels.sort((a, b) => a.top - b.top);
  const runs = [];
  for (const l of labels) {
    if (l.kind === 'run') {
      const backend = /·\s*(serial|event-loop|thread|process)\s*×\s*(\d+)/.exec(l.text);
      runs.push({ header: l.text, backend: backend?.[1], workers: Number(backend?.[2]), lanes: [] });
    } else if (l.kind === 'worker' && runs.length) {
      const m = /PID (\d+) · (?:thread (\d+)|main thread)/.exec(l.text);
      if (m) runs.at(-1).lanes.push({ pid: Number(m[1]), threadId: m[2] ? Number(m[2]) : 0, text: l.text });
    }
  }
  return runs;
}

const { chromium } = loadPlaywright();
const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  headless: !opt.headed,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
const page = await context.newPage();
page.setDefaultTimeout(TIMEOUT);
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`); });

let failed;
try {
  await check('workbench loads with the workspace', async () => {
    await page.goto(opt.url, { waitUntil: 'domcontentloaded' });
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
    await page.waitForTimeout(800);
    const box = await frame.boundingBox();
    step(`  webview ${Math.round(box.width)} × ${Math.round(box.height)} px`);
    if (Math.abs(box.width - 620) > 40) throw new Error(`webview is ${box.width} px wide, wanted ~620`);
    await inner.locator('details.ps-more > summary').click();
    await page.waitForTimeout(500);
    const m = await inner.locator('body').evaluate(() => {
      const lanes = [...document.querySelectorAll('.ps-lane-label[data-kind="worker"]')].map((e) => e.getBoundingClientRect());
      // Rows = groups of visible toolbar controls whose vertical centres are within half a control's height
      // (a select and a button on one row differ by a few px; the next row starts a whole control lower).
      const centres = [...document.querySelectorAll('.ps-toolbar button, .ps-toolbar select, .ps-toolbar input')]
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
    await page.waitForTimeout(500);
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

  await check('running the throwing function puts its error in the Problems panel', async () => {
    await page.locator('.monaco-editor .view-lines', { hasText: codeText('export function explode') }).first().click();
    await goToLine(page, 11);
    await runPaletteCommand(page, 'PoolScope: Run Function in Pool', { keepsInputOpen: true });
    await answerInputBox(page, '[1, 2, 3, 4]', { titleContains: 'inputs for explode' });
    await runPaletteCommand(page, 'View: Focus Problems');
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'odd input' }).first();
    await marker.waitFor({ state: 'visible', timeout: 60_000 });
    const text = (await marker.innerText()).replace(/\u00a0/g, ' ');
    if (!/RangeError/.test(text)) throw new Error(`marker says ${JSON.stringify(text)}`);
    // The squiggle sits in the editor at the throw.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 10_000 });
    await shot(page, '04-problems');
  });

  await check('Export Trace writes a Chrome trace of every run that reads back', async () => {
    const before = new Set(fs.readdirSync(opt.workspace));
    await runPaletteCommand(page, 'PoolScope: Export Trace', { keepsInputOpen: true });
    await pickQuickPickRow(page, 'Chrome trace JSON');
    // The save dialog (a simple file dialog in the browser) is prefilled with poolscope-<time>.json in the workspace.
    await page.waitForTimeout(500);
    await answerInputBox(page, undefined);
    let file;
    for (const deadline = Date.now() + 20_000; !file && Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      file = fs.readdirSync(opt.workspace).find((f) => !before.has(f) && /^poolscope-.*\.json$/.test(f));
    }
    if (!file) throw new Error(`no poolscope-*.json appeared in ${opt.workspace}`);
    const { chromeToTrace, computeRunSummaries } = await import(path.join(ROOT, 'dist/trace.mjs'));
    const json = JSON.parse(fs.readFileSync(path.join(opt.workspace, file), 'utf8'));
    if (!json.traceEvents?.some((e) => e.ph === 'X')) throw new Error('no X events in the export');
    const summaries = computeRunSummaries(chromeToTrace(json));
    const backends = summaries.map((s) => s.backend);
    if (!['serial', 'event-loop', 'thread', 'process'].every((b) => backends.includes(b))) throw new Error(`exported runs: ${backends}`);
    const explode = summaries.find((s) => s.fn === 'explode');
    if (!explode || explode.failed !== 2 || explode.ok !== 2) throw new Error(`explode run in the export: ${JSON.stringify(explode && { ok: explode.ok, failed: explode.failed })}`);
    fs.copyFileSync(path.join(opt.workspace, file), path.join(OUT, 'exported-trace.json'));
    step(`  ${file}: ${summaries.length} runs, ${json.traceEvents.length} Chrome events`);
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
    await page.waitForTimeout(800);
    await shot(page, '06-light-theme');
    await page.locator(outer).first().screenshot({ path: path.join(OUT, '06-light-theme-webview.png') }).catch(() => {});
  });

  await shot(page, '05-final');
} catch (err) {
  failed = err;
  await shot(page, 'failure');
  fs.writeFileSync(path.join(OUT, 'failure-dom.html'), await page.content().catch(() => ''));
} finally {
  await browser.close().catch(() => {});
}

const passed = results.filter((r) => r.ok).length;
if (consoleErrors.length) fs.writeFileSync(path.join(OUT, 'console-errors.txt'), consoleErrors.join('\n'));
console.log(`[e2e ${elapsed()}] screenshots and logs in ${OUT}`);
console.log(`e2e: ${passed} passed, ${results.length - passed} failed`);
if (failed) {
  const noise = /vsda|authentication provider 'github'|status of 404/;
  const relevant = consoleErrors.filter((l) => !noise.test(l));
  if (relevant.length) console.error(`browser console errors (first 10):\n  ${relevant.slice(0, 10).join('\n  ')}`);
  fail(`${failed.check ? `${failed.check}: ` : ''}${failed.message?.split('\n')[0] ?? String(failed)}`);
}
