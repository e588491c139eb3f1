// The attack of the bundle-cache issue, run for real with two users: an attacker
// on the same machine swaps symlinks (the cache directory itself, or a directory
// above it) between the victim's own private cache and a forged cache of theirs
// (a consistent manifest with the right SHA-256 of an evil bundle, and a
// "direct" manifest naming an evil file), in a tight loop, while the victim runs
// `poolscope run` again and again. The victim must never execute the attacker's
// file: every run either refuses the directory (UnsafeCacheDir, exit 2) or
// computes sq(2) = 4 from its own bundle.
//
// Needs root (to create the two users and switch to them with setpriv), as in CI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, processesTagged } from '../fixtures/cli/run-cli.mjs';
import { defined } from '../fixtures/trace-events.mjs';

const VICTIM = 'poolscope-victim';
const ATTACKER = 'poolscope-attacker';

/** uid/gid of `name`, creating the (system, no home, no login) user if missing; undefined when that is impossible. */
function ensureUser(name) {
  const lookup = () => {
    try {
      return { uid: Number(execFileSync('id', ['-u', name], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', name], { encoding: 'utf8' })) };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  } catch {
    // another test created it meanwhile, or useradd is not possible: lookup decides
  }
  return lookup();
}

function whyNotRunnable() {
  if (process.platform !== 'linux') return 'needs Linux (setpriv, /proc)';
  if (process.getuid?.() !== 0) return 'needs root to create a second user and switch to it';
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'setpriv (util-linux) is not installed';
  }
  if (!ensureUser(VICTIM) || !ensureUser(ATTACKER)) return 'useradd failed: cannot create the victim and attacker users';
  return undefined;
}

const skip = whyNotRunnable();
/** @type {{ uid: number, gid: number }} */
let victim;
/** @type {{ uid: number, gid: number }} */
let attacker;
let base;
let marker;
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** Runs `argv` as `user` (uid/gid, no supplementary groups) with `env`. */
function spawnAs(user, argv, { env, cwd }) {
  return spawn('setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', '--', ...argv], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One `poolscope run sq.ts --fn sq --inputs [[2]]` as the victim; resolves { code, stdout, stderr, leftover }. */
function victimRun(extraArgs) {
  const tag = randomUUID();
  const env = { PATH: process.env.PATH, HOME: join(base, 'victim'), POOLSCOPE_TEST_TAG: tag };
  const child = spawnAs(victim, [process.execPath, CLI, 'run', 'sq.ts', '--fn', 'sq', '--inputs', '[[2]]', '--json', '--workers', '2', ...extraArgs], { env, cwd: join(base, 'victim') });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      for (const pid of processesTagged(tag)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      reject(new Error(`victim run did not end: ${stderr}`));
    }, 60_000);
    child.on('close', async (code) => {
      clearTimeout(timer);
      let leftover = processesTagged(tag);
      for (let waited = 0; leftover.length > 0 && waited < 3000; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
        leftover = processesTagged(tag);
      }
      for (const pid of leftover) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      resolve({ code, stdout, stderr, leftover });
    });
  });
}

/** The attacker's loop: swaps `link` between `targets` (atomically: a fresh link renamed over it) until killed. */
async function startSwapper(link, targets) {
  const script = join(base, 'attacker', `swap-${randomUUID()}.mjs`);
  writeFileSync(script, `
import { renameSync, symlinkSync, rmSync } from 'node:fs';
const [link, ...targets] = process.argv.slice(2);
let i = 0;
for (;;) {
  const tmp = link + '.swap' + process.pid;
  rmSync(tmp, { force: true });
  try { symlinkSync(targets[i++ % targets.length], tmp); renameSync(tmp, link); } catch {}
}
`);
  chownSync(script, attacker.uid, attacker.gid);
  const child = spawnAs(attacker, [process.execPath, script, link, ...targets], { env: { PATH: process.env.PATH }, cwd: join(base, 'attacker') });
  // The link is there (the attacker got in first) before the victim is started.
  while (!isLink(link)) await new Promise((r) => setTimeout(r, 20));
  return { stop: () => new Promise((resolve) => { child.once('close', resolve); child.kill('SIGKILL'); }) };
}

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Every victim run either refused the directory or computed 4 with its own code; the attacker's code never ran. */
function assertNotHijacked(r, { refused }) {
  assert.doesNotMatch(r.stdout + r.stderr, /pwned/);
  assert.equal(existsSync(marker), false, `the attacker's code ran as the victim: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);
  assert.deepEqual(r.leftover, []);
  if (refused) {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /UnsafeCacheDir/);
  } else {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(Number(JSON.parse(r.stdout).tasks[0].result), 4);
  }
}

before(() => {
  if (skip) return;
  victim = defined(ensureUser(VICTIM), VICTIM); // whyNotRunnable() made both
  attacker = defined(ensureUser(ATTACKER), ATTACKER);
  // A shared world-writable sticky directory, like /tmp.
  base = mkdtempSync(join(tmpdir(), 'poolscope-race-'));
  chmodSync(base, 0o755);
  mkdirSync(join(base, 'shared'));
  chmodSync(join(base, 'shared'), 0o1777);
  const home = join(base, 'victim');
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, 'sq.ts'), 'export function sq(x: number): number { return x * x; }\n');
  chownSync(home, victim.uid, victim.gid);
  chownSync(join(home, 'sq.ts'), victim.uid, victim.gid);
  mkdirSync(join(base, 'attacker'), { mode: 0o755 });
  chownSync(join(base, 'attacker'), attacker.uid, attacker.gid);
  marker = join(base, 'shared', 'PWNED');
});

after(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

test('the symlink-swap attack never runs the attacker\'s code as the victim', { skip, timeout: 600_000 }, async () => {
  // The victim's own cache, made by a normal run (default location: ~/.cache/poolscope).
  const first = await victimRun(['--backend', 'process']);
  assertNotHijacked(first, { refused: false });
  const own = join(base, 'victim', '.cache', 'poolscope');
  const ownFiles = readdirSync(own);
  const manifestName = defined(ownFiles.find((n) => n.endsWith('.json')), 'the manifest');
  const key = manifestName.slice(0, -'.json'.length);
  const manifest = JSON.parse(readFileSync(join(own, manifestName), 'utf8'));

  // The attacker's forged caches: a consistent one (an evil bundle with its right SHA-256) and a "direct" one.
  const evilCode = `import { writeFileSync } from 'node:fs';\nexport function sq() { writeFileSync(${JSON.stringify(marker)}, 'uid ' + process.getuid()); return 'pwned'; }\n`;
  const evilSha = sha256(evilCode);
  const forged = join(base, 'attacker', 'poolscope');
  const forgedDirect = join(base, 'attacker', 'direct', 'poolscope');
  mkdirSync(forgedDirect, { recursive: true });
  mkdirSync(forged, { recursive: true });
  writeFileSync(join(forged, `${key}-${evilSha}.mjs`), evilCode, { mode: 0o644 });
  writeFileSync(join(forged, manifestName), JSON.stringify({ ...manifest, output: `${key}-${evilSha}.mjs`, outputSha256: evilSha }), { mode: 0o644 });
  writeFileSync(join(forgedDirect, 'evil.mjs'), evilCode, { mode: 0o644 });
  writeFileSync(join(forgedDirect, manifestName), JSON.stringify({ ...manifest, direct: true, output: join(forgedDirect, 'evil.mjs'), outputSha256: undefined, inputs: [] }), { mode: 0o644 });
  copyFileSync(join(forged, manifestName), join(forged, 'copy.json'));
  execFileSync('chown', ['-R', `${attacker.uid}:${attacker.gid}`, join(base, 'attacker')]);

  // 1. The cache directory itself is the attacker's link (the old default `<tmp>/poolscope-cache-<uid>`).
  const link = join(base, 'shared', `poolscope-cache-${victim.uid}`);
  let swapper = await startSwapper(link, [own, forged, forgedDirect]);
  try {
    for (let i = 0; i < 6; i++) {
      assertNotHijacked(await victimRun(['--backend', i % 2 ? 'thread' : 'process', '--cache-dir', link]), { refused: true });
    }
  } finally {
    await swapper.stop();
  }

  // 2. A directory above the cache is the attacker's link.
  const upper = join(base, 'shared', 'victim-cache-root');
  swapper = await startSwapper(upper, [join(base, 'victim', '.cache'), join(base, 'attacker'), join(base, 'attacker', 'direct')]);
  try {
    for (let i = 0; i < 4; i++) {
      assertNotHijacked(await victimRun(['--backend', 'process', '--cache-dir', join(upper, 'poolscope')]), { refused: true });
    }
  } finally {
    await swapper.stop();
  }

  // 3. The attacker's own directory, no link at all.
  assertNotHijacked(await victimRun(['--backend', 'process', '--cache-dir', forged]), { refused: true });

  // 4. The default location, with the attacker still swapping the old default path: the victim's own cache, a hit.
  swapper = await startSwapper(link, [own, forged, forgedDirect]);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await victimRun(['--backend', 'process', '--timing']);
      assertNotHijacked(r, { refused: false });
      assert.match(r.stderr, /"cacheHit":true/);
    }
  } finally {
    await swapper.stop();
  }
  assert.deepEqual(readdirSync(own).sort(), ownFiles.sort());
});
