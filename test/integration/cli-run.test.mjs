// `poolscope run <file> --fn …`: bundling (TypeScript, relative imports, npm
// packages, top-level await), inputs forms, results, failed tasks with their
// .ts line, the trace file, and exit codes 0/1. No process is left behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const cache = tempDir();
const out = tempDir('poolscope-cli-out-');
after(() => { cache.cleanup(); out.cleanup(); });
const common = ['--cache-dir', cache.dir];

/** The --json document. */
async function runJson(args) {
  const r = await runCli([...args, ...common, '--json']);
  assert.deepEqual(r.leftover, [], 'no process left behind');
  return { ...r, doc: r.code === 2 ? undefined : JSON.parse(r.stdout) };
}

test('TS syntax + relative import: describeArea over [[2,3],[4,5]] → "r=6px", "r=20px"; exit 0', async () => {
  const r = await runJson(['run', fixture('ts-relative.ts'), '--fn', 'describeArea', '--inputs', '[[2,3],[4,5]]', '--backend', 'thread', '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.tasks.map((t) => t.preview).sort(), ['"r=20px"', '"r=6px"']);
  assert.equal(r.doc.runs[0].backend, 'thread');
  assert.equal(r.doc.runs[0].ok, 2);
});

test('npm dependency from the user\'s node_modules (CommonJS, uses require) → exit 0', async () => {
  const r = await runJson(['run', fixture('npm-dep.ts'), '--fn', 'greet', '--inputs', '["ada"]', '--backend', 'process', '--workers', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.doc.tasks[0].preview, '"HELLO ADA!1"');
});

test('top-level await: scale(x) uses the awaited factor in every worker', async () => {
  const r = await runJson(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', 'range(3)', '--backend', 'event-loop', '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.tasks.map((t) => t.preview).sort(), ['0', '10', '20']);
});

test('range(0, 10, 3) → 4 tasks with inputs 0, 3, 6, 9 (serial)', async () => {
  const r = await runJson(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', 'range(0, 10, 3)', '--backend', 'serial']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.tasks.map((t) => t.input), ['0', '3', '6', '9']);
  assert.deepEqual(r.doc.tasks.map((t) => t.preview), ['0', '30', '60', '90']);
});

test('@inputs.json: two argument lists → describeArea(2,3), describeArea(4,5)', async () => {
  const r = await runJson(['run', fixture('ts-relative.ts'), '--fn', 'describeArea', '--inputs', `@${fixture('inputs.json')}`, '--backend', 'serial']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.tasks.map((t) => t.preview), ['"r=6px"', '"r=20px"']);
});

test('throwing task → exit 1; the failure lists RangeError with throwing.ts:6; others succeed', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--fn', 'failOdd', '--inputs', 'range(4)', '--backend', 'thread', '--workers', '2', ...common]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /2 of 4 tasks failed/);
  assert.match(r.stderr, /RangeError: odd input 1/);
  assert.match(r.stderr, /RangeError: odd input 3/);
  assert.match(r.stderr, /throwing\.ts:6:\d+/);
  assert.match(r.stdout, /thread\s+2\s+4\s+2\s+2/, 'table row: backend workers tasks ok failed');
  assert.deepEqual(r.leftover, []);
});

for (const backend of ['thread', 'process', 'serial', 'event-loop']) {
  test(`--trace on ${backend}: one task X event per task, pids/tids as the backend promises`, async () => {
    const trace = join(out.dir, `trace-${backend}.json`);
    const csv = join(out.dir, `trace-${backend}.csv`);
    const r = await runCli(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', 'range(6)', '--backend', backend, '--workers', '2', '--trace', trace, '--csv', csv, ...common]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.leftover, []);
    const doc = JSON.parse(readFileSync(trace, 'utf8'));
    const runStart = doc.poolscope.events.find((e) => e.type === 'run-start');
    const taskSpans = backend === 'event-loop'
      ? doc.traceEvents.filter((e) => e.ph === 'b' && e.cat === 'task')
      : doc.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'task');
    assert.equal(taskSpans.length, 6);
    const pids = new Set(taskSpans.map((e) => e.pid));
    const lanes = new Set(taskSpans.map((e) => `${e.pid}:${e.tid}`));
    if (backend === 'thread') {
      assert.deepEqual([...pids], [runStart.pid], 'threads share the runner\'s PID');
      assert.ok(lanes.size >= 1 && lanes.size <= 2);
      assert.ok([...lanes].every((l) => !l.endsWith(':0')), 'worker threads have threadId > 0');
    } else if (backend === 'process') {
      assert.ok(pids.size >= 1 && pids.size <= 2);
      assert.ok(![...pids].includes(runStart.pid), 'tasks ran in child processes');
    } else if (backend === 'serial') {
      // One lane: a thread of its own in the runner (like one pool worker), not the runner's main thread.
      assert.deepEqual([...pids], [runStart.pid], 'serial runs in the runner process');
      assert.equal(lanes.size, 1, 'one task at a time on one thread');
      assert.ok(![...lanes][0].endsWith(':0'), 'not the runner\'s main thread (it feeds IPC and trace)');
    } else {
      assert.equal(lanes.size, 1, 'event-loop: one lane');
      assert.deepEqual([...pids], [runStart.pid]);
    }
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(rows.length, 1 + 6, 'CSV: header + one row per task');
  });
}

test('--html writes one self-contained page: strict CSP, the timeline script, the trace as a data block', async () => {
  const html = join(out.dir, 'report.html');
  const r = await runCli(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', 'range(3)', '--backend', 'thread', '--workers', '2', '--html', html, ...common]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /html: .*report\.html/);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /^<!DOCTYPE html>/);
  assert.match(page, /Content-Security-Policy" content="default-src &#39;none&#39;/);
  assert.match(page, /<script type="application\/json" id="[^"]+">/);
  assert.doesNotMatch(page, /<script[^>]+src=/, 'no external scripts');
  assert.match(page, /scale/);
});

test('inputs forms: 1 → f(1); [2, 3] → f(2, 3); [[4, 5]] → f([4, 5]); [] → f()', async () => {
  const r = await runJson(['run', fixture('echo-args.ts'), '--fn', 'echoArgs', '--inputs', '[1, [2, 3], [[4, 5]], []]', '--backend', 'serial']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.tasks.map((t) => t.preview), [
    '{count: 1, args: [1]}', '{count: 2, args: [2, 3]}', '{count: 1, args: [[4, 5]]}', '{count: 0, args: []}',
  ]);
});

test('range(3) (Python form, start 0) → f(0), f(1), f(2)', async () => {
  const r = await runJson(['run', fixture('echo-args.ts'), '--fn', 'echoArgs', '--inputs', 'range(3)', '--backend', 'thread', '--workers', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.tasks.map((t) => t.input), ['0', '1', '2']);
});

test('CommonJS .cjs file (exports.triple, relative require) → named export found, runs on process', async () => {
  const r = await runJson(['run', fixture('commonjs-tasks.cjs'), '--fn', 'triple', '--inputs', '[1, 2]', '--backend', 'process', '--workers', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.doc.tasks.map((t) => t.preview), ['3', '6']);
});

test('package with a native addon (.node, cannot be bundled) → left to Node by absolute URL, runs on thread', async () => {
  const r = await runJson(['run', fixture('native-dep.ts'), '--fn', 'addLoud', '--inputs', '[[1, 2]]', '--backend', 'thread', '--workers', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.doc.tasks[0].preview, '"3!1"');
});

test('a long range streams through the runner (sent as three numbers, submitted as the pool takes them): every input once, in order', async () => {
  const n = 40_000; // more than the runner keeps in flight (16 384)
  const r = await runJson(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', `range(5, ${5 + 3 * n}, 3)`, '--backend', 'thread', '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.doc.runs[0].ok, n);
  assert.equal(r.doc.tasks.length, n);
  const inputs = r.doc.tasks.map((t) => Number(t.input));
  assert.deepEqual([inputs[0], inputs[1], inputs[n - 1]], [5, 8, 5 + 3 * (n - 1)]);
  assert.equal(new Set(inputs).size, n, 'every input exactly once');
});
