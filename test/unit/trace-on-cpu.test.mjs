// On-CPU attribution (src/trace/on-cpu.ts): per-task cpuUs/cpuFraction from cpu-sample events,
// task-slices and the task's own thread clock, and where it shows up (stats, Chrome trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuUsIn, onCpuShare, taskCpu, runTaskCpu, seriesByThread, TraceModel, computeRunSummaries, traceToChrome } from '../../dist/trace.mjs';
import { chromeEvents, defined } from '../fixtures/trace-events.mjs';

test('cpuUsIn spreads each sample over its interval and counts the overlap', () => {
  // (0, 10 ms]: 10 ms on CPU; (10, 20 ms]: 2.5 ms; nothing sampled in (20, 30 ms] (idle); (30, 40 ms]: 5 ms.
  const series = [10_000, 10_000, 10_000, 20_000, 10_000, 2_500, 40_000, 10_000, 5_000];
  assert.equal(cpuUsIn(series, 0, 10_000), 10_000);
  assert.equal(cpuUsIn(series, 5_000, 15_000), 5_000 + 1_250);
  assert.equal(cpuUsIn(series, 20_000, 30_000), 0);
  assert.equal(cpuUsIn(series, 0, 40_000), 17_500);
  assert.equal(cpuUsIn(series, 50_000, 60_000), 0);
  assert.equal(cpuUsIn(series, 10_000, 10_000), 0);
  assert.equal(onCpuShare(series, 10_000, 20_000), 0.25);
  assert.equal(onCpuShare(series, 0, 10_000), 1);
});

test('taskCpu: the thread clock wins, then slices, then samples; nothing measured → undefined', () => {
  const series = [10_000, 10_000, 2_500, 20_000, 10_000, 2_500];
  assert.deepEqual(taskCpu({ start: 0, end: 20_000 }, series), { cpuUs: 5_000, cpuFraction: 0.25, source: 'sampled' });
  assert.deepEqual(taskCpu({ start: 0, end: 20_000, reportedCpuUs: 19_000 }, series), { cpuUs: 19_000, cpuFraction: 0.95, source: 'thread-clock' });
  // Event loop: the task owned the thread's CPU only within its slices.
  assert.deepEqual(taskCpu({ start: 0, end: 20_000, slices: [[0, 4_000]] }, [20_000, 20_000, 20_000]),
    { cpuUs: 4_000, cpuFraction: 0.2, source: 'slices' });
  assert.deepEqual(taskCpu({ start: 0, end: 20_000, slices: [[0, 4_000], [10_000, 12_000]] }, undefined),
    { cpuUs: 6_000, cpuFraction: 0.3, source: 'slices' });
  assert.equal(taskCpu({ start: 0, end: 20_000 }, undefined), undefined);
  assert.equal(taskCpu({ start: 0, end: 20_000 }, []), undefined);
  assert.equal(taskCpu({ start: 5, end: 5, reportedCpuUs: 3 }, series), undefined);
  // A thread clock slightly ahead of the wall clock stays a fraction.
  assert.equal(taskCpu({ start: 0, end: 1_000, reportedCpuUs: 1_010 }, undefined)?.cpuFraction, 1);
});

test('seriesByThread groups by pid/tid and sorts samples that arrived out of order', () => {
  const s = seriesByThread([
    { pid: 1, tid: 2, t: 20, intervalUs: 10, cpuUs: 5 },
    { pid: 1, tid: 3, t: 10, intervalUs: 10, cpuUs: 1 },
    { pid: 1, tid: 2, t: 10, intervalUs: 10, cpuUs: 7 },
  ]);
  assert.deepEqual(s.get('1/2'), [10, 10, 7, 20, 10, 5]);
  assert.deepEqual(s.get('1/3'), [10, 10, 1]);
});

/**
 * Four threads of one process sharing one core-and-a-bit, as under a GIL: each task
 * lasts 40 ms but its thread is on a CPU for a quarter of every 10 ms sample.
 */
