// Regenerates the README's timeline screenshots from real runs on this machine:
// `node docs/make-screenshots.mjs` (after `npm run build`). Each picture is the CLI's
// standalone HTML report (--html) rendered in headless Chromium.
//   --only=screenshot-python   just some of them
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../test/webview/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'poolscope-shots-'));
const shots = [
  { name: 'screenshot-compare', args: ['compare', 'examples/cpu-bound.ts', '--fn', 'cpuTask', '--inputs', 'range(12)', '--workers', '2'] },
  { name: 'screenshot-python', args: ['compare', 'examples/python/tasks.py', '--fn', 'count_primes', '--inputs', '[[30000],[30000],[30000],[30000],[30000],[30000]]', '--workers', '2'] },
];
const argOf = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = argOf('only')?.split(',');
const browser = await chromium.launch({ executablePath: await chromiumPath(), headless: true });
try {
  for (const shot of shots.filter((s) => !only || only.includes(s.name))) {
    const html = path.join(tmp, `${shot.name}.html`);
    try {
      // The picture depends on free cores: say how busy the machine was.
      console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
      execFileSync(process.execPath, ['dist/cli.js', ...shot.args, '--html', html], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (err) {
      if (err.status !== 1) throw err; // 1 = some tasks failed: still worth a picture
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 1050 }, colorScheme: 'dark' });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => document.querySelector('.ps-lane-label[data-kind="worker"]'), null, { timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(root, 'media', `${shot.name}.png`) });
    await page.close();
    console.log(`media/${shot.name}.png`);
  }
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
