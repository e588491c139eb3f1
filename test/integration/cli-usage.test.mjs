// `poolscope` command-line handling: help, usage errors and bad inputs exit 2
// with a message that says what is wrong, before any runner is started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runCli } from '../fixtures/cli/run-cli.mjs';

test('poolscope --help prints the commands, inputs forms and exit codes; exit 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const text of ['poolscope run <file> --fn <name>', 'poolscope compare', 'poolscope demo', 'range(10)', '@inputs.json', 'Exit codes', '--timeout']) {
    assert.ok(r.stdout.includes(text), `help mentions ${text}`);
  }
});

test('poolscope (no command) prints help', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage/);
});

test('poolscope run --bogus → exit 2, names the unknown option', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--bogus']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--bogus/);
  assert.match(r.stderr, /poolscope --help/);
});

test('poolscope frobnicate → exit 2 (unknown command)', async () => {
  const r = await runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('poolscope run missing.ts → exit 2 FileNotFound', async () => {
  const r = await runCli(['run', fixture('does-not-exist.ts'), '--fn', 'f']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /FileNotFound/);
  assert.match(r.stderr, /does-not-exist\.ts/);
});

test('poolscope run --inputs "[1, 2" → exit 2 InvalidInputs (not valid JSON)', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--fn', 'failOdd', '--inputs', '[1, 2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /InvalidInputs/);
  assert.match(r.stderr, /not valid JSON/);
});

test('poolscope run --inputs \'{"a":1}\' → exit 2 InvalidInputs (must be an array)', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--fn', 'failOdd', '--inputs', '{"a":1}']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /InvalidInputs: inputs must be a JSON array/);
});

test('poolscope run --inputs "range(1, 5, 0)" → exit 2 InvalidInputs (step 0)', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--fn', 'failOdd', '--inputs', 'range(1, 5, 0)']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /InvalidInputs: bad range: step must not be 0/);
});

test('poolscope run --inputs @missing.json → exit 2 InvalidInputs (cannot read)', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--fn', 'failOdd', '--inputs', '@nope.json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /InvalidInputs: cannot read inputs file/);
});

test('poolscope run --backend gpu → exit 2 naming the backends', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--fn', 'failOdd', '--backend', 'gpu']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown backend 'gpu'.*event-loop, thread, process/);
});

test('poolscope run --workers 0 → exit 2', async () => {
  const r = await runCli(['run', fixture('throwing.ts'), '--fn', 'failOdd', '--workers', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--workers must be a whole number/);
});

test('--node /nonexistent/node → exit 2 RunnerNotStarted naming the path', async () => {
  const r = await runCli(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', '[1]', '--node', '/nonexistent/node']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /RunnerNotStarted: cannot start the runner with \/nonexistent\/node/);
});

test('--node <this node> runs the tasks on that binary → exit 0', async () => {
  const r = await runCli(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', '[2]', '--node', process.execPath, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).tasks[0].preview, '20');
  assert.deepEqual(r.leftover, []);
});
