// Errors before work, in PoolScope's own words (issue 19, items 3 and 6): output paths are
// checked before any task runs (exit 2 with the path and the reason, nothing written, no
// runner started); every bad flag value gets a PoolScope message; a directory or a FIFO as
// the file says so; Python's "not found" names --python when it was given.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, runCli, tempDir, ROOT } from '../fixtures/cli/run-cli.mjs';

const out = tempDir('poolscope-cli-errors-');
after(() => out.cleanup());
const cpuBound = join(ROOT, 'examples', 'cpu-bound.ts');
const run = (...args) => ['run', cpuBound, '--fn', 'cpuTask', '--inputs', '[1]', ...args];

test('--trace in a place no file can be created (/proc) → exit 2 before any task: flag, path, reason; no stack', async () => {
  const r = await runCli(run('--trace', '/proc/y.json'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /OutputNotWritable: cannot write --trace \/proc\/y\.json: cannot create a file in \/proc/);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(r.stdout, '', 'no table: nothing ran');
  assert.deepEqual(r.leftover, []);
});

test('--trace under a path whose parent is a file → exit 2 naming the file that is not a directory', async () => {
  const file = join(out.dir, 'afile');
  writeFileSync(file, 'x');
  const r = await runCli(run('--trace', join(file, 'sub.json')));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`cannot write --trace ${file}/sub\\.json: ${file} is not a directory`));
});

test('--html naming a directory, two outputs naming one file, an output naming the input → exit 2 each', async () => {
  const dir = await runCli(run('--html', out.dir));
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /cannot write --html .*: is a directory/);
  const same = join(out.dir, 'same.out');
  const twice = await runCli(run('--trace', same, '--csv', same));
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /cannot write --csv .*same\.out: --trace writes the same file/);
  const input = await runCli(run('--html', cpuBound));
  assert.equal(input.code, 2);
  assert.match(input.stderr, /that is the input file; it would be overwritten/);
});

test('outputs in directories that do not exist yet are fine: created when written, nothing left by the check', async () => {
  const csv = join(out.dir, 'new', 'deeper', 'x.csv');
  const r = await runCli(run('--csv', csv, '--backend', 'serial'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(csv), true);
  const failed = await runCli(['run', join(out.dir, 'missing.ts'), '--csv', join(out.dir, 'other', 'y.csv')]);
  assert.equal(failed.code, 2);
  assert.equal(existsSync(join(out.dir, 'other')), false, 'the check removed the directory it made');
});

for (const [args, message] of /** @type {Array<[string[], RegExp]>} */ ([
  [['--workers', '-1'], /--workers must be a whole number from 1 to 4096, got '-1'/],
  [['--timeout', '-5'], /--timeout must be a whole number from 1 to 2147483647, got '-5'/],
  [['--workers', 'two'], /--workers must be a whole number from 1 to 4096, got 'two'/],
  [['--max-memory', '0'], /--max-memory must be a whole number from 1 to 16777216, got '0'/],
  // The runner's limits, said by the CLI with the flag's name (the runner used to refuse 5000 workers after start-up).
  [['--workers', '5000'], /--workers must be a whole number from 1 to 4096, got '5000'/],
  [['--timeout', '3000000000'], /--timeout must be a whole number from 1 to 2147483647, got '3000000000'/],
  [['--wrkers', '2'], /unknown option '--wrkers' \(did you mean --workers\?\)/],
  [['--frobnicate'], /unknown option '--frobnicate'\n/],
  [['-x'], /unknown option '-x'\n/],
  [['--json=yes'], /--json takes no value, got '--json=yes'/],
  [['--backend'], /--backend needs a value: one of serial, event-loop, thread, process/],
  [['--html', '--json'], /--html needs a value \(an output file \(\.html\)\), but the next argument is the option '--json'/],
])) {

  test(`flag ${args.join(' ')} → exit 2 in PoolScope's words`, async () => {
    const r = await runCli(run(...args));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /ambiguous|Did you forget|To specify a positional/, 'not Node\'s parseArgs text');
    // Quotes in the message are balanced.
    const first = r.stderr.split('\n')[0];
    assert.equal((first.match(/'/g) ?? []).length % 2, 0, first);
  });
}

test('a directory as the file → exit 2 "is a directory"; a FIFO → "is not a regular file" (nothing read, no hang)', async () => {
  const dir = await runCli(['compare', join(ROOT, 'examples'), '--fn', 'cpuTask']);
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /NotAFile: .*examples is a directory/);
  assert.doesNotMatch(dir.stderr, /BundleError/);
  const fifo = join(out.dir, 'tasks.ts');
  execFileSync('mkfifo', [fifo]);
  const r = await runCli(['run', fifo, '--fn', 'f']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /NotAFile: .*tasks\.ts is (a FIFO \(named pipe\), )?not a regular file/);
});

test('Python: an interpreter given with --python that does not exist → PythonNotFound naming --python, not the editor setting', async () => {
  const r = await runCli(['run', fixture('py_tasks.py'), '--fn', 'square', '--inputs', '[2]', '--python', join(out.dir, 'no-python')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /PythonNotFound: Python interpreter '.*no-python' \(from --python\) not found/);
  assert.doesNotMatch(r.stderr, /poolscope\.pythonPath/);
});
