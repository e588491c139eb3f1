#!/usr/bin/env node
// restricted.e2e.mjs — PoolScope in Restricted Mode, the way a user meets it:
// Workspace Trust on and the folder not trusted (code-server started with
// E2E_WORKSPACE_TRUST=1 and startupPrompt "never", see run-workbench-tests.sh).
//
//   1. the workbench says Restricted Mode and the extension is active,
//   2. the CodeLens above an exported function says running is disabled (no "Run in pool"),
//   3. Run Function from the palette asks nothing and refuses with ONE notification
//      that offers "Manage Workspace Trust" (and no "resulted in an error" dialog),
//   4. the timeline's run controls are disabled, with the reason on them, and the
//      empty panel points to Open Trace instead of inviting a run.
//
// Prints "restricted: N passed, M failed"; exit 1 with "E2E FAILED: …". Screenshots r1–r3 in --out.
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { checks, codeText, fail, openWorkbenchBrowser, runPaletteCommand as palette, webviewFrame } from './workbench.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.E2E_URL },
    out: { type: 'string', default: process.env.E2E_OUT ?? 'e2e-out' },
    timeout: { type: 'string', default: '60000' },
    headed: { type: 'boolean', default: false },
  },
});
const OUT = path.resolve(opt.out);
fs.mkdirSync(OUT, { recursive: true });
if (!opt.url) fail('no workbench URL: pass --url or run under start-code-server.sh (E2E_URL)');

const { browser, page, consoleErrors } = await openWorkbenchBrowser({ headed: opt.headed, timeout: Number(opt.timeout) });
const { check, step, shot, finish } = checks(OUT);
const runPaletteCommand = (p, title, options = {}) => palette(p, title, { step, ...options });

let failed;
try {
  await check('the folder opens in Restricted Mode and PoolScope is active', async () => {
    await page.goto(opt.url, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible' });
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'demo.ts' }).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'demo.ts' }).waitFor({ state: 'visible' });
    await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: codeText('export function burn') }).first().waitFor({ state: 'visible' });
    // The status bar item is PoolScope's own: the extension runs in Restricted Mode (it declares limited support).
    await page.locator('[aria-label^="PoolScope backend"]').first().waitFor({ state: 'visible', timeout: 30_000 });
  });

  await check('the CodeLens says Restricted Mode instead of offering a run', async () => {
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'Restricted Mode' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    const runLenses = await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Run in pool' }).count();
    if (runLenses) throw new Error(`${runLenses} "Run in pool" lens(es) in Restricted Mode`);
    await shot(page, 'r1-restricted-codelens');
  });

  await check('Run Function asks nothing and refuses once, offering Manage Workspace Trust', async () => {
    await runPaletteCommand(page, 'PoolScope: Run Function in Pool');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'untrusted workspace' });
    await toast.first().waitFor({ state: 'visible', timeout: 20_000 });
    await toast.first().locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).waitFor({ state: 'visible' });
    // No inputs box was opened, and the refusal is one notification, not two.
    if (await page.locator('.quick-input-widget').isVisible()) throw new Error('an input box opened before the refusal');
    const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    const ours = toasts.filter((t) => /PoolScope|untrusted/i.test(t));
    if (ours.length !== 1) throw new Error(`${ours.length} PoolScope notifications: ${JSON.stringify(ours)}`);
    // Nor a second message as a dialog ("Command … resulted in an error"): the refusal must not reject a palette run.
    // (It would show at once with the rejection; there is no event for "no dialog", so this waits a bounded 3 s.)
    const dialog = await page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
    if (dialog) throw new Error(`a dialog came with the refusal: ${JSON.stringify(await page.locator('.monaco-dialog-box').innerText())}`);
    await shot(page, 'r2-restricted-refusal');
  });

  await check('the timeline\'s run controls are disabled, with the reason on them', async () => {
    await runPaletteCommand(page, 'PoolScope: Show Timeline');
    const live = await webviewFrame(page, { readOnly: false });
    const deadline = Date.now() + 30_000;
    let m;
    for (;;) {
      m = await live.evaluate(() => {
        const run = /** @type {HTMLButtonElement | null} */ (document.querySelector('button[aria-label="Run again"]'));
        const compare = /** @type {HTMLButtonElement | null} */ (document.querySelector('button[aria-label="Compare backends"]'));
        return { canRun: document.body.dataset.canRun, run: run?.disabled, compare: compare?.disabled, title: run?.title ?? '' };
      });
      if (m.canRun === 'false') break;
      if (Date.now() > deadline) throw new Error(`the webview was not told it cannot run: ${JSON.stringify(m)}`);
      await page.waitForTimeout(300);
    }
    if (!m.run || !m.compare) throw new Error(`run controls enabled in Restricted Mode: ${JSON.stringify(m)}`);
    if (!/Restricted Mode/.test(m.title)) throw new Error(`Run again's tooltip gives no reason: ${JSON.stringify(m.title)}`);
    // The empty panel does not invite a run that would be refused.
    const empty = await live.evaluate(() => document.querySelector('.ps-empty')?.textContent ?? '');
    if (!/Restricted Mode/.test(empty) || /Run in pool above/.test(empty)) throw new Error(`the empty panel says ${JSON.stringify(empty)}`);
    await shot(page, 'r3-restricted-timeline');
  });
} catch (err) {
  failed = err;
  await shot(page, 'restricted-failure');
  fs.writeFileSync(path.join(OUT, 'restricted-failure-dom.html'), await page.content().catch(() => ''));
} finally {
  await browser.close().catch(() => {});
}

finish('restricted', failed, consoleErrors);
