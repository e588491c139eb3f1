// The bundle cache holds files that are executed: a directory anyone else could
// change is refused (exit 2, UnsafeCacheDir, nothing written), a manifest that
// names a file outside the cache or a bundle that changed after caching is never
// executed (a fresh bundle is made), the default location is the user's own
// cache directory. The two-user swap race is in bundle-cache-race.test.mjs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { runCli, tempDir } from '../fixtures/cli/run-cli.mjs';
import { defined } from '../fixtures/trace-events.mjs';

const work = tempDir('poolscope-cache-test-');
after(() => work.cleanup());

// The user's file, in its own directory (its bundle is what the cache holds).
const src = join(work.dir, 'src');
mkdirSync(src);
const file = join(src, 'sq.ts');
writeFileSync(file, 'export function sq(x: number): number { return x * x; }\n');
// A CommonJS file is run as it is ("direct" manifests).
const cjs = join(src, 'sq.cjs');
writeFileSync(cjs, 'exports.sq = (x) => x * x;\n');
// What an attacker would like to get executed.
const evil = join(work.dir, 'evil.mjs');
writeFileSync(evil, 'export function sq() { return "pwned"; }\n');

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** `poolscope run <f> --fn sq --inputs [[2]] --json --timing` with this cache dir (or env). */
async function run(cacheDir, { f = file, env = {} } = {}) {
  const args = ['run', f, '--fn', 'sq', '--inputs', '[[2]]', '--json', '--timing', '--workers', '1'];
  if (cacheDir) args.push('--cache-dir', cacheDir);
  const r = await runCli(args, { env });
  const timing = r.stderr.split('\n').find((l) => l.startsWith('{"timing"'));
  r.cacheHit = timing ? JSON.parse(timing).timing.cacheHit : undefined;
  assert.deepEqual(r.leftover, []);
  return r;
}

/** The one task's result (as text), after checking the run succeeded and nothing said "pwned". */
function value(r) {
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /pwned/);
  const task = JSON.parse(r.stdout).tasks[0];
  return Number(task.result ?? task.value);
}

const freshCache = (name) => {
  const dir = join(work.dir, name);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
};

test('a symlink as the cache directory → exit 2 UnsafeCacheDir naming it; nothing written through the link', async () => {
  const target = freshCache('link-target');
  const link = join(work.dir, 'cache-link');
  symlinkSync(target, link);
  const r = await run(link);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /UnsafeCacheDir: the bundle cache directory .*cache-link cannot be used: it is a symbolic link/);
  assert.deepEqual(readdirSync(target), []);
});

test('a symlink owned by root or you on the way is followed (the resolved directory is used)', async () => {
  const real = freshCache('real-parent');
  const via = join(work.dir, 'via');
  symlinkSync(real, via);
  const r = await run(join(via, 'cache'));
  assert.equal(value(r), 4);
  assert.ok(readdirSync(join(real, 'cache')).some((n) => n.endsWith('.json')));
  assert.equal(statSync(join(real, 'cache')).mode & 0o777, 0o700);
});

test('a cache directory with mode 0777 → exit 2 UnsafeCacheDir, nothing written', async () => {
  const open = freshCache('open');
  chmodSync(open, 0o777);
  const r = await run(open);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /UnsafeCacheDir: .*open cannot be used: it is writable by group and others \(mode 0777\)/);
  assert.deepEqual(readdirSync(open), []);
});

test('a group-writable directory above the cache → refused, naming that directory', async () => {
  const parent = freshCache('group-parent');
  chmodSync(parent, 0o770);
  const r = await run(join(parent, 'cache'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /UnsafeCacheDir: .*group-parent\/cache cannot be used: .*group-parent is writable by group \(mode 0770\)/);
  assert.deepEqual(readdirSync(parent), []);
});

test('a cache directory owned by another uid → exit 2 UnsafeCacheDir', { skip: process.getuid?.() !== 0 && 'only root can make a directory owned by another uid here' }, async () => {
  const theirs = freshCache('theirs');
  chownSync(theirs, 65534, 65534);
  const r = await run(theirs);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /UnsafeCacheDir: .*theirs cannot be used: it is owned by uid 65534/);
  assert.deepEqual(readdirSync(theirs), []);
});

