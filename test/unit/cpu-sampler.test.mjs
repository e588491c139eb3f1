// CpuSampler: parses /proc schedstat and stat, samples threads from outside, degrades without /proc,
// and tells one busy thread (event-loop backend) from N (thread backend).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CpuSampler, parseCpuUs, detectCpuSource, sampleWorkers, sampleEngine } from '../../dist/python.mjs';
import { createPool, monotonicUs } from '../../dist/pool.mjs';

const hasProc = detectCpuSource() !== 'none';

test('parseCpuUs("schedstat", …) reads the first field, ns → µs', () => {
  assert.equal(parseCpuUs('schedstat', '96512345 1234 56\n'), 96512.345);
});

test('parseCpuUs("stat", …) adds utime and stime ticks, even with spaces and parens in the name', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
  const line = '4242 (my (odd) name) R 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0\n';
  assert.equal(parseCpuUs('stat', line), (250 + 50) * 10_000);
});

test('no /proc: source is none, nothing tracked, and a reason to show', () => {
  const root = mkdtempSync(join(tmpdir(), 'poolscope-noproc-'));
  try {
    const sampler = new CpuSampler({ now: () => 0, onSamples: () => assert.fail('no samples expected'), procRoot: root });
    assert.equal(sampler.source, 'none');
    assert.equal(sampler.supported, false);
    assert.equal(sampler.track(process.pid, process.pid), false);
    sampler.start();
    sampler.stop();
    assert.match(sampler.unavailableReason ?? '', /on-CPU sampling unavailable/);
  } finally {
    rmSync(root, { recursive: true });
  }
});

test('stat fallback: a proc tree with only /stat files is sampled at tick resolution', () => {
  const root = mkdtempSync(join(tmpdir(), 'poolscope-statproc-'));
  try {
    const stat = (ticks) => `7 (w) R 1 7 7 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0\n`;
    mkdirSync(join(root, 'thread-self'), { recursive: true });
    writeFileSync(join(root, 'thread-self', 'stat'), stat(1));
    mkdirSync(join(root, '7', 'task', '7'), { recursive: true });
    writeFileSync(join(root, '7', 'task', '7', 'stat'), stat(10));
    let t = 0;
    const got = [];
    const sampler = new CpuSampler({ now: () => t, onSamples: (s) => got.push(...s), procRoot: root });
    assert.equal(sampler.source, 'stat');
    assert.equal(sampler.track(7, 7), true);
    writeFileSync(join(root, '7', 'task', '7', 'stat'), stat(13));
    t = 40_000;
    sampler.tick();
    sampler.stop();
    assert.deepEqual(got, [{ type: 'cpu-sample', t: 40_000, pid: 7, tid: 7, cpuUs: 30_000, intervalUs: 40_000 }]);
  } finally {
    rmSync(root, { recursive: true });
  }
});

test('idleIntervalMs: a thread idle at its last read is read again only when due; its CPU is never lost', () => {
  const root = mkdtempSync(join(tmpdir(), 'poolscope-idleproc-'));
  try {
    const schedstat = (ns) => `${ns} 0 0\n`;
    mkdirSync(join(root, 'thread-self'), { recursive: true });
    writeFileSync(join(root, 'thread-self', 'schedstat'), schedstat(1));
    const file = (tid) => join(root, '7', 'task', String(tid), 'schedstat');
    for (const tid of [7, 8]) {
      mkdirSync(join(root, '7', 'task', String(tid)), { recursive: true });
      writeFileSync(file(tid), schedstat(1_000_000));
    }
    let t = 0;
    const got = [];
    // An idle interval far longer than the test: which reads happen does not depend on how fast it runs.
    const sampler = new CpuSampler({ intervalMs: 5, idleIntervalMs: 3_600_000, now: () => t, onSamples: (s) => got.push(...s), procRoot: root });
    assert.equal(sampler.source, 'schedstat');
    sampler.track(7, 7);
    sampler.track(7, 8);
    const reads0 = sampler.cost.reads;
    writeFileSync(file(7), schedstat(3_000_000));
    t = 5_000;
    assert.equal(sampler.tick(false), 2, 'both read once: 7 busy, 8 idle');
    assert.deepEqual(got.map((s) => [s.tid, s.cpuUs]), [[7, 2000]]);
    writeFileSync(file(7), schedstat(4_000_000));
    writeFileSync(file(8), schedstat(6_000_000));
    t = 10_000;
    assert.equal(sampler.tick(false), 1, 'the idle thread is not due');
    assert.deepEqual(got.map((s) => [s.tid, s.cpuUs]), [[7, 2000], [7, 1000]]);
    assert.equal(sampler.cost.reads - reads0, 3);
    t = 15_000;
    // A full tick (as stop() takes) reads every thread: thread 8's CPU since its last read, over that whole span.
    assert.equal(sampler.tick(), 2);
    assert.deepEqual(got.at(-1), { type: 'cpu-sample', t: 15_000, pid: 7, tid: 8, cpuUs: 5000, intervalUs: 10_000 });
    sampler.stop();
  } finally {
    rmSync(root, { recursive: true });
  }
});

