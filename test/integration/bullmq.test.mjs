// The bullmq backend on a real redis-server (Debian's, installed by CI): jobs taken by PoolScope workers started for
// the run or by `poolscope worker`, lanes host → process → thread, BullMQ's own failure semantics, and nothing of
// the run (redis-server, workers) left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidsWhoseCommandLine, waitUntilGone } from '../fixtures/processes.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const JOBS = fileURLToPath(new URL('../fixtures/bullmq/jobs.ts', import.meta.url));

function hasRedis() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = hasRedis() ? false : 'redis-server is not installed (apt-get install redis-server)';

function cli(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 180_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** PIDs of processes this backend starts: redis-server and PoolScope BullMQ workers. */
const engineProcesses = () => pidsWhoseCommandLine((cmd) => cmd.startsWith('redis-server') || cmd.includes('bullmq-worker.js'));

async function run(args, env) {
  const before = new Set(engineProcesses());
  const r = await cli(args, env);
  assert.deepEqual(await waitUntilGone(engineProcesses().filter((p) => !before.has(p))), [], 'no redis-server or worker of the run is left');
  return r;
}

const events = (trace) => JSON.parse(readFileSync(trace, 'utf8')).poolscope.events;

test('bullmq with 2 local workers: jobs spread over 2 worker processes named host:pid:thread; results are what the jobs returned', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-bullmq-'));
  try {
    const trace = join(dir, 't.json');
    const r = await run(['run', JOBS, '--fn', 'spin', '--inputs', '[300,300,300,300,300,300]', '--backend', 'bullmq', '--workers', '2', '--trace', trace]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /where:\n {2}bullmq: 1 host \(this machine\), 2 processes, 2 threads/, 'the report says where the jobs ran');
    const ev = events(trace);
    assert.equal(ev.find((e) => e.type === 'run-start').backend, 'bullmq');
    const lanes = ev.filter((e) => e.type === 'worker-start');
    assert.equal(new Set(lanes.map((w) => w.pid)).size, 2);
    for (const w of lanes) assert.match(w.name, new RegExp(`^[^:]+:${w.pid}:0$`));
    const ends = ev.filter((e) => e.type === 'task-end');
    assert.equal(ends.length, 6);
    const pidOf = new Map(lanes.map((w) => [w.workerId, w.pid]));
    for (const e of ends) {
      assert.equal(e.ok, true);
      assert.match(e.resultPreview, new RegExp(`:${pidOf.get(e.workerId)}"$`), 'the lane is the process that returned the value');
      const start = ev.find((s) => s.type === 'task-start' && s.taskId === e.taskId);
      assert.ok(e.t >= start.t, 'ends after it starts, on the run clock');
      const queued = ev.find((q) => q.type === 'task-queued' && q.taskId === e.taskId);
      assert.ok(start.t >= queued.t - 5000, 'starts after it was queued (±5 ms of clock mapping)');
    }
    // The engine's start-up is not in the task phase: jobs are queued once both local workers said they were ready.
    const firstQueued = Math.min(...ev.filter((e) => e.type === 'task-queued').map((e) => e.t));
    assert.equal(lanes.length, 2, 'both local workers reported ready (one lane each, concurrency 1)');
    for (const w of lanes) assert.ok(w.t <= firstQueued + 5000, `worker ${w.name} ready (${w.t} µs) before the first job was queued (${firstQueued} µs, ±5 ms of clock mapping)`);
    for (const w of lanes) assert.ok(w.startupUs > 0, 'the start-up of a local worker is measured (spawn → ready)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bullmq with a private Redis: the machine is sampled for the busy check, the local workers and Redis counted as the run\'s own', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-bullmq-'));
  try {
    const trace = join(dir, 't.json');
    // Four jobs of 200 ms of CPU each (CPU time, not wall: the machine may be busy).
    const r = await run(['run', JOBS, '--fn', 'spinCpu', '--inputs', '[200,200,200,200]', '--backend', 'bullmq', '--workers', '2', '--trace', trace, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const ev = events(trace);
    const samples = ev.filter((e) => e.type === 'machine-sample');
    assert.ok(samples.length >= 2, `machine samples while the jobs ran (${samples.length})`);
    for (const s of samples) {
      assert.ok(s.intervalUs > 0 && s.cores >= 1 && s.busyUs >= 0 && s.ownUs >= 0, JSON.stringify(s));
    }
    // The workers' CPU is the run's own: at least the jobs' 800 ms (less 10 ms clock ticks per sample and process).
    const ownUs = samples.reduce((sum, s) => sum + s.ownUs, 0);
    assert.ok(ownUs >= 800_000 - samples.length * 4 * 10_000, `own CPU ${ownUs} µs covers the jobs' 800 ms`);
    const [summary] = JSON.parse(r.stdout).runs;
    assert.equal(typeof summary.otherCpuCores, 'number', 'other programs\' share is measured');
    assert.equal(typeof summary.busy, 'boolean');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bullmq: a job that throws fails alone with its error name and message', { skip }, async () => {
  const r = await run(['run', JOBS, '--fn', 'boom', '--inputs', 'range(1, 5)', '--backend', 'bullmq', '--workers', '2', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  const tasks = json.tasks;
  const failed = tasks.filter((t) => t.ok === false);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].error.name, 'RangeError');
  assert.match(failed[0].error.message, /two is out of range/);
  assert.equal(tasks.filter((t) => t.ok).length, 3);
});

test('bullmq: a worker killed mid-job — the job stalls and BullMQ hands it to the other worker, which finishes it', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-bullmq-'));
  try {
    const trace = join(dir, 't.json');
    const r = await run(['run', JOBS, '--fn', 'dieOnce', '--inputs', JSON.stringify([join(dir, 'marker')]), '--backend', 'bullmq', '--workers', '2', '--trace', trace]);
    assert.equal(r.code, 0, r.stderr);
    const end = events(trace).find((e) => e.type === 'task-end');
    assert.equal(end.ok, true);
    assert.match(end.resultPreview, /survived on \d+/);
    assert.match(r.stderr, /stalled/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** @returns {Promise<number>} a TCP port free on 127.0.0.1 a moment ago */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = /** @type {import('node:net').AddressInfo} */ (s.address()); s.close(() => resolve(port)); });
  });
}

test('bullmq with --redis: jobs go to a running Redis and are taken by a `poolscope worker` started apart', { skip }, async (t) => {
  const port = await freePort();
  const redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => redis.kill('SIGKILL'));
  await /** @type {Promise<void>} */ (new Promise((resolve) => {
    let text = '';
    redis.stdout.on('data', (d) => { text += d; if (/Ready to accept connections/.test(text)) resolve(); });
  }));
  const url = `redis://127.0.0.1:${port}`;
  const worker = spawn(process.execPath, [CLI, 'worker', JOBS, '--redis', url, '--queue', 'tests', '--concurrency', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => worker.kill('SIGKILL'));
  await /** @type {Promise<void>} */ (new Promise((resolve) => {
    let text = '';
    worker.stderr.on('data', (d) => { text += d; if (/taking jobs from queue 'tests'/.test(text)) resolve(); });
  }));
  const r = await cli(['run', JOBS, '--fn', 'boom', '--inputs', '[1, 3, 4]', '--backend', 'bullmq', '--redis', url, '--queue', 'tests', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(json.tasks.map((task) => task.ok), [true, true, true]);
  // Workers outside the run (this one was started apart) would read as other programs: no busy check here.
  assert.equal(json.runs[0].busy, undefined);
  const exited = new Promise((resolve) => worker.once('exit', (code) => resolve(code)));
  worker.kill('SIGTERM');
  assert.equal(await exited, 0, 'the worker closes gracefully on SIGTERM');
});

test('bullmq: local workers that cannot load the module → the run ends WorkersNotStarted with their error, no job sent, nothing left', { skip }, async () => {
  const file = fileURLToPath(new URL('../fixtures/bullmq/worker-cannot-load.ts', import.meta.url));
  const r = await run(['run', file, '--fn', 'double', '--inputs', 'range(1, 4)', '--backend', 'bullmq', '--workers', '2', '--json']);
  assert.notEqual(r.code, 0, 'a run without workers does not pass');
  const json = JSON.parse(r.stdout);
  assert.equal(json.runs[0].error?.name, 'WorkersNotStarted', r.stderr);
  assert.match(json.runs[0].error.message, /this module cannot load in a worker/);
  assert.deepEqual(json.tasks, [], 'no job was queued for workers that never came');
});

test('bullmq without redis-server → RedisNotInstalled, exit 2, with how to install it', { skip }, async () => {
  const r = await run(['run', JOBS, '--fn', 'spin', '--inputs', '[1]', '--backend', 'bullmq', '--workers', '1'], { POOLSCOPE_REDIS_SERVER: '/nonexistent/redis-server' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /RedisNotInstalled: .*apt-get install redis-server/);
});

test('bullmq flags are checked before anything starts', async () => {
  const bad = await cli(['run', JOBS, '--fn', 'spin', '--backend', 'bullmq', '--redis', 'localhost:6379']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--redis must be a Redis URL like redis:\/\//);
  const noFn = await cli(['run', JOBS, '--backend', 'bullmq']);
  assert.equal(noFn.code, 2);
  assert.match(noFn.stderr, /bullmq backend runs one exported function/);
  const noRedis = await cli(['worker', JOBS]);
  assert.equal(noRedis.code, 2);
  assert.match(noRedis.stderr, /worker needs --redis/);
});
