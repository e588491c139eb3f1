// `poolscope run <file>` without --fn: Run File calls the default export main().
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fixture, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const cache = tempDir();
after(() => cache.cleanup());

test('script without the API: main() runs, its output reaches stdout, exit 0', async () => {
  const r = await runCli(['run', fixture('script-plain.ts'), '--cache-dir', cache.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /plain main ran/);
  assert.deepEqual(r.leftover, []);
});

test('main() that throws → exit 1 with the error and its script-throws.ts line', async () => {
  const r = await runCli(['run', fixture('script-throws.ts'), '--cache-dir', cache.dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Error: main failed on purpose/);
  assert.match(r.stderr, /script-throws\.ts:3/);
  assert.deepEqual(r.leftover, []);
});

test('--inputs without --fn → exit 2 (usage)', async () => {
  const r = await runCli(['run', fixture('script-plain.ts'), '--inputs', '[1]']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--inputs needs --fn/);
});

test('script using the API (new Pool()) on --backend process --workers 2: results, trace events, exit 0', async () => {
  const r = await runCli(['run', fixture('script-api.ts'), '--backend', 'process', '--workers', '2', '--cache-dir', cache.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /squares \[1,4,9,16\]/);
  assert.match(r.stdout, /backend process × 2, main pid \d+, worker pids [12]/);
  // The API's trace events reached the CLI: the run table shows the pool's run.
  assert.match(r.stdout, /process\s+2\s+8\s+8\s+0/);
  assert.deepEqual(r.leftover, []);
});

for (const backend of ['thread', 'process']) {
  test(`--timeout reaches the pools a script makes (${backend}): an endless task fails with TaskTimeout, the pool goes on`, async () => {
    const r = await runCli(['run', fixture('script-timeout.ts'), '--backend', backend, '--timeout', '500', '--cache-dir', cache.dir]);
    assert.match(r.stdout, /caught TaskTimeout/, r.stderr);
    assert.match(r.stdout, /then 42/);
    assert.deepEqual(r.leftover, []);
  });
}

test('script using the API on --backend thread: worker pids = the runner (1)', async () => {
  const r = await runCli(['run', fixture('script-api.ts'), '--backend', 'thread', '--workers', '2', '--cache-dir', cache.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /backend thread × 2, main pid \d+, worker pids 1/);
});

test('script that ends with process.exit(0) → exit 0; with process.exit(3) → exit 1 naming the code', async () => {
  const ok = await runCli(['run', fixture('script-exits.ts'), '--cache-dir', cache.dir]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /doubled \[2,4\]/);
  assert.doesNotMatch(ok.stderr, /RunnerCrashed/);
  assert.deepEqual(ok.leftover, []);
  const failed = await runCli(['run', fixture('script-exits.ts'), '--cache-dir', cache.dir], { env: { SCRIPT_EXIT_CODE: '3' } });
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /the script called process\.exit\(3\)/);
  assert.deepEqual(failed.leftover, []);
});

test('--json keeps stdout for the JSON document: the script\'s console.log goes to stderr', async () => {
  const r = await runCli(['run', fixture('script-plain.ts'), '--json', '--cache-dir', cache.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).ok, true);
  assert.match(r.stderr, /plain main ran/);
});

// Issue 19 item 1: never silently nothing.
test('run without --fn on a file whose main is a named export → exit 2 NoMainFunction: exports listed, "did you mean export default?", no --html written', async () => {
  const out = tempDir('poolscope-nomain-');
  try {
    const html = `${out.dir}/x.html`;
    const r = await runCli(['run', fixture('named-main.ts'), '--html', html, '--cache-dir', cache.dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /NoMainFunction: named-main\.ts has no default export main\(\)/);
    assert.match(r.stderr, /Exports: main, square\./);
    assert.match(r.stderr, /did you mean `export default async function main\(\)`\?/);
    assert.match(r.stderr, /--fn square/);
    assert.doesNotMatch(r.stdout, /named main ran/, 'the named main is not called');
    assert.equal(existsSync(html), false, 'no timeline for a run that did nothing');
    assert.deepEqual(r.leftover, []);
  } finally {
    out.cleanup();
  }
});

test('run without --fn on a module of task functions (no main at all) → exit 2 NoMainFunction suggesting --fn', async () => {
  const r = await runCli(['run', fixture('echo-args.ts'), '--cache-dir', cache.dir, '--json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /NoMainFunction: echo-args\.ts has no default export main\(\)/);
  assert.match(r.stderr, /name it with --fn: poolscope run echo-args\.ts --fn \w+/);
  assert.equal(JSON.parse(r.stdout).loadError.name, 'NoMainFunction');
});
