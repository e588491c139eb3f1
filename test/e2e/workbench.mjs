// workbench.mjs — what the workbench e2e scripts share: Playwright from the
// e2e cache, Debian's Chromium, checks that log and stop at the first failure,
// screenshots, the command palette, input boxes and the timeline's webview
// frames. Used by poolscope.e2e.mjs and restricted.e2e.mjs.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');

/** @param {string} msg @returns {never} */
export function fail(msg) {
  console.error(`E2E FAILED: ${msg}`);
  process.exit(1);
}

export function loadPlaywright() {
  const bases = [process.env.E2E_TOOLS && path.dirname(process.env.E2E_TOOLS), ROOT, HERE];
  for (const base of bases.filter((b) => typeof b === 'string')) {
    try { return createRequire(path.join(base, 'noop.js'))('playwright-core'); } catch { /* next */ }
  }
  fail('playwright-core not found: run setup.sh (E2E_TOOLS) or npm ci');
}

/** Headless Chromium on a page of the given size; console and page errors collected. */
export async function openWorkbenchBrowser({ headed = false, viewport = { width: 1600, height: 1000 }, timeout = 60_000 } = {}) {
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    headless: !headed,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`); });
  return { browser, context, page, consoleErrors };
}

/** Named checks, logged with their duration; the first failure stops the script (see `finish`). */
export function checks(out) {
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
      if (err && typeof err === 'object') Object.assign(err, { check: name });
      results.push({ name, ok: false, err });
      // Playwright names the locator it waited for on the following lines: keep them.
      step(`FAIL ${name}: ${err instanceof Error ? err.message.split('\n').slice(0, 4).join(' | ') : err}`);
      throw err;
    }
  }
  const shot = (page, name) => page.screenshot({ path: path.join(out, `${name}.png`) }).catch(() => {});
  /** Prints "<label>: N passed, M failed" (run-workbench-tests.sh adds these up) and exits 1 on a failure. */
  function finish(label, failed, consoleErrors) {
    const passed = results.filter((r) => r.ok).length;
    if (consoleErrors.length) fs.writeFileSync(path.join(out, `${label}-console-errors.txt`), consoleErrors.join('\n'));
    step(`screenshots and logs in ${out}`);
    console.log(`${label}: ${passed} passed, ${results.length - passed} failed`);
    if (failed) {
      const noise = /vsda|authentication provider 'github'|status of 404/;
      const relevant = consoleErrors.filter((l) => !noise.test(l));
      if (relevant.length) console.error(`browser console errors (first 10):\n  ${relevant.slice(0, 10).join('\n  ')}`);
      fail(`${failed.check ? `${failed.check}: ` : ''}${failed.message?.split('\n')[0] ?? String(failed)}`);
    }
  }
  return { check, step, shot, finish, results };
}

/**
 * Runs a palette command. Right after load the palette can open before the
 * extension's contributions are registered (its list is computed on open), so
 * the row never appears: wait briefly, else Escape and reopen.
 * `keepsInputOpen`: the command opens its own input box or quick pick.
 */
/**
 * @param {import('playwright-core').Page} page
 * @param {string} title
 * @param {{ attempts?: number, keepsInputOpen?: boolean, step?: (message: string) => void }} [options]
 */
export async function runPaletteCommand(page, title, { attempts = 8, keepsInputOpen = false, step = () => {} } = {}) {
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
      if (process.env.E2E_DEBUG) step(`  palette attempt ${i} for "${title}": ${String(err instanceof Error ? err.message : err).split('\n')[0]}`);
      await page.keyboard.press('Escape').catch(() => {});
      await page.waitForTimeout(500 * i);
    }
  }
  throw new Error(`command "${title}" not runnable from the palette after ${attempts} attempts (extension not activated, or the command is missing)`);
}

/**
 * Answers an input box the command opened (inputs, file name): replaces its text and accepts.
 * @param {import('playwright-core').Page} page
 * @param {string | undefined} text what to type; undefined accepts the box's own value
 * @param {{ titleContains?: string }} [options]
 */
export async function answerInputBox(page, text, { titleContains } = {}) {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 10_000 });
  if (titleContains) await widget.locator('.quick-input-title', { hasText: titleContains }).waitFor({ timeout: 10_000 });
  const input = widget.locator('input.input');
  // VS Code's simple file dialog (Open Trace in a browser) sets its own starting value (the folder) a moment after
  // it shows, and may overwrite what was typed: type again until the value that stays is ours, then Enter.
  for (let attempt = 1; ; attempt++) {
    if (text !== undefined) {
      await input.fill(text);
      await input.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      if ((await input.inputValue()) !== text && attempt < 5) continue;
    }
    await page.keyboard.press('Enter');
    try {
      await widget.waitFor({ state: 'hidden', timeout: 10_000 });
      return;
    } catch (e) {
      if (text === undefined || attempt >= 5 || (await input.inputValue().catch(() => text)) === text) throw e;
    }
  }
}

/** Picks a row of an open quick pick by its label. */
export async function pickQuickPickRow(page, label) {
  const widget = page.locator('.quick-input-widget');
  const row = widget.locator('.monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

/** Matches code as Monaco renders it: spaces become U+00A0. */
export function codeText(text) {
  return new RegExp(text.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\u00a0]+'));
}

/** Puts the cursor on a 1-based line of the active editor. */
export async function goToLine(page, line) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/**
 * The live timeline's inner document (two nested iframes; the outer one names
 * the extension). With a trace file's panel open too, the first PoolScope
 * webview may be either: use `webviewFrame` to pick one by what it shows.
 */
export function timelineFrame(page, extensionId = 'poolscope.poolscope') {
  const outer = `iframe.webview.ready[src*="extensionId=${extensionId}"]`;
  return { outer, inner: page.frameLocator(outer).first().frameLocator('iframe#active-frame') };
}

/**
 * The inner frame of a PoolScope webview whose <body> matches: `readOnly`
 * true for a trace file's panel, false for the live timeline. Polls until one
 * is there (webviews load asynchronously).
 * @param {import('playwright-core').Page} page
 * @param {{ readOnly?: boolean, timeout?: number }} [options]
 */
export async function webviewFrame(page, { readOnly, timeout = 60_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      const kind = await frame.evaluate(() => (document.getElementById('poolscope-root') ? document.body.dataset.readOnly === 'true' : undefined)).catch(() => undefined);
      if (kind === readOnly) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no ${readOnly ? 'trace file' : 'live timeline'} webview after ${timeout} ms`);
    await page.waitForTimeout(300);
  }
}
