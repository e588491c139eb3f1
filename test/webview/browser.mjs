// Shared by the webview tests and the render bench: one headless Chromium per
// file, pages built the way the HTML report builds them (buildHtmlReport from
// dist/trace.mjs, strict CSP), and helpers to read what the user sees.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'webview');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'traces');

/** System Chromium when present (CI installs it), else the npm-only one (no download). */
export async function chromiumPath() {
  // POOLSCOPE_CHROMIUM=npm forces the npm Chromium (what a fresh machine without Debian's gets).
  const forced = process.env.POOLSCOPE_CHROMIUM;
  if (forced && forced !== 'npm') return forced;
  if (forced !== 'npm' && existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const sparticuz = (await import('@sparticuz/chromium')).default;
  return sparticuz.executablePath();
}

/** Launches headless Chromium (Playwright's own flags; never sparticuz's `args`, which disable web security). */
export async function launchBrowser() {
  return chromium.launch({ executablePath: await chromiumPath(), headless: true });
}

export function loadFixture(name) {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

const webviewJs = () => readFileSync(path.join(ROOT, 'dist', 'test', 'webview.js'), 'utf8');
const css = () => readFileSync(path.join(ROOT, 'media', 'timeline.css'), 'utf8');

/** The standalone page exactly as the CLI's `--html` report writes it. */
export async function reportHtml(events, title = 'PoolScope test') {
  const { buildHtmlReport } = await import(path.join(ROOT, 'dist', 'trace.mjs'));
  return buildHtmlReport({ events, webviewJs: webviewJs(), css: css(), title });
}

/**
 * A page like the extension's panel: no embedded trace, strict CSP with a
 * nonce for the one script (VS Code serves the CSS as a file; here it is a
 * nonce'd style element), events arrive by postMessage. `bodyAttributes`: what
 * the host puts on <body> (a trace file's panel: data-read-only, data-title, data-source).
 */
export function panelHtml({ bodyAttributes = '' } = {}) {
  const nonce = 'cG9vbHNjb3BlLXRlc3Q=';
  const csp = `default-src 'none'; img-src data: blob:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="${nonce}">${css()}</style></head>
<body${bodyAttributes ? ` ${bodyAttributes}` : ''}><div id="poolscope-root"></div><script nonce="${nonce}">${webviewJs().replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
}

/**
 * Opens a page and records console errors, page errors and CSP violations
 * (the listener is installed before any page script runs).
 * @param {import('playwright-core').Browser} browser
 * @param {string} html
 * @param {{ viewport?: { width: number, height: number }, vscode?: boolean, colorScheme?: 'dark' | 'light', state?: unknown }} [options]
 */
export async function openPage(browser, html, { viewport = { width: 1400, height: 1000 }, vscode = false, colorScheme = 'dark', state } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  /** @type {{ console: string[], pageErrors: string[], csp: () => Promise<string[]> }} */
  const problems = { console: [], pageErrors: [], csp: async () => [] };
  page.on('console', (m) => { if (m.type() === 'error') problems.console.push(m.text()); });
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  await page.addInitScript(([asVsCode, initialState]) => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`);
    });
    if (asVsCode) {
      // A stand-in for VS Code's webview API: records what the page posts and persists.
      /** @type {import('../../src/common/webview-protocol.js').FromWebview[]} */
      const posted = [];
      // What the test gave (possibly damaged on purpose), then what the page saved.
      let state = /** @type {import('../../webview/app/persisted-state.js').PersistedState | undefined} */ (initialState ?? undefined);
      window.__vscodePosted = posted;
      window.__vscodeState = () => state;
      /** @type {any} */ (window).acquireVsCodeApi = () => ({ postMessage: (m) => posted.push(m), getState: () => state, setState: (s) => { state = s; } });
    }
  }, [vscode, state ?? null]);
  // Served from a real (intercepted) origin rather than setContent, so init scripts and CSP apply as in a file.
  await page.route('http://poolscope.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto('http://poolscope.test/report.html', { waitUntil: 'load' });
  await page.waitForFunction(() => window.__poolscope !== undefined);
  await settle(page);
  problems.csp = () => page.evaluate(() => window.__cspViolations);
  return { page, context, problems };
}

/** Waits for two animation frames (the app redraws at most once per frame). */
export async function settle(page) {
  await page.evaluate(() => window.__poolscope.settled());
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** RGBA of the canvas pixel under client point (x, y), in device pixels. */
export async function canvasPixel(page, x, y) {
  return page.evaluate(([cx, cy]) => {
    const c = /** @type {HTMLCanvasElement} */ (document.querySelector('.ps-canvas'));
    const r = c.getBoundingClientRect();
    const dpr = c.width / r.width;
    const d = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(Math.floor((cx - r.left) * dpr), Math.floor((cy - r.top) * dpr), 1, 1).data;
    return [d[0], d[1], d[2], d[3]];
  }, [x, y]);
}

/**
 * A CSS colour as [r, g, b], as the page's canvas paints it.
 * @param {import('playwright-core').Page} page
 * @param {string} css
 * @returns {Promise<number[]>}
 */
export function cssRgb(page, css) {
  return page.evaluate((c) => {
    const probe = /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
    probe.fillStyle = c;
    probe.fillRect(0, 0, 1, 1);
    return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  }, css);
}

/**
 * The CSS colour (`--mark`) of the legend entry whose text is `label` (trimmed), or undefined when there is none.
 * @param {import('playwright-core').Page} page
 * @param {string} label
 * @param {string} [markSelector] the mark inside the entry
 * @returns {Promise<string | undefined>}
 */
export function legendMarkCss(page, label, markSelector = '.ps-legend-mark') {
  return page.evaluate(([text, sel]) => {
    const item = [...document.querySelectorAll('.ps-legend-item')].find((el) => el.textContent?.trim() === text);
    const mark = item?.querySelector(sel);
    return mark ? getComputedStyle(mark).getPropertyValue('--mark').trim() : undefined;
  }, [label, markSelector]);
}

/**
 * The client rectangle of a task's bar; fails the test when the task is not drawn.
 * @param {import('playwright-core').Page} page
 * @param {string} runId
 * @param {number} taskId
 */
export async function taskRect(page, runId, taskId) {
  const rect = await page.evaluate(([r, id]) => window.__poolscope.taskRect(r, id), /** @type {const} */ ([runId, taskId]));
  assert.ok(rect, `task ${runId}#${taskId} is drawn`);
  return rect;
}

/**
 * The task under client point (x, y) as the tooltip describes it; fails the test when no task is there.
 * @param {import('playwright-core').Page} page
 * @param {number} x
 * @param {number} y
 * @returns {Promise<import('../../webview/task-info.js').TaskInfo>}
 */
export async function taskAt(page, x, y) {
  const hit = await page.evaluate(([cx, cy]) => window.__poolscope.hitTest(cx, cy), [x, y]);
  assert.ok(hit && 'taskId' in hit, `a task at (${x}, ${y}): ${JSON.stringify(hit)}`);
  return hit;
}

/**
 * The focused run's summary as the page shows it; fails the test when no run is summarized.
 * @param {import('playwright-core').Page} page
 */
export async function shownSummary(page) {
  const summary = await page.evaluate(() => window.__poolscope.summary);
  assert.ok(summary, 'a focused run with its summary');
  return summary;
}