/** A fake /proc holding one thread, 7/7, whose schedstat the test writes: `set(cpuMs, waitMs)`. */
function fakeThread() {
  const root = mkdtempSync(join(tmpdir(), 'poolscope-steadyproc-'));
  mkdirSync(join(root, 'thread-self'), { recursive: true });
  writeFileSync(join(root, 'thread-self', 'schedstat'), '1 0 0\n');
  mkdirSync(join(root, '7', 'task', '7'), { recursive: true });
  const set = (cpuMs, waitMs = 0) => writeFileSync(join(root, '7', 'task', '7', 'schedstat'), `${cpuMs * 1e6} ${waitMs * 1e6} 0\n`);
  set(0);
  return { root, set, done: () => rmSync(root, { recursive: true }) };
}

/**
 * Runs `body` with a steady-mode sampler (5 ms, up to 40 ms) tracking fakeThread()'s thread 7/7 from t = 0,
 * on a clock only the test moves (`at(ms)`); `got` collects its samples. Stops it and removes the fake /proc.
 */
function withSteadySampler(body) {
  const proc = fakeThread();
  let t = 0;
  const got = [];
  const sampler = new CpuSampler({ intervalMs: 5, steadyMaxMs: 40, now: () => t, onSamples: (s) => got.push(...s), procRoot: proc.root });
  try {
    sampler.track(7, 7);
    body({ sampler, got, set: proc.set, at: (ms) => { t = ms * 1000; } });
  } finally {
    sampler.stop();
    proc.done();
  }
}

test('steadyMaxMs: a thread runnable through its interval is read at doubling periods; one that is not, every interval', () => {
  withSteadySampler(({ sampler, got, set, at }) => {
    // Busy from t = 0: read at 5, then every 10, 20, 40, 40 ms; ticks in between read nothing.
    const reads = [];
    for (let ms = 5; ms <= 115; ms += 5) {
      at(ms);
      set(ms);
      if (sampler.tick(false) === 1) reads.push(ms);
    }
    assert.deepEqual(reads, [5, 15, 35, 75, 115]);
    assert.deepEqual(got.map((s) => [s.intervalUs, s.cpuUs]), [[5000, 5000], [10_000, 10_000], [20_000, 20_000], [40_000, 40_000], [40_000, 40_000]]);
    // Waiting for a CPU counts as runnable (a busy machine): still steady. Half idle is not: back to every 5 ms.
    at(155);
    set(125, 30);
    assert.equal(sampler.tick(false), 1);
    at(195);
    set(145, 30);
    assert.equal(sampler.tick(false), 1);
    assert.deepEqual(got.slice(-2).map((s) => [s.intervalUs, s.cpuUs, s.waitUs]), [[40_000, 10_000, 30_000], [40_000, 20_000, undefined]]);
    at(200);
    set(150, 30);
    assert.equal(sampler.tick(false), 1, 'read again one interval later');
  });
});

test('poke: a steady thread whose task ended is read at once, or one interval after its last read; its CPU is never lost', () => {
  withSteadySampler(({ sampler, got, set, at }) => {
    for (const ms of [5, 15, 35]) {
      at(ms);
      set(ms);
      sampler.tick(false);
    }
    // Next due at 75 ms. The task ends at 50 and the thread idles: the poke reads it then, not 25 ms later.
    at(50);
    set(50);
    sampler.poke(7, 7);
    assert.deepEqual(got.at(-1), { type: 'cpu-sample', t: 50_000, pid: 7, tid: 7, cpuUs: 15_000, intervalUs: 15_000 });
    // A second task ends 2 ms later: too soon to read again; the thread is read 5 ms after its last read instead.
    at(52);
    set(52);
    const before = sampler.cost.reads;
    sampler.poke(7, 7);
    assert.equal(sampler.cost.reads, before, 'no read within an interval of the last one');
    at(55);
    assert.equal(sampler.tick(false), 1);
    assert.deepEqual(got.at(-1), { type: 'cpu-sample', t: 55_000, pid: 7, tid: 7, cpuUs: 2000, intervalUs: 5000 });
    sampler.poke(9, 9); // not tracked: nothing
    assert.equal(got.reduce((sum, s) => sum + s.cpuUs, 0), 52_000, 'every ms of CPU in exactly one sample');
  });
});

