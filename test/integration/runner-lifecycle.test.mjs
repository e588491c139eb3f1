// The runner process (dist/runner.js) driven over IPC the way launchRunner()
// drives it: events then done; stop; exit when its parent dies, taking its
// workers with it; the bundle cache across runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT, fixture, processesTagged, tempDir } from '../fixtures/cli/run-cli.mjs';
import { commandLine } from '../fixtures/processes.mjs';

const RUNNER = join(ROOT, 'dist', 'runner.js');
const { expandTraceColumns, RowKind } = await import(pathToFileURL(join(ROOT, 'dist', 'pool.mjs')).href);
const cache = tempDir();
after(() => cache.cleanup());

/** Forks the runner with a unique tag; collects messages; resolves on exit. */
function startRunner(request) {
  const tag = randomUUID();
  const child = fork(RUNNER, [], {
    execArgv: ['--enable-source-maps'],
    env: { ...process.env, POOLSCOPE_TEST_TAG: tag },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const messages = [];
  const waiters = [];
  child.on('message', (message) => {
    const raw = /** @type {import('../../src/runner/protocol.js').FromRunner} */ (message);
    // A Node pool's events cross the wire as columns; launchRunner() expands them, and so does this stand-in.
    const m = raw.type === 'trace-columns' ? { type: 'events', batch: expandTraceColumns(raw.columns) } : raw;
    messages.push(m);
    for (const w of [...waiters]) if (w.match(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.send({ type: 'run', cacheDir: cache.dir, workers: 2, ...request });
  const waitFor = (match) => {
    const found = messages.find(match);
    return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ match, resolve }));
  };
  return { child, tag, messages, exited, waitFor };
}

async function noneLeft(tag, ms = 5000) {
  let left = processesTagged(tag);
  for (let waited = 0; left.length > 0 && waited < ms; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesTagged(tag);
  }
  for (const pid of left) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  return left;
}

const hasTaskStart = (m) => m.type === 'events' && m.batch.some((e) => e.type === 'task-start');

test('run → bundled, events (run-start … run-end), done {ok, failed: 0, runIds}, exit 0', async () => {
  const r = startRunner({ mode: 'fn', file: fixture('top-level-await.ts'), fn: 'scale', inputs: [[1], [2]], backend: 'thread' });
  const { code } = await r.exited;
  assert.equal(code, 0);
  const types = r.messages.map((m) => m.type);
  assert.equal(types[0], 'bundled');
  assert.equal(types.at(-1), 'done');
  const events = r.messages.filter((m) => m.type === 'events').flatMap((m) => m.batch);
  assert.equal(events[0].type, 'run-start');
  assert.equal(events.at(-1).type, 'run-end');
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i), 'seq 0, 1, 2 … without gaps');
  const done = r.messages.at(-1);
  assert.deepEqual({ ok: done.ok, failed: done.failed, runIds: done.runIds }, { ok: true, failed: 0, runIds: [events[0].runId] });
  assert.deepEqual(await noneLeft(r.tag), []);
});

for (const backend of ['thread', 'process']) {
  test(`stop during a never-ending task on ${backend} → done {ok: false}, runner and workers gone`, async () => {
    const r = startRunner({ mode: 'fn', file: fixture('infinite-loop.ts'), fn: 'spinForever', inputs: [[], []], backend });
    await r.waitFor(hasTaskStart);
    r.child.send({ type: 'stop' });
    const { code } = await r.exited;
    assert.equal(code, 0);
    assert.equal(r.messages.at(-1).type, 'done');
    assert.equal(r.messages.at(-1).ok, false);
    assert.deepEqual(await noneLeft(r.tag), []);
  });
}

for (const backend of ['process', 'serial']) {
  // process: the runner's main thread is free and sees its IPC channel close;
  // serial: the task blocks the runner's main thread, so only the orphan guard thread can act.
  test(`parent killed (SIGKILL) during never-ending ${backend} tasks → runner and its workers exit by themselves`, async () => {
    const tag = randomUUID();
    // An intermediate parent that forks the runner, like the CLI or the extension host would.
    const parentScript = `
      const { fork } = require('node:child_process');
      const runner = fork(${JSON.stringify(RUNNER)}, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      runner.on('message', (m) => {
        if (m.type === 'trace-columns' && m.columns.kind.includes(${RowKind.Started})) process.stdout.write('task-started\\n');
      });
      runner.send(${JSON.stringify({ type: 'run', mode: 'fn', file: fixture('infinite-loop.ts'), fn: 'spinForever', inputs: [[], []], backend, workers: 2, cacheDir: cache.dir })});
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['-e', parentScript], { env: { ...process.env, POOLSCOPE_TEST_TAG: tag }, stdio: ['ignore', 'pipe', 'inherit'] });
    if (backend === 'process') {
      await /** @type {Promise<void>} */ (new Promise((resolve, reject) => {
        parent.stdout.on('data', (d) => { if (String(d).includes('task-started')) resolve(); });
        parent.on('exit', () => reject(new Error('parent exited early')));
      }));
      assert.ok(processesTagged(tag).length >= 4, `expected parent, runner and two workers: ${processesTagged(tag)}`);
    } else {
      // The serial task blocks the runner before its events are flushed: wait until the runner is spinning,
      // i.e. a tagged process other than the parent has used a second of CPU.
      const deadline = Date.now() + 60_000;
      while (!processesTagged(tag).some((pid) => pid !== parent.pid && cpuSecondsOf(pid) >= 1)) {
        if (Date.now() > deadline) assert.fail(`the runner never spun: ${processesTagged(tag)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(processesTagged(tag).length >= 2, `expected parent and runner: ${processesTagged(tag)}`);
    }
    parent.removeAllListeners('exit');
    parent.kill('SIGKILL');
    assert.deepEqual(await noneLeft(tag, 8000), [], 'nothing of the run survives its parent');
  });
}

// The real chain: a parent that launches through launchRunner() keeps a mark sentinel for the runner (Linux), and
// the runner starts no orphan-guard thread of its own. A serial task blocks the runner's main thread, so once the
// parent is SIGKILLed only the sentinel can end the run.
test('parent killed (SIGKILL) while launchRunner()\'s runner spins on serial tasks → its sentinel ends the run', { skip: process.platform !== 'linux' && 'mark sentinels are Linux only' }, async () => {
  const tag = randomUUID();
  const bundle = join(cache.dir, `launch-${tag}.mjs`);
  await esbuild.build({ entryPoints: [join(ROOT, 'src', 'runner', 'launch.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: bundle });
  const parentScript = `
    const { launchRunner } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    launchRunner({
      request: ${JSON.stringify({ type: 'run', mode: 'fn', file: fixture('infinite-loop.ts'), fn: 'spinForever', inputs: [[], []], backend: 'serial', workers: 1, cacheDir: cache.dir })},
      runnerPath: ${JSON.stringify(RUNNER)}, stdio: 'pipe', onMessage: () => {},
    });
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', parentScript], { env: { ...process.env, POOLSCOPE_TEST_TAG: tag }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const deadline = Date.now() + 60_000;
    let runner;
    while (!(runner = processesTagged(tag).find((pid) => pid !== parent.pid && cpuSecondsOf(pid) >= 1))) {
      if (Date.now() > deadline) assert.fail(`the runner never spun: ${processesTagged(tag)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(readFileSync(`/proc/${runner}/environ`, 'latin1'), /\0POOLSCOPE_PARENT_SENTINEL=1\0/, 'the runner was told its parent keeps a sentinel');
    const sentinels = processesTagged(tag).filter((pid) => commandLine(pid).includes('read -r line'));
    assert.equal(sentinels.length, 1, `one sentinel for the one runner: ${processesTagged(tag).map(commandLine).join(' | ')}`);
    parent.kill('SIGKILL');
    assert.deepEqual(await noneLeft(tag, 8000), [], 'nothing of the run survives its parent, the sentinel included');
  } finally {
    // A failing case must not leave a spinning runner to the tests after it (noneLeft kills what it finds).
    parent.kill('SIGKILL');
    await noneLeft(tag, 0);
  }
});

test('bundle cache: unchanged file → cacheHit; edited file, edited import or edited tsconfig.json → rebuilt', async () => {
  const dir = tempDir('poolscope-cache-test-');
  try {
    const main = join(dir.dir, 'main.ts');
    const dep = join(dir.dir, 'dep.ts');
    writeFileSync(main, "import { k } from './dep';\nexport function f(x: number): number { return x + k; }\n");
    writeFileSync(dep, 'export const k = 1;\n');
    const run = async () => {
      const r = startRunner({ mode: 'fn', file: main, fn: 'f', inputs: [[1]], backend: 'serial', cacheDir: join(dir.dir, 'cache') });
      await r.exited;
      const bundled = r.messages.find((m) => m.type === 'bundled');
      const end = r.messages.filter((m) => m.type === 'events').flatMap((m) => m.batch).find((e) => e.type === 'task-end');
      return { cacheHit: bundled.cacheHit, result: end.resultPreview };
    };
    assert.deepEqual(await run(), { cacheHit: false, result: '2' });
    assert.deepEqual(await run(), { cacheHit: true, result: '2' });
    writeFileSync(dep, 'export const k = 10;\n');
    assert.deepEqual(await run(), { cacheHit: false, result: '11' });
    writeFileSync(main, readFileSync(main, 'utf8').replace('x + k', 'x * k'));
    assert.deepEqual(await run(), { cacheHit: false, result: '10' });
    assert.deepEqual(await run(), { cacheHit: true, result: '10' });
    // esbuild reads the nearest tsconfig.json, so it is part of the key too.
    writeFileSync(join(dir.dir, 'tsconfig.json'), '{ "compilerOptions": {} }\n');
    assert.deepEqual(await run(), { cacheHit: false, result: '10' });
    assert.deepEqual(await run(), { cacheHit: true, result: '10' });
    writeFileSync(join(dir.dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
    assert.deepEqual(await run(), { cacheHit: false, result: '10' });
  } finally {
    dir.cleanup();
  }
});

test('started without a parent (no IPC) → exits 2 with a message', async () => {
  const child = spawn(process.execPath, [RUNNER], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 2);
  assert.match(stderr, /this is the runner process/);
});

/** User + system CPU seconds a process has used (/proc/<pid>/stat), 0 when it is gone. */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
