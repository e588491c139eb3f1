// The mark sentinel (src/pool/mark-sentinel.ts) on its own: an owner process starts one for a mark and a marked
// child (in a process group of its own, with a member that does not carry the mark). If the owner is SIGKILLed,
// the child and its group die; if the owner closes the sentinel first, nothing is killed and the sentinel is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { alive, commandLine, pidsWithEnvironment, waitUntilGone } from '../fixtures/processes.mjs';

const linux = process.platform === 'linux';
const dir = mkdtempSync(join(tmpdir(), 'poolscope-sentinel-test-'));
const bundle = join(dir, 'mark-sentinel.mjs');
await esbuild.build({
  entryPoints: [fileURLToPath(new URL('../../src/pool/mark-sentinel.ts', import.meta.url))],
  bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: bundle,
});
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts an owner: a sentinel on `variable`, then a marked child that leads its own group and starts an unmarked
 * member of that group. Reports { child, member, sentinel } on stdout; with `close`, closes the sentinel first
 * and reports after it is gone.
 */
function startOwner(tag, variable, close) {
  const script = `
    const { spawn } = await import('node:child_process');
    const { MarkSentinel } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const sentinel = new MarkSentinel(${JSON.stringify(variable)});
    sentinel.start();
    const memberSource = "require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env: { POOLSCOPE_TEST_TAG: process.env.POOLSCOPE_TEST_TAG }, stdio: 'ignore' }); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, ['-e', memberSource], { detached: true, stdio: 'ignore', env: { ...process.env, [${JSON.stringify(variable)}]: '1' } });
    if (${close}) await sentinel.close();
    process.stdout.write(JSON.stringify({ child: child.pid }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const owner = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, POOLSCOPE_TEST_TAG: tag }, stdio: ['ignore', 'pipe', 'inherit'] });
  const report = new Promise((resolve, reject) => {
    let out = '';
    owner.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    owner.on('exit', (code) => reject(new Error(`owner exited early (${code})`)));
  });
  return { owner, report };
}

/**
 * Runs `body({ owner, child, member, sentinels })` with an owner started by startOwner(), once the marked child's
 * unmarked group member is up; whatever the case did, every process it tagged is killed after.
 */
async function withOwner(close, body) {
  const tag = randomUUID();
  const variable = `POOLSCOPE_MARK_X${tag.slice(0, 8)}`;
  const { owner, report } = startOwner(tag, variable, close);
  const others = () => pidsWithEnvironment(`POOLSCOPE_TEST_TAG=${tag}`).filter((pid) => pid !== owner.pid);
  const isSentinel = (pid) => commandLine(pid).includes('read -r line');
  try {
    const { child } = await report;
    let member;
    for (let i = 0; i < 400 && member === undefined; i++) {
      member = others().find((pid) => pid !== child && !isSentinel(pid));
      if (member === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    if (member === undefined) throw new Error('the marked child never started its group member');
    await body({ owner, child, member, sentinels: others().filter(isSentinel) });
  } finally {
    owner.kill('SIGKILL');
    for (const pid of pidsWithEnvironment(`POOLSCOPE_TEST_TAG=${tag}`)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

test('owner SIGKILLed → the sentinel kills the marked child and its group, then is gone', { skip: !linux && 'Linux only' }, async () => {
  await withOwner(false, async ({ owner, child, member, sentinels }) => {
    assert.equal(sentinels.length, 1, 'one sentinel is waiting');
    assert.ok(alive(child) && alive(member));
    owner.kill('SIGKILL');
    const left = await waitUntilGone([child, member, ...sentinels], 15_000);
    assert.deepEqual(left, [], 'the marked child, its unmarked group member and the sentinel are gone');
  });
});

test('owner closes the sentinel → it exits and kills nothing, even when the owner dies later', { skip: !linux && 'Linux only' }, async () => {
  await withOwner(true, async ({ owner, child, member, sentinels }) => {
    assert.deepEqual(sentinels, [], 'close() resolved after the sentinel exited');
    const exited = new Promise((r) => owner.once('exit', r));
    owner.kill('SIGKILL');
    await exited;
    assert.ok(alive(child) && alive(member), 'the marked processes were left alone');
  });
});
