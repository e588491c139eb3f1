// Python threads (ThreadPoolExecutor): one PID, N native threads, and the GIL — CPU-bound work does not
// speed up and all threads together get at most about one core; I/O-bound work overlaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCollect, maxOverlap } from '../fixtures/python/run-helpers.mjs';

// ~150 ms of pure-Python work per task on this machine: fixed work, so wall time shows CPU contention.
const WORK = Array.from({ length: 8 }, () => [800_000]);
// Cores other programs may use during an attempt before it no longer counts as measured on free cores
// (this test process and the Python runner's own threads use ~0.05).
const BUSY_OTHERS = 0.15;

test('py-thread: one PID, N native thread ids named ThreadPoolExecutor-0_i', async () => {
  const { result, pids, tids, workers, runStart, ends } = await runCollect({ backend: 'py-thread', fn: 'whoami', inputs: [[1], [2], [3], [4]] });
  assert.equal(result.ok, true);
  assert.deepEqual(pids, [runStart.pid], 'threads share the runner\'s PID');
  assert.equal(tids.length, 2);
  assert.ok(!tids.includes(runStart.pid), 'worker threads are not the main thread');
  assert.deepEqual(workers.map((w) => w.name).sort(), ['ThreadPoolExecutor-0_0', 'ThreadPoolExecutor-0_1']);
  for (const w of workers) assert.equal(w.threadId, w.tid);
  assert.equal(runStart.label, 'GIL enabled');
  assert.match(runStart.node, /^Python 3\./);
  // os.getpid() inside every task is that one PID too
  assert.deepEqual([...new Set(ends.map((e) => e.resultPreview))], [String(runStart.pid)]);
});

test('py-thread: CPU-bound speed-up ≤ 1.2× over py-serial, on-CPU time of all threads ≤ ~1 core', async (t) => {
  let threads;
  const speedups = [];
  const others = [];
  // Load that changes between the two runs skews the ratio either way: up to three attempts.
  for (let i = 0; i < 3; i++) {
    const serial = await runCollect({ backend: 'py-serial', fn: 'count', inputs: WORK });
    threads = await runCollect({ backend: 'py-thread', fn: 'count', inputs: WORK });
    assert.equal(serial.result.ok, true);
    assert.equal(threads.result.ok, true);
    const speedup = +(serial.spanUs / threads.spanUs).toFixed(2);
    speedups.push(speedup);
    others.push(Math.max(serial.otherCores, threads.otherCores));
    if (speedup <= 1.2) break;
  }
  assert.ok(threads);
  if (Math.min(...speedups) > 1.2 && others.every((c) => c > BUSY_OTHERS)) {
    t.diagnostic(`machine overloaded: speed-up not measurable, got ${speedups.join(', ')}`);
  } else {
    assert.ok(Math.min(...speedups) <= 1.2, `threads must not beat serial under the GIL: speed-ups ${speedups.join(', ')}`);
  }
  assert.equal(maxOverlap(threads.events), 2, 'both threads had a task in flight at once');
  // Sampled on-CPU time of the worker threads, over the pool's busy span: the GIL caps it at one core.
  const workerTids = new Set(threads.tids);
  const samples = threads.samples.filter((s) => workerTids.has(s.tid));
  assert.ok(samples.length > 10, `expected CPU samples of the worker threads, got ${samples.length}`);
  assert.deepEqual(new Set(samples.map((s) => s.tid)), workerTids, 'both threads were seen on a CPU');
  const cpuUs = samples.reduce((sum, s) => sum + s.cpuUs, 0);
  const cores = cpuUs / threads.spanUs;
  // This one holds under any load: the GIL lets one thread run Python at a time.
  assert.ok(cores <= 1.3, `threads together used ${cores.toFixed(2)} cores; the GIL allows ~1`);
  assert.ok(cores > 0.05, `threads were hardly on a CPU: ${cores.toFixed(2)} cores`);
  // per-task CPU (thread_time) was reported too
  for (const e of threads.ends) assert.ok(e.cpuUs > 10_000, `task ${e.taskId} cpuUs ${e.cpuUs}`);
});

test('py-thread: I/O-bound tasks overlap (sleep releases the GIL)', async () => {
  const { result, events, spanUs } = await runCollect({ backend: 'py-thread', workers: 4, fn: 'nap', inputs: [[300], [300], [300], [300]] });
  assert.equal(result.ok, true);
  assert.equal(maxOverlap(events), 4, 'all four sleeps were in flight together');
  assert.ok(spanUs < 4 * 300_000 * 0.75, `4 × 300 ms sleeps took ${spanUs} µs: they did not overlap`);
});

test('py-thread: prints inside a task become log events of that task and worker', async () => {
  const { result, events } = await runCollect({ backend: 'py-thread', fn: 'square', inputs: [[3], [4]] });
  assert.equal(result.ok, true);
  const logs = events.filter((e) => e.type === 'log' && e.taskId !== undefined);
  assert.deepEqual(logs.map((l) => l.text).sort(), ['squaring 3\n', 'squaring 4\n']);
  for (const l of logs) assert.ok(l.workerId >= 1);
  const ends = events.filter((e) => e.type === 'task-end').map((e) => e.resultPreview).sort();
  assert.deepEqual(ends, ['16', '9']);
});
