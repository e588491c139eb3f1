// The real distributed engines on the timeline: a py-dask run on a real LocalCluster and a bullmq run on a real
// redis-server, recorded by the CLI now, open in the report page with their lanes under a host heading (this
// machine: one machine is all there is here), the host line, and — for Dask — the compute phase from its task
// stream drawn inside the bars (checked by pixels). Skipped where the engine is not installed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canvasPixel, cssRgb, launchBrowser, legendMarkCss, openPage, reportHtml, screenshot, settle, taskAt, taskRect } from './browser.mjs';
import { defined } from '../fixtures/trace-events.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const DASK_TASKS = fileURLToPath(new URL('../fixtures/python/dask_tasks.py', import.meta.url));
const JOBS = fileURLToPath(new URL('../fixtures/bullmq/jobs.ts', import.meta.url));

const works = (cmd, args) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
};
const hasDask = works('python3', ['-c', 'import distributed']) || works('/usr/bin/python3', ['-c', 'import distributed']);
const hasRedis = works('redis-server', ['--version']);

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Runs the CLI with --trace and returns the trace's events. */
function record(args) {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-engine-view-'));
  const trace = join(dir, 't.json');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args, '--trace', trace], { timeout: 300_000 }, (err, _stdout, stderr) => {
      try {
        if (err) return reject(new Error(`${err.message}\n${stderr}`));
        resolve(JSON.parse(readFileSync(trace, 'utf8')).poolscope.events);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const near = (a, b, tol = 12) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) <= tol;

test('a real py-dask run: lanes under "this machine", the host line, Dask\'s compute phase inside the bars', { skip: hasDask ? false : 'Dask distributed is not installed' }, async () => {
  const events = await record(['run', DASK_TASKS, '--fn', 'spin', '--inputs', '[200,200,200,200]', '--backend', 'py-dask', '--workers', '2']);
  const { page, context, problems } = await openPage(browser, await reportHtml(events, 'py-dask'));
  try {
    await settle(page);
    const rows = await page.evaluate(() => window.__poolscope.lanes);
    assert.equal(rows[0].kind, 'host');
    assert.equal(rows[0].label, 'this machine');
    const workers = rows.filter((r) => r.kind === 'worker');
    assert.ok(workers.length >= 2 && workers.every((w) => w.host === 'this machine'), `worker lanes under the heading: ${JSON.stringify(rows)}`);
    const pids = new Set(workers.map((w) => w.pid)).size;
    assert.match(await page.textContent('.ps-stat-hosts') ?? '', new RegExp(`^1 host \\(this machine\\), ${pids} process(es)?, ${workers.length} threads?$`));
    // Zoom onto the first task: Dask's compute phase fills most of its bar in the task's colour.
    const end = events.find((e) => e.type === 'task-end' && e.ok);
    const start = events.find((e) => e.type === 'task-start' && e.taskId === end.taskId);
    const compute = end.phases.find((p) => p.name === 'compute');
    assert.ok(compute, 'Dask reported a compute phase');
    await page.evaluate(([a, b]) => window.__poolscope.setDomain(a, b), [start.t - 20_000, end.t + 20_000]);
    await settle(page);
    const rect = await taskRect(page, end.runId, end.taskId);
    assert.ok(rect.width > 100, `bar drawn wide: ${JSON.stringify(rect)}`);
    const colour = await cssRgb(page, defined(await legendMarkCss(page, 'compute (the task\'s colour)'), 'the compute legend entry'));
    const mid = (compute.start + compute.end) / 2;
    const x = rect.x + ((mid - start.t) / (end.t - start.t)) * rect.width;
    const px = (await canvasPixel(page, x, rect.y + rect.height / 2)).slice(0, 3);
    assert.ok(near(px, colour), `the middle of the compute phase ${px} is the task colour ${colour}`);
    const info = await taskAt(page, x, rect.y + rect.height / 2);
    assert.ok(info.phases?.some((p) => p.name === 'compute' && p.us > 100_000), `tooltip phases ${JSON.stringify(info.phases)}`);
    await screenshot(page, 'real-py-dask');
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test('a real bullmq run: both local workers under "this machine", the host line', { skip: hasRedis ? false : 'redis-server is not installed' }, async () => {
  const events = await record(['run', JOBS, '--fn', 'spin', '--inputs', '[100,100,100,100]', '--backend', 'bullmq', '--workers', '2']);
  const { page, context, problems } = await openPage(browser, await reportHtml(events, 'bullmq'));
  try {
    await settle(page);
    const rows = await page.evaluate(() => window.__poolscope.lanes);
    assert.deepEqual(rows.map((r) => r.kind), ['host', 'worker', 'worker']);
    assert.equal(rows[0].label, 'this machine');
    assert.equal(rows[0].detail, '2 processes · 2 lanes');
    assert.equal(await page.textContent('.ps-stat-hosts'), '1 host (this machine), 2 processes, 2 threads');
    await screenshot(page, 'real-bullmq');
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});
