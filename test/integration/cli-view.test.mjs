// `poolscope view <trace>`: other tools' traces (Ray, Dask, VizTracer, Chrome) and our own, read without running
// any code, printed as the run table and written to --html / --trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../fixtures/cli/run-cli.mjs';

const foreign = (name) => fileURLToPath(new URL(`../fixtures/traces/foreign/${name}`, import.meta.url));

test('view a Dask task stream: format named, host line, --json runs, --html and --trace written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-view-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runCli(['view', foreign('dask-task-stream.json'), '--html', join(dir, 'd.html'), '--trace', join(dir, 'd.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Dask task stream/);
  assert.match(r.stdout, /2 hosts \(10\.0\.0\.5, 10\.0\.0\.6\), 3 processes, 3 threads/);
  assert.match(readFileSync(join(dir, 'd.html'), 'utf8'), /<html/i);
  const again = await runCli(['view', join(dir, 'd.json'), '--json']);
  assert.equal(again.code, 0, again.stderr);
  const json = JSON.parse(again.stdout);
  assert.equal(json.format, 'poolscope', 'our own export of the import reads back as ours');
  assert.equal(json.runs[0].tasks, 7);
  assert.equal(json.runs[0].failed, 1);
});

test('view a VizTracer file with --task-name counts only that function\'s calls', async () => {
  const r = await runCli(['view', foreign('viztracer.json'), '--task-name', 'work', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.format, 'viztracer');
  assert.equal(json.runs[0].tasks, 6);
});

test('view of something that is not a trace → exit 2 with TraceFormatError; a missing file → FileNotFound', async () => {
  const bad = await runCli(['view', fileURLToPath(import.meta.url)]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /TraceFormatError: .*not JSON/);
  const missing = await runCli(['view', '/nonexistent/trace.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /FileNotFound/);
});