test('a manifest naming a file outside the cache → ignored, rebundled, the file is never executed', async () => {
  const cache = freshCache('outside');
  assert.equal(value(await run(cache)), 4);
  const manifestName = defined(readdirSync(cache).find((n) => n.endsWith('.json')));
  const manifestPath = join(cache, manifestName);
  const good = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const evilHash = sha256(readFileSync(evil));
  const key = manifestName.slice(0, -'.json'.length);
  const forgeries = [
    { ...good, output: '../evil.mjs', outputSha256: evilHash },
    { ...good, output: evil, outputSha256: evilHash },
    { ...good, output: `${key}-${evilHash}.mjs/../../evil.mjs`, outputSha256: evilHash },
    // The attack of the issue: "direct" with an absolute path and no inputs to check.
    { ...good, direct: true, output: evil, outputSha256: undefined, inputs: [] },
  ];
  for (const forged of forgeries) {
    writeFileSync(manifestPath, JSON.stringify(forged), { mode: 0o600 });
    const r = await run(cache);
    assert.equal(value(r), 4, JSON.stringify(forged.output));
    assert.equal(r.cacheHit, false);
  }
  // And the real manifest is back: the next run is a hit.
  const again = await run(cache);
  assert.equal(value(again), 4);
  assert.equal(again.cacheHit, true);
});

test('a direct manifest (CommonJS run as is) runs only the entry file, and a forged one for it is ignored', async () => {
  const cache = freshCache('direct');
  assert.equal(value(await run(cache, { f: cjs })), 4);
  const hit = await run(cache, { f: cjs });
  assert.equal(value(hit), 4);
  assert.equal(hit.cacheHit, true);
  const manifestPath = join(cache, defined(readdirSync(cache).find((n) => n.endsWith('.json'))));
  const good = JSON.parse(readFileSync(manifestPath, 'utf8'));
  writeFileSync(manifestPath, JSON.stringify({ ...good, output: evil, inputs: [] }), { mode: 0o600 });
  const r = await run(cache, { f: cjs });
  assert.equal(value(r), 4);
  assert.equal(r.cacheHit, false);
});

test('a bundle changed after caching → rebundled, never executed', async () => {
  const cache = freshCache('changed');
  assert.equal(value(await run(cache)), 4);
  const bundleName = defined(readdirSync(cache).find((n) => n.endsWith('.mjs')));
  const bundlePath = join(cache, bundleName);
  const original = readFileSync(bundlePath, 'utf8');
  assert.match(original, /x \* x/);
  writeFileSync(bundlePath, original.replace('x * x', '"pwned"'));
  const r = await run(cache);
  assert.equal(value(r), 4);
  assert.equal(r.cacheHit, false);
  assert.equal(readFileSync(bundlePath, 'utf8'), original);
});

test('a manifest or bundle writable by others, or not a regular file → ignored and rebundled', async () => {
  const cache = freshCache('modes');
  assert.equal(value(await run(cache)), 4);
  const names = readdirSync(cache);
  const bundlePath = join(cache, defined(names.find((n) => n.endsWith('.mjs'))));
  const manifestPath = join(cache, defined(names.find((n) => n.endsWith('.json'))));
  for (const path of [bundlePath, manifestPath]) {
    chmodSync(path, 0o666);
    const r = await run(cache);
    assert.equal(value(r), 4);
    assert.equal(r.cacheHit, false, path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  }
  // The manifest replaced by a symlink to a copy of itself elsewhere: not followed.
  const copy = join(work.dir, 'manifest-copy.json');
  writeFileSync(copy, readFileSync(manifestPath), { mode: 0o600 });
  rmSync(manifestPath);
  symlinkSync(copy, manifestPath);
  const r = await run(cache);
  assert.equal(value(r), 4);
  assert.equal(r.cacheHit, false);
  assert.ok(lstatSync(manifestPath).isFile());
});

test('default location: $XDG_CACHE_HOME/poolscope (mode 0700); an unsafe one → a fresh private directory, the reason on stderr', async () => {
  const xdg = freshCache('xdg');
  const ok = await run(undefined, { env: { XDG_CACHE_HOME: xdg } });
  assert.equal(value(ok), 4);
  assert.equal(statSync(join(xdg, 'poolscope')).mode & 0o777, 0o700);
  assert.ok(readdirSync(join(xdg, 'poolscope')).some((n) => n.endsWith('.mjs')));

  const openXdg = freshCache('xdg-open');
  chmodSync(openXdg, 0o777);
  const fallback = await run(undefined, { env: { XDG_CACHE_HOME: openXdg } });
  assert.equal(value(fallback), 4);
  assert.match(fallback.stderr, /poolscope: the bundle cache directory .*xdg-open\/poolscope cannot be used: .*xdg-open is writable by group and others \(mode 0777\).*; using a fresh private directory for this run instead \(/);
  const fresh = fallback.stderr.match(/using a fresh private directory for this run instead \((.*), removed at exit\)/)[1];
  assert.equal(existsSync(fresh), false, `${fresh} left behind`);
  assert.deepEqual(readdirSync(openXdg), []);
});
