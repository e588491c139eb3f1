// computeRunSummaries() on real-shaped traces: a compare of serial, event-loop,
// thread and process runs on one clock, as the runner emits them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRunSummaries, summarizeRuns, TraceModel, percentile, describeIdentity } from '../../dist/trace.mjs';
import { defined } from '../fixtures/trace-events.mjs';

/**
 * Builds the events of one run: `tasks` of `taskUs` each, spread over `workers` lanes, starting at `t0`.
 * @param {{ runId: string, backend: string, workers: number, t0?: number, tasks?: number, taskUs?: number, compareId?: string,
 *   fail?: number[], lanes?: { pid: number, threadId: number }[] }} run
 */
function makeRun({ runId, backend, workers, t0 = 0, tasks = 8, taskUs = 10_000, compareId = 'cmp-1', fail = [], lanes }) {
  const events = [];
  const seq = () => events.length;
  const push = (e) => events.push({ runId, seq: seq(), ...e });
  push({ type: 'run-start', t: t0, backend, workers, fn: 'fib', inputsCount: tasks, node: 'v20.20.0', pid: 1000, originUs: 5e9, compareId, label: backend });
  const laneList = lanes ?? Array.from({ length: workers }, (_, i) => ({ pid: 1000, threadId: i + 1 }));
  laneList.forEach((lane, i) => push({ type: 'worker-start', t: t0 + 100, workerId: i + 1, name: `${backend}-worker-${i + 1}`, pid: lane.pid, threadId: lane.threadId, startupUs: 100 }));
  for (let k = 0; k < tasks; k++) push({ type: 'task-queued', t: t0 + 200, taskId: k, fn: 'fib', inputPreview: `[${k}]` });
  const laneFree = laneList.map(() => t0 + 200);
  let end = t0;
  for (let k = 0; k < tasks; k++) {
    const w = k % laneList.length;
    const start = laneFree[w];
    const stop = start + taskUs;
    laneFree[w] = stop;
    end = Math.max(end, stop);
    push({ type: 'task-start', t: start, taskId: k, workerId: w + 1 });
    const failed = fail.includes(k);
    push({ type: 'task-end', t: stop, taskId: k, workerId: w + 1, ok: !failed,
      ...(failed ? { error: { name: 'RangeError', message: 'bad input' } } : { resultPreview: String(k * k) }) });
  }
  laneList.forEach((_, i) => push({ type: 'worker-exit', t: end + 50, workerId: i + 1, code: 0, signal: null, reason: 'idle' }));
  push({ type: 'run-end', t: end + 100, stats: { wallUs: end + 100 - t0, tasks, ok: tasks - fail.length, failed: fail.length, taskUs: tasks * taskUs, pids: [], threadIds: [], workersStarted: laneList.length } });
  return events;
}

test('computeRunSummaries() of a thread run: wall, Σ task time, counts, identity', () => {
  const events = makeRun({ runId: 'r-thread', backend: 'thread', workers: 4, tasks: 8, taskUs: 10_000, fail: [3] });
  const [s] = computeRunSummaries(events);
  assert.equal(s.runId, 'r-thread');
  assert.equal(s.backend, 'thread');
  assert.equal(s.finished, true);
  // 2 rounds of 10 ms after 200 µs, run-end 100 µs after the last task.
  assert.equal(s.wallUs, 200 + 20_000 + 100);
  assert.equal(s.taskUs, 80_000);
  assert.equal(s.tasks, 8);
  assert.equal(s.ok, 7);
  assert.equal(s.failed, 1);
  assert.equal(s.pending, 0);
  assert.deepEqual(s.pids, [1000]);
  assert.deepEqual(s.threadIds, [1, 2, 3, 4]);
  assert.equal(s.identity, '4 workers · 1 PID · 4 threads');
  assert.ok(Math.abs(s.throughput - 8 / 0.0203) < 1e-6);
  assert.equal(s.utilization.length, 4);
  assert.deepEqual(s.utilization.map((u) => u.busyUs), [20_000, 20_000, 20_000, 20_000]);
  assert.ok(Math.abs(s.utilization[0].utilization - 20_000 / 20_300) < 1e-9);
  assert.equal(s.utilization[0].tasks, 2);
  assert.equal(s.speedupVsSerial, undefined, 'no serial run, no baseline: no speed-up');
});

test('computeRunSummaries() queue wait percentiles: tasks wait for a free worker', () => {
  // 1 worker, 4 tasks of 1 ms all queued at 200: waits 0, 1000, 2000, 3000 µs.
  const events = makeRun({ runId: 'r', backend: 'thread', workers: 1, tasks: 4, taskUs: 1000 });
  const [s] = computeRunSummaries(events);
  assert.equal(s.queueWaitP50Us, 1000);
  assert.equal(s.queueWaitP95Us, 3000);
});