function gilRun({ runId = 'gil', withClock = false, lateSamples = false } = {}) {
  const events = [];
  const emit = (e) => events.push({ runId, seq: events.length, ...e });
  emit({ type: 'run-start', t: 0, backend: 'py-thread', workers: 4, fn: 'work', inputsCount: 4, node: 'Python 3.11.7', pid: 50, originUs: 1e9 });
  const samples = [];
  for (let w = 1; w <= 4; w++) {
    emit({ type: 'worker-start', t: 0, workerId: w, name: `ThreadPoolExecutor-0_${w - 1}`, pid: 50, threadId: 60 + w, tid: 60 + w, startupUs: 0 });
    for (let k = 1; k <= 4; k++) samples.push({ type: 'cpu-sample', t: k * 10_000, pid: 50, tid: 60 + w, cpuUs: 2_500, intervalUs: 10_000 });
  }
  if (!lateSamples) for (const s of samples) emit(s);
  for (let w = 1; w <= 4; w++) {
    emit({ type: 'task-queued', t: 0, taskId: w, fn: 'work', inputPreview: '3000000' });
    emit({ type: 'task-start', t: 0, taskId: w, workerId: w });
  }
  for (let w = 1; w <= 4; w++) {
    emit({ type: 'task-end', t: 40_000, taskId: w, workerId: w, ok: true, resultPreview: '1', ...(withClock ? { cpuUs: 9_000 + w * 100 } : {}) });
  }
  if (lateSamples) for (const s of samples) emit(s);
  emit({ type: 'run-end', t: 41_000, stats: { wallUs: 41_000, tasks: 4, ok: 4, failed: 0, taskUs: 160_000, pids: [50], threadIds: [61, 62, 63, 64], workersStarted: 4 } });
  return events;
}

test('runTaskCpu over a joined run: each GIL thread gets its sampled quarter, whatever order the samples came in', () => {
  for (const lateSamples of [false, true]) {
    const model = new TraceModel();
    model.add(gilRun({ lateSamples }));
    const cpu = runTaskCpu(model, defined(model.runById('gil')));
    assert.equal(cpu.size, 4);
    for (const [i, c] of cpu) {
      const taskId = model.tasks.taskId[i];
      assert.equal(c.source, 'sampled', `task ${taskId}`);
      assert.equal(c.cpuUs, 10_000);
      assert.equal(c.cpuFraction, 0.25);
    }
  }
});

test('run summaries carry the mean on-CPU fraction per run and per worker lane', () => {
  const [s] = computeRunSummaries(gilRun());
  assert.equal(s.cpuFraction, 0.25);
  assert.equal(s.cpuUs, 40_000);
  assert.deepEqual(s.utilization.map((u) => u.cpuFraction), [0.25, 0.25, 0.25, 0.25]);
  const [exact] = computeRunSummaries(gilRun({ withClock: true }));
  assert.ok(Math.abs(defined(exact.cpuFraction) - (9_250 / 40_000)) < 1e-9, `${exact.cpuFraction}`);
  // Σ fractions of threads sharing one GIL cannot exceed one core-worth... here, 4 × 0.25 = 1.
  const [plain] = computeRunSummaries(gilRun().filter((e) => e.type !== 'cpu-sample'));
  assert.equal(plain.cpuFraction, undefined, 'no samples, no thread clock: not measured, not guessed');
  assert.equal(plain.utilization[0].cpuFraction, undefined);
});

test('Chrome trace: cpuUs/cpuFraction in task args and an "on CPU" counter track per thread', () => {
  const chrome = traceToChrome(gilRun());
  const tasks = chromeEvents(chrome).filter((e) => e.ph === 'X' && e.cat === 'task');
  assert.equal(tasks.length, 4);
  for (const t of tasks) {
    assert.equal(t.args.cpuUs, 10_000);
    assert.equal(t.args.cpuFraction, 0.25);
    assert.equal(t.args.cpuSource, 'sampled');
  }
  const counters = chromeEvents(chrome).filter((e) => e.ph === 'C');
  const names = [...new Set(counters.map((c) => c.name))].sort();
  assert.deepEqual(names, [0, 1, 2, 3].map((i) => `on CPU · ThreadPoolExecutor-0_${i}`));
  const first = counters.filter((c) => c.name === names[0]);
  assert.deepEqual(first.map((c) => [c.ts, c.args['on CPU']]), [[0, 0.25], [10_000, 0.25], [20_000, 0.25], [30_000, 0.25], [40_000, 0]]);
  for (const c of counters) {
    assert.equal(c.pid, 50);
    assert.ok(c.args['on CPU'] >= 0 && c.args['on CPU'] <= 1);
  }
});

test('Chrome trace counter drops to 0 across a gap the sampler skipped (no CPU used)', () => {
  const events = gilRun().filter((e) => !(e.type === 'cpu-sample' && e.tid === 61 && e.t === 30_000));
  const counters = chromeEvents(traceToChrome(events)).filter((e) => e.ph === 'C' && e.name === 'on CPU · ThreadPoolExecutor-0_0');
  assert.deepEqual(counters.map((c) => [c.ts, c.args['on CPU']]), [[0, 0.25], [10_000, 0.25], [20_000, 0], [30_000, 0.25], [40_000, 0]]);
});