test('sampleWorkers(pool with onTaskEnded): the worker whose task ended is read at once', { skip: !hasProc && 'no /proc here' }, () => {
  let t = 0;
  /** @type {any} */
  let deliver;
  /** @type {any} */
  let ended;
  const pool = {
    now: () => t,
    onTrace: (listener) => { deliver = listener; return () => { deliver = undefined; }; },
    onTaskEnded: (listener) => { ended = listener; return () => { ended = undefined; }; },
  };
  const got = [];
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  // The clock only moves when the test moves it: the sampler's own timer finds nothing due.
  const stop = sampleWorkers(pool, (s) => got.push(...s), { intervalMs: 5 });
  deliver([{ type: 'worker-start', workerId: 1, pid: process.pid, tid, t: 0 }]);
  const c0 = process.cpuUsage();
  while (process.cpuUsage(c0).user < 2000) { /* use some CPU on this thread */ }
  t = 6000;
  ended(1);
  assert.equal(got.length, 1, 'read as the task ended');
  assert.equal(got[0].tid, tid);
  assert.equal(got[0].t, 6000);
  assert.ok(got[0].cpuUs > 0);
  ended(2); // a worker it does not know
  assert.equal(got.length, 1);
  stop();
  assert.equal(ended, undefined, 'unsubscribed');
  assert.equal(deliver, undefined, 'unsubscribed');
});

test('a spinning worker thread is seen on a CPU; an idle one is not', { skip: !hasProc && 'no /proc here' }, async () => {
  const src = `
    const { parentPort } = require('node:worker_threads');
    const { readlinkSync } = require('node:fs');
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    parentPort.postMessage(tid);
    parentPort.once('message', (spin) => {
      const end = Date.now() + (spin ? 300 : 0);
      while (Date.now() < end);
      parentPort.postMessage('done');
    });`;
  const busy = new Worker(src, { eval: true });
  const idle = new Worker(src, { eval: true });
  const tidOf = (w) => new Promise((r) => w.once('message', r));
  const [busyTid, idleTid] = await Promise.all([tidOf(busy), tidOf(idle)]);
  const origin = monotonicUs();
  const samples = [];
  const sampler = new CpuSampler({ intervalMs: 5, now: () => monotonicUs() - origin, onSamples: (s) => samples.push(...s) });
  assert.equal(sampler.track(process.pid, busyTid), true);
  assert.equal(sampler.track(process.pid, idleTid), true);
  sampler.start();
  busy.postMessage(true);
  await new Promise((r) => busy.once('message', r));
  sampler.stop();
  await Promise.all([busy.terminate(), idle.terminate()]);
  const cpuOf = (tid) => samples.filter((s) => s.tid === tid).reduce((a, s) => a + s.cpuUs, 0);
  assert.ok(cpuOf(busyTid) > 20_000, `busy thread on CPU ${cpuOf(busyTid)} µs`);
  assert.ok(cpuOf(idleTid) < cpuOf(busyTid) / 5, `idle thread on CPU ${cpuOf(idleTid)} µs`);
  // One thread cannot use more than one core (per sample the read and the clock can be preempted apart,
  // so this holds for the sum, not for every sample).
  const busySamples = samples.filter((s) => s.tid === busyTid);
  const busyInterval = busySamples.reduce((a, s) => a + s.intervalUs, 0);
  assert.ok(cpuOf(busyTid) <= busyInterval * 1.05 + 10_000, `busy ${cpuOf(busyTid)} µs in ${busyInterval} µs`);
  assert.equal(sampler.size, 0, 'stop() closed every thread');
  assert.ok(sampler.cost.reads > 10);
});

async function busyThreadsOf(backend) {
  const pool = createPool({ backend, workers: 2, module: new URL('../fixtures/python/node-cpu-tasks.mjs', import.meta.url).href });
  const samples = [];
  const workers = [];
  pool.onTrace((batch) => { for (const e of batch) if (e.type === 'worker-start') workers.push(e); });
  const stop = sampleWorkers(pool, (s) => samples.push(...s), 5);
  await Promise.all(Array.from({ length: 4 }, () => pool.submit('count', [12_000_000]).promise));
  await pool.close();
  stop();
  const perTid = new Map();
  for (const s of samples) perTid.set(s.tid, (perTid.get(s.tid) ?? 0) + s.cpuUs);
  // "busy": at least 10 % of the CPU all the work took
  const total = [...perTid.values()].reduce((a, b) => a + b, 0);
  return { busy: [...perTid].filter(([, us]) => us > total / 10).map(([tid]) => tid), workers, total };
}