test('computeRunSummaries() of a compare: speed-up and efficiency against the serial run of the same compareId', () => {
  const serial = makeRun({ runId: 'r-serial', backend: 'serial', workers: 1, tasks: 8, lanes: [{ pid: 1000, threadId: 0 }] });
  const t1 = serial.at(-1).t;
  const proc = makeRun({ runId: 'r-proc', backend: 'process', workers: 2, t0: t1, tasks: 8,
    lanes: [{ pid: 2001, threadId: 0 }, { pid: 2002, threadId: 0 }] });
  const loop = makeRun({ runId: 'r-loop', backend: 'event-loop', workers: 4, t0: proc.at(-1).t, tasks: 8, lanes: [{ pid: 1000, threadId: 7 }] });
  const other = makeRun({ runId: 'r-other', backend: 'thread', workers: 2, compareId: 'cmp-2' });
  const summaries = computeRunSummaries([...serial, ...proc, ...loop, ...other]);
  assert.deepEqual(summaries.map((s) => s.runId), ['r-serial', 'r-proc', 'r-loop', 'r-other']);
  const [sSerial, sProc, sLoop, sOther] = summaries;
  assert.equal(sSerial.wallUs, 200 + 80_000 + 100);
  assert.equal(sProc.startT, t1);
  assert.equal(sProc.wallUs, 200 + 40_000 + 100);
  assert.equal(sSerial.speedupVsSerial, 1);
  // Speed-up on the task phase (first task sent → last end): 80 ms of serial work against 40 ms.
  assert.equal(sSerial.taskPhaseUs, 80_000);
  assert.equal(sProc.taskPhaseUs, 40_000);
  assert.ok(Math.abs(defined(sProc.speedupVsSerial) - 2) < 1e-9);
  // With start-up: run-start → last task end.
  assert.ok(Math.abs(defined(sProc.speedupWithStartup) - 80_200 / 40_200) < 1e-9);
  assert.ok(Math.abs(defined(sProc.efficiency) - 1) < 1e-9);
  assert.deepEqual(sProc.pids, [2001, 2002]);
  assert.equal(sProc.identity, '2 workers · 2 PIDs');
  assert.equal(sLoop.identity, '1 thread, 4 in flight');
  assert.equal(sSerial.identity, '1 thread, one task at a time');
  assert.equal(sOther.speedupVsSerial, undefined, 'other compare has no serial run');
  // A baseline passed in fills runs without their own serial run.
  const withBaseline = computeRunSummaries(other, { serialBaseline: { taskPhaseUs: 100_000 } });
  assert.ok(Math.abs(defined(withBaseline[0].speedupVsSerial) - 100_000 / defined(withBaseline[0].taskPhaseUs)) < 1e-9);
});

test('computeRunSummaries() event-loop utilization counts on-thread slices, not overlapping spans', () => {
  const runId = 'r-el';
  let seq = 0;
  const e = (x) => ({ runId, seq: seq++, ...x });
  const events = [
    e({ type: 'run-start', t: 0, backend: 'event-loop', workers: 2, inputsCount: 2, node: 'v20', pid: 10, originUs: 1 }),
    e({ type: 'worker-start', t: 0, workerId: 1, name: 'loop', pid: 10, threadId: 3, startupUs: 0 }),
    e({ type: 'task-queued', t: 0, taskId: 1, fn: 'io', inputPreview: '[]' }),
    e({ type: 'task-queued', t: 0, taskId: 2, fn: 'io', inputPreview: '[]' }),
    e({ type: 'task-start', t: 0, taskId: 1, workerId: 1 }),
    e({ type: 'task-start', t: 0, taskId: 2, workerId: 1 }),
    e({ type: 'task-slice', taskId: 1, workerId: 1, start: 0, end: 100 }),
    e({ type: 'task-slice', taskId: 2, workerId: 1, start: 100, end: 300 }),
    e({ type: 'task-slice', taskId: 1, workerId: 1, start: 900, end: 1000 }),
    e({ type: 'task-end', t: 1000, taskId: 1, workerId: 1, ok: true, resultPreview: '1' }),
    e({ type: 'task-slice', taskId: 2, workerId: 1, start: 1000, end: 1000 }),
    e({ type: 'task-end', t: 1000, taskId: 2, workerId: 1, ok: true, resultPreview: '2' }),
  ];
  const [s] = computeRunSummaries(events);
  assert.equal(s.finished, false);
  assert.equal(s.wallUs, 1000, 'live run: wall up to the latest event');
  assert.equal(s.taskUs, 2000, 'both spans are 1 ms: they overlapped');
  assert.equal(s.utilization[0].busyUs, 400, 'but the thread ran them only 400 µs');
  assert.equal(s.utilization[0].utilization, 0.4);
  assert.deepEqual(s.threadIds, [3]);
});

