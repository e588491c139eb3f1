// Load errors: the user's file cannot be bundled or loaded, or the function is
// missing — exit 2, with the place in the user's .ts file, and no process left.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { fixture, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const cache = tempDir();
after(() => cache.cleanup());
const common = ['--cache-dir', cache.dir, '--workers', '2'];

test('syntax error → exit 2 BundleError with syntax-error.ts:2:', async () => {
  const r = await runCli(['run', fixture('syntax-error.ts'), '--fn', 'broken', '--inputs', '[1]', ...common]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /syntax-error\.ts:2:\d+: BundleError/);
  assert.deepEqual(r.leftover, []);
});

test('function declared but not exported → exit 2 FunctionNotExported, says line 5 and to add export', async () => {
  const r = await runCli(['run', fixture('not-exported.ts'), '--fn', 'hidden', '--inputs', '[1]', ...common]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /FunctionNotExported/);
  assert.match(r.stderr, /declared at line 5 but not exported/);
  assert.match(r.stderr, /Exported: (notFunction, visible|visible, notFunction)\./);
  assert.deepEqual(r.leftover, []);
});

test('name that does not exist → exit 2 FunctionNotExported listing the exports', async () => {
  const r = await runCli(['run', fixture('not-exported.ts'), '--fn', 'nowhere', '--inputs', '[1]', ...common]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /FunctionNotExported: .*does not export 'nowhere'/);
});

test('export that is not a function → exit 2 NotAFunction', async () => {
  const r = await runCli(['run', fixture('not-exported.ts'), '--fn', 'notFunction', '--inputs', '[1]', ...common]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /NotAFunction: export 'notFunction' .* is a number/);
});

test('module that throws at import → exit 2 ModuleLoadFailed at import-throws.ts:5', async () => {
  const r = await runCli(['run', fixture('import-throws.ts'), '--fn', 'never', '--inputs', '[1]', '--backend', 'process', ...common]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /ModuleLoadFailed/);
  assert.match(r.stderr, /TypeError: config missing at import time/);
  assert.match(r.stderr, /import-throws\.ts:5:\d+/);
  assert.deepEqual(r.leftover, []);
});

test('a cache directory others can write to → exit 2 UnsafeCacheDir (bundles in it would be executed)', async () => {
  const open = tempDir('poolscope-open-cache-');
  try {
    chmodSync(open.dir, 0o777);
    const r = await runCli(['run', fixture('not-exported.ts'), '--fn', 'visible', '--inputs', '[1]', '--cache-dir', open.dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /UnsafeCacheDir: the bundle cache directory .* is writable by group and others \(mode 0777\)/);
  } finally {
    open.cleanup();
  }
});
