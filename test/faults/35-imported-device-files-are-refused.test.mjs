// Scenario 35: bundling is bounded when the user's file imports something
// that is not a source file. An import of /dev/zero (through a symlink named
// like a module) would feed the bundler without end, an import of a FIFO
// would block it forever; both are refused with a clear error naming the
// file, exit 2, in bounded time. Also when the import was an ordinary file
// at the first (cached) run and became a FIFO since: the cache check never
// reads it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const cache = tempDir();
const dir = mkdtempSync(join(tmpdir(), 'poolscope-fault35-'));
after(() => { cache.cleanup(); rmSync(dir, { recursive: true, force: true }); });

function entry(name, importPath) {
  const file = join(dir, name);
  writeFileSync(file, `import { value } from '${importPath}';\nexport function task(x: number) { return x + Number(value ?? 0); }\n`);
  return file;
}

function mkfifo(path) {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
}

const run = (file) => runCli(['run', file, '--fn', 'task', '--inputs', '[1]', '-b', 'thread', '-w', '1', '--cache-dir', cache.dir], { timeoutMs: 60_000 });

test('an import of /dev/zero (through a symlink) → a clear error, exit 2, no runaway bundler', async () => {
  symlinkSync('/dev/zero', join(dir, 'zero.js'));
  const r = await run(entry('imports-zero.ts', './zero.js'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /zero(\.js)? is a character device, not a regular file: an import must name a source file/);
  assert.deepEqual(r.leftover, []);
});

test('an import of a FIFO → a clear error, exit 2, no hang', async () => {
  mkfifo(join(dir, 'pipe.ts'));
  const r = await run(entry('imports-fifo.ts', './pipe.ts'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /pipe\.ts is a FIFO \(named pipe\), not a regular file/);
  assert.deepEqual(r.leftover, []);
});

test('an import that became a FIFO after a cached run → refused on the next run, no hang', async () => {
  const dep = join(dir, 'dep.ts');
  writeFileSync(dep, 'export const value = 41;\n');
  const file = entry('imports-dep.ts', './dep.ts');
  const first = await run(file);
  assert.equal(first.code, 0, first.stderr);
  unlinkSync(dep);
  mkfifo(dep);
  const second = await run(file);
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, /dep\.ts is a FIFO \(named pipe\), not a regular file/);
  assert.deepEqual(second.leftover, []);
});