test('summarizeRuns(model) on a model fed batch by batch equals the one-shot result', () => {
  const events = makeRun({ runId: 'r-inc', backend: 'process', workers: 2, lanes: [{ pid: 5, threadId: 0 }, { pid: 6, threadId: 0 }] });
  const model = new TraceModel();
  let live;
  for (let i = 0; i < events.length; i += 5) {
    model.add(events.slice(i, i + 5));
    live = summarizeRuns(model);
    assert.ok(live[0].ok <= 8);
  }
  assert.deepEqual(live, computeRunSummaries(events));
  // Before run-start arrives, a run is not summarised.
  assert.deepEqual(computeRunSummaries(events.slice(1)), []);
});

test('percentile() nearest rank, and describeIdentity() plurals', () => {
  assert.equal(percentile([], 0.5), 0);
  assert.equal(percentile([5], 0.95), 5);
  const shuffled = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
  assert.equal(percentile(shuffled, 0.5), 5);
  assert.equal(percentile(shuffled, 0.95), 10);
  assert.equal(percentile(shuffled, 0), 1);
  assert.deepEqual(shuffled, [9, 1, 8, 2, 7, 3, 6, 4, 5, 10], 'input untouched');
  const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 0.95), 950);
  assert.equal(describeIdentity({ backend: 'thread', workers: 1, pids: [1], threads: 1 }), '1 worker · 1 PID · 1 thread');
  assert.equal(describeIdentity({ backend: 'py-process', workers: 3, pids: [1, 2, 3], threads: 3 }), '3 workers · 3 PIDs');
});

test('threads = OS threads that ran tasks (distinct PID, thread pairs): the same meaning for Node and Python', () => {
  // Node process workers all report threadId 0 (each process's main thread); Python reports native ids.
  const nodeProcess = makeRun({ runId: 'np', backend: 'process', workers: 2, lanes: [{ pid: 11, threadId: 0 }, { pid: 12, threadId: 0 }] });
  const pyProcess = makeRun({ runId: 'pp', backend: 'py-process', workers: 2, lanes: [{ pid: 21, threadId: 21 }, { pid: 22, threadId: 22 }] });
  const nodeThread = makeRun({ runId: 'nt', backend: 'thread', workers: 2, lanes: [{ pid: 1, threadId: 1 }, { pid: 1, threadId: 2 }] });
  const byRun = new Map(computeRunSummaries([...nodeProcess, ...pyProcess, ...nodeThread]).map((s) => [s.runId, s]));
  assert.equal(byRun.get('np')?.threads, 2);
  assert.equal(byRun.get('pp')?.threads, 2);
  assert.equal(byRun.get('nt')?.threads, 2);
});

test('computeRunSummaries() of a trace recorded from the real engine agrees with the engine\'s own run-end stats', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = JSON.parse(readFileSync(new URL('../fixtures/traces/real-compare.json', import.meta.url), 'utf8'));
  const events = doc.events ?? doc;
  const summaries = computeRunSummaries(events);
  assert.deepEqual(summaries.map((s) => s.backend), ['serial', 'event-loop', 'thread', 'process']);
  for (const s of summaries) {
    const { stats } = events.find((e) => e.type === 'run-end' && e.runId === s.runId);
    assert.ok(Math.abs(s.wallUs - stats.wallUs) < 1, `${s.backend} wall`);
    assert.ok(Math.abs(s.taskUs - stats.taskUs) < 1, `${s.backend} Σ task`);
    assert.deepEqual([s.tasks, s.ok, s.failed, s.workersStarted], [stats.tasks, stats.ok, stats.failed, stats.workersStarted], s.backend);
    assert.deepEqual(s.pids, [...stats.pids].sort((a, b) => a - b), `${s.backend} pids`);
    assert.deepEqual(s.threadIds, [...stats.threadIds].sort((a, b) => a - b), `${s.backend} threadIds`);
    for (const u of s.utilization) assert.ok(u.utilization > 0 && u.utilization <= 1, `${s.backend} ${u.name} utilization ${u.utilization}`);
    assert.ok(defined(s.speedupVsSerial) > 0, 'every run of the compare has a speed-up against its serial run');
  }
  const [serial, , thread, proc] = summaries;
  assert.equal(serial.speedupVsSerial, 1);
  assert.equal(thread.pids.length, 1);
  assert.ok(thread.threadIds.length >= 2 && !thread.threadIds.includes(0), 'worker threads, not the main thread');
  assert.equal(proc.pids.length, proc.workers);
  assert.ok(!proc.pids.includes(serial.pids[0]), 'process workers are not the runner');
});
