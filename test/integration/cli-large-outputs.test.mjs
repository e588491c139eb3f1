// The CLI's output files for a run large enough to be stored compactly (≥ 20 000 tasks): every file is
// written (streamed; a gzip trace for .gz), valid and complete, and `poolscope view` reads the .gz back.
// The 1 000 000-task figures (time, peak RSS, bytes per task) are in `node bench/run.mjs --only=cli`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const dir = tempDir();
after(() => dir.cleanup());
const N = 25_000;

test(`run … range(${N}) --trace t.json.gz --csv --html --json: every file complete, view reads the .gz`, async () => {
  const file = join(dir.dir, 'ident.ts');
  writeFileSync(file, 'export function ident(x: number): number {\n  return x;\n}\n');
  const trace = join(dir.dir, 't.json.gz');
  const csv = join(dir.dir, 't.csv');
  const html = join(dir.dir, 't.html');
  const r = await runCli(['run', file, '--fn', 'ident', '--inputs', `range(${N})`, '--backend', 'thread', '--workers', '2',
    '--trace', trace, '--csv', csv, '--html', html, '--json', '--cache-dir', join(dir.dir, 'cache')], { cwd: dir.dir, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.leftover, []);

  const doc = JSON.parse(r.stdout);
  assert.equal(doc.tasks.length, N);
  assert.deepEqual(doc.tasks[N - 1].result, N - 1);
  assert.equal(doc.runs[0].ok, N);

  const text = gunzipSync(readFileSync(trace)).toString('utf8');
  // The plain .json is this same text: a recorded run's tasks cost at most 150 bytes each (X event + table row).
  assert.ok(Buffer.byteLength(text) / N <= 150, `${(Buffer.byteLength(text) / N).toFixed(1)} bytes per task`);
  const chrome = JSON.parse(text);
  assert.equal(chrome.traceEvents.filter((e) => e.ph === 'X').length, N, 'one X event per task');
  const queuedRows = (c) => c.kind.filter((k) => k === 0 || k === 1).length;
  assert.equal(chrome.poolscope.version, 2);
  assert.equal(chrome.poolscope.tasks[0].length, N, 'the tasks stored once, a row each in the run\'s task table');
  assert.deepEqual(chrome.poolscope.events, [], 'the large run is all in its table');

  const rows = readFileSync(csv, 'utf8').split('\r\n').filter(Boolean);
  assert.equal(rows.length, N + 1);

  const page = readFileSync(html, 'utf8');
  const data = /<script type="application\/json" id="poolscope-trace">([^<]*)<\/script>/.exec(page)?.[1];
  assert.ok(data, 'the trace travels as a data block');
  assert.equal(queuedRows(JSON.parse(data).columns[0]), N);

  const view = await runCli(['view', trace, '--json'], { cwd: dir.dir });
  assert.equal(view.code, 0, view.stderr);
  const viewed = JSON.parse(view.stdout);
  assert.equal(viewed.format, 'poolscope');
  assert.equal(viewed.runs[0].tasks, N);
  assert.equal(viewed.runs[0].ok, N);
});