test('sampleWorkers(engine): event-loop backend → one busy thread; thread backend → two', { skip: !hasProc && 'no /proc here' }, async () => {
  const loop = await busyThreadsOf('event-loop');
  assert.equal(loop.busy.length, 1, `event-loop: ${JSON.stringify(loop)}`);
  assert.equal(loop.busy[0], loop.workers[0].tid);
  const threads = await busyThreadsOf('thread');
  assert.equal(threads.busy.length, 2, `thread: ${JSON.stringify(threads)}`);
  assert.deepEqual(new Set(threads.busy), new Set(threads.workers.map((w) => w.tid)));
  assert.ok(!threads.busy.includes(Number(readlinkSync('/proc/thread-self').split('/').pop())), 'the main thread is not a worker');
});

test('sampleEngine(pool): cpu-sample events join the pool\'s own stream (its runId, contiguous seq, before run-end)', { skip: !hasProc && 'no /proc here' }, async () => {
  const pool = createPool({ backend: 'thread', workers: 2, module: new URL('../fixtures/python/node-cpu-tasks.mjs', import.meta.url).href });
  const events = [];
  pool.onTrace((batch) => events.push(...batch));
  const stopSampling = sampleEngine(pool, { intervalMs: 5, flushMs: 20 });
  await Promise.all(Array.from({ length: 2 }, () => pool.submit('count', [20_000_000]).promise));
  stopSampling();
  await pool.close();
  const samples = events.filter((e) => e.type === 'cpu-sample');
  assert.ok(samples.length > 0, 'samples were emitted');
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i), 'one contiguous sequence');
  for (const s of samples) assert.equal(s.runId, pool.runId);
  assert.equal(events.at(-1).type, 'run-end');
  const workerTids = new Set(events.filter((e) => e.type === 'worker-start').map((e) => e.tid));
  assert.ok(samples.some((s) => workerTids.has(s.tid)), 'samples of the worker threads');
  // Other threads of the run's process (main thread, libuv pool, GC helpers) are sampled too, under its pid.
  for (const s of samples) assert.ok(workerTids.has(s.tid) || s.pid === process.pid, `sample of a worker or of this process: ${s.pid}/${s.tid}`);
  // The machine's CPU use rides along for the busy-machine check.
  const machine = events.filter((e) => e.type === 'machine-sample');
  assert.ok(machine.length > 0, 'machine samples');
  for (const m of machine) assert.ok(m.busyUs >= 0 && m.ownUs >= 0 && m.cores > 0 && m.intervalUs > 0, JSON.stringify(m));
});

test('sampleEngine(pool): one interval timer drives the other threads, their scan, the machine load and the flush', { skip: !hasProc && 'no /proc here' }, async () => {
  const pool = createPool({ backend: 'thread', workers: 1, module: new URL('../fixtures/python/node-cpu-tasks.mjs', import.meta.url).href });
  const events = [];
  pool.onTrace((batch) => events.push(...batch));
  // Each wake-up of the runner is taken from the cores a CPU-bound run measures: count the periodic timers made.
  const real = globalThis.setInterval;
  let intervals = 0;
  globalThis.setInterval = /** @type {any} */ ((/** @type {any[]} */ ...args) => {
    intervals++;
    return /** @type {any} */ (real)(...args);
  });
  let stopSampling;
  try {
    stopSampling = sampleEngine(pool, { intervalMs: 5, flushMs: 20 });
  } finally {
    globalThis.setInterval = real;
  }
  assert.equal(intervals, 1);
  await pool.submit('count', [20_000_000]).promise;
  stopSampling();
  await pool.close();
  // Everything it drives still came: the machine's load, and the other threads of this process.
  const workerTids = new Set(events.filter((e) => e.type === 'worker-start').map((e) => e.tid));
  assert.ok(events.some((e) => e.type === 'machine-sample'), 'machine samples');
  assert.ok(events.some((e) => e.type === 'cpu-sample' && !workerTids.has(e.tid)), 'samples of other threads');
  assert.ok(events.some((e) => e.type === 'cpu-sample' && workerTids.has(e.tid)), 'samples of the worker');
});

test('sampleEngine(pool, { otherThreads: false, machine: false }) samples the workers only', { skip: !hasProc && 'no /proc here' }, async () => {
  const pool = createPool({ backend: 'thread', workers: 1, module: new URL('../fixtures/python/node-cpu-tasks.mjs', import.meta.url).href });
  const events = [];
  pool.onTrace((batch) => events.push(...batch));
  const stopSampling = sampleEngine(pool, { intervalMs: 5, flushMs: 20, otherThreads: false, machine: false });
  await pool.submit('count', [5_000_000]).promise;
  stopSampling();
  await pool.close();
  const workerTids = new Set(events.filter((e) => e.type === 'worker-start').map((e) => e.tid));
  for (const s of events.filter((e) => e.type === 'cpu-sample')) assert.ok(workerTids.has(s.tid), `sample of a worker thread: ${s.tid}`);
  assert.equal(events.filter((e) => e.type === 'machine-sample').length, 0);
});
