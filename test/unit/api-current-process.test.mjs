// currentProcess() / currentThread() — Python-like names in the main program and inside every kind of worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { api, tasks, TASKS_URL, childrenGone, recorder, use } from '../fixtures/api/helpers.mjs';

const { Pool, ThreadPoolExecutor, ProcessPoolExecutor, currentProcess, currentThread } = api;
const { whoami, whoamiSlow } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

test('in the main program: MainProcess / MainThread with this PID', () => {
  assert.deepEqual(currentProcess(), { pid: process.pid, name: 'MainProcess' });
  const thread = currentThread();
  assert.equal(thread.name, 'MainThread');
  assert.equal(thread.ident, threadId);
  assert.equal(thread.nativeId, process.pid, 'on Linux the main thread\'s OS id is the PID');
});

test('Pool on processes: SpawnPoolWorker-N, a PID per worker, MainThread inside', { timeout: 30_000 }, async () => {
  const trace = recorder();
  const pool = new Pool(2, { backend: 'process', module: TASKS_URL, onTrace: trace.onTrace });
  const who = await pool.map(whoamiSlow, [150, 150, 150, 150]);
  pool.close();
  await pool.join();
  for (const w of who) {
    assert.notEqual(w.process.pid, process.pid);
    assert.match(w.process.name, /^SpawnPoolWorker-\d+$/);
    assert.equal(w.thread.name, 'MainThread');
    assert.equal(w.thread.nativeId, w.process.pid);
  }
  // The name a task sees is the name its worker has on the timeline.
  const byPid = new Map(trace.of('worker-start').map((e) => [e.pid, e.name]));
  for (const w of who) assert.equal(byPid.get(w.process.pid), w.process.name);
});

test('Pool on threads: MainProcess with the main PID, threads "Thread-N (worker)"', { timeout: 30_000 }, async () => {
  const pool = new Pool(2, { backend: 'thread', module: TASKS_URL });
  const who = await pool.map(whoamiSlow, [100, 100]);
  await pool.terminate();
  for (const w of who) {
    assert.deepEqual(w.process, { pid: process.pid, name: 'MainProcess' });
    assert.match(w.thread.name, /^Thread-\d+ \(worker\)$/);
    assert.notEqual(w.thread.nativeId, process.pid);
  }
});

test('executors: ThreadPoolExecutor-K_N share the PID; SpawnProcess-N do not', { timeout: 30_000 }, async (t) => {
  const threads = use(t, new ThreadPoolExecutor({ maxWorkers: 2, module: TASKS_URL }));
  const processes = use(t, new ProcessPoolExecutor({ maxWorkers: 2, module: TASKS_URL }));
  const onThread = await threads.submit(whoami).result();
  const p = await processes.submit(whoami).result();
  assert.deepEqual(onThread.process, { pid: process.pid, name: 'MainProcess' });
  assert.match(onThread.thread.name, /^ThreadPoolExecutor-\d+_\d+$/);
  assert.notEqual(p.process.pid, process.pid);
  assert.match(p.process.name, /^SpawnProcess-\d+$/);
  assert.equal(p.thread.name, 'MainThread');
});

test('event-loop workers are one thread named EventLoop-N; serial runs in the main program', { timeout: 30_000 }, async () => {
  const loop = new Pool(3, { backend: 'event-loop', module: TASKS_URL });
  const who = await loop.map(whoamiSlow, [50, 50, 50]);
  await loop.terminate();
  assert.equal(new Set(who.map((w) => w.thread.ident)).size, 1, 'one thread runs every task');
  assert.match(who[0].thread.name, /^EventLoop-\d+$/);
  assert.equal(who[0].process.name, 'MainProcess');
  const serial = new Pool(1, { backend: 'serial', module: TASKS_URL });
  const [s] = await serial.map(whoami, [1]);
  await serial.terminate();
  assert.deepEqual(s.process, { pid: process.pid, name: 'MainProcess' });
  assert.equal(s.thread.name, 'MainThread');
});
