// traceToChrome() / chromeToTrace(): the export Perfetto and speedscope open, and the way back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceToChrome, chromeToTrace, computeRunSummaries } from '../../dist/trace.mjs';
import { chromeEvents, defined } from '../fixtures/trace-events.mjs';

/** A compare of a thread run and an event-loop run (with slices and a main-wait), as the runner emits them. */
function compareTrace() {
  const events = [];
  const run = (runId) => (e) => events.push({ runId, seq: events.filter((x) => x.runId === runId).length, ...e });
  const th = run('r-thread');
  th({ type: 'run-start', t: 0, backend: 'thread', workers: 2, fn: 'fib', inputsCount: 3, node: 'v20.20.0', pid: 100, originUs: 7e9, compareId: 'c', label: 'thread × 2' });
  th({ type: 'worker-start', t: 50, workerId: 1, name: 'ThreadPoolExecutor-0_0', pid: 100, threadId: 1, tid: 101, startupUs: 50 });
  th({ type: 'worker-start', t: 60, workerId: 2, name: 'ThreadPoolExecutor-0_1', pid: 100, threadId: 2, tid: 102, startupUs: 60 });
  for (let k = 0; k < 3; k++) th({ type: 'task-queued', t: 70, taskId: k, fn: 'fib', inputPreview: `[${30 + k}]` });
  th({ type: 'task-start', t: 80, taskId: 0, workerId: 1 });
  th({ type: 'task-start', t: 85, taskId: 1, workerId: 2 });
  th({ type: 'task-end', t: 1080, taskId: 0, workerId: 1, ok: true, resultPreview: '832040', cpuUs: 990 });
  th({ type: 'task-start', t: 1090, taskId: 2, workerId: 1 });
  th({ type: 'task-end', t: 1500, taskId: 1, workerId: 2, ok: false, error: { name: 'RangeError', message: 'too "big"', stack: 'RangeError: too big\n    at fib (demo.ts:3:9)' } });
  th({ type: 'task-end', t: 2090, taskId: 2, workerId: 1, ok: true, resultPreview: '2178309' });
  th({ type: 'main-wait', start: 70, end: 2095, label: 'pool.map(fib) × 3' });
  th({ type: 'worker-exit', t: 2100, workerId: 1, code: 0, signal: null, reason: 'idle' });
  th({ type: 'worker-exit', t: 2100, workerId: 2, code: 0, signal: null, reason: 'idle' });
  th({ type: 'run-end', t: 2110, stats: { wallUs: 2110, tasks: 3, ok: 2, failed: 1, taskUs: 2415, pids: [100], threadIds: [1, 2], workersStarted: 2 } });
  const el = run('r-loop');
  el({ type: 'run-start', t: 3000, backend: 'event-loop', workers: 2, fn: 'io', inputsCount: 2, node: 'v20.20.0', pid: 100, originUs: 7e9, compareId: 'c' });
  el({ type: 'worker-start', t: 3010, workerId: 1, name: 'event-loop', pid: 100, threadId: 3, startupUs: 10 });
  el({ type: 'task-queued', t: 3020, taskId: 0, fn: 'io', inputPreview: '["</script>"]' });
  el({ type: 'task-queued', t: 3020, taskId: 1, fn: 'io', inputPreview: '[2]' });
  el({ type: 'task-start', t: 3030, taskId: 0, workerId: 1 });
  el({ type: 'task-start', t: 3031, taskId: 1, workerId: 1 });
  el({ type: 'task-slice', taskId: 0, workerId: 1, start: 3030, end: 3040 });
  el({ type: 'task-slice', taskId: 1, workerId: 1, start: 3040, end: 3050 });
  el({ type: 'task-slice', taskId: 0, workerId: 1, start: 3500, end: 3510 });
  el({ type: 'task-end', t: 3510, taskId: 0, workerId: 1, ok: true, resultPreview: 'ok' });
  el({ type: 'task-end', t: 3600, taskId: 1, workerId: 1, ok: true, resultPreview: 'ok' });
  el({ type: 'log', t: 3600, taskId: 1, workerId: 1, stream: 'stdout', text: 'hello\n' });
  el({ type: 'run-end', t: 3610, stats: { wallUs: 610, tasks: 2, ok: 2, failed: 0, taskUs: 1049, pids: [100], threadIds: [3], workersStarted: 1 } });
  return events;
}

test('traceToChrome() writes X events per task with pid = process, tid = thread, and args', () => {
  const chrome = traceToChrome(compareTrace());
  assert.equal(chrome.displayTimeUnit, 'ms');
  const tasks = chromeEvents(chrome).filter((e) => e.ph === 'X' && e.cat === 'task');
  assert.equal(tasks.length, 3, 'the thread run: one X per task');
  const failed = defined(tasks.find((e) => e.args.taskId === 1));
  assert.deepEqual({ name: failed.name, ts: failed.ts, dur: failed.dur, pid: failed.pid, tid: failed.tid },
    { name: 'fib #1', ts: 85, dur: 1415, pid: 100, tid: 2 });
  assert.equal(failed.args.queueWaitUs, 15);
  assert.equal(failed.args.input, '[31]');
  assert.equal(failed.args.worker, 'ThreadPoolExecutor-0_1');
  assert.equal(failed.args.error.name, 'RangeError');
  assert.equal(tasks.find((e) => e.args.taskId === 0)?.args.result, '832040');
  assert.equal(tasks.find((e) => e.args.taskId === 0)?.args.cpuUs, 990);
});

test('traceToChrome() names processes and threads with M events, and marks worker start/exit', () => {
  const chrome = traceToChrome(compareTrace());
  const meta = chromeEvents(chrome).filter((e) => e.ph === 'M');
  const threadName = (pid, tid) => meta.find((e) => e.name === 'thread_name' && e.pid === pid && e.tid === tid)?.args.name;
  assert.equal(meta.find((e) => e.name === 'process_name' && e.pid === 100)?.args.name, 'poolscope runner (pid 100)');
  assert.equal(threadName(100, 0), 'main');
  assert.equal(threadName(100, 1), 'ThreadPoolExecutor-0_0');
  assert.equal(threadName(100, 3), 'event-loop');
  const instants = chrome.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'worker');
  assert.equal(instants.length, 5, '3 worker starts (2 threads, 1 event loop), 2 exits');
  assert.ok(instants.some((e) => e.name === 'exit ThreadPoolExecutor-0_1 (idle)' && e.ts === 2100 && e.tid === 2));
  const wait = defined(chromeEvents(chrome).find((e) => e.cat === 'main-wait'));
  assert.deepEqual({ ts: wait.ts, dur: wait.dur, pid: wait.pid, tid: wait.tid, name: wait.name }, { ts: 70, dur: 2025, pid: 100, tid: 0, name: 'pool.map(fib) × 3' });
});

test('traceToChrome() event-loop tasks become async spans and their slices X events on the one thread', () => {
  const chrome = traceToChrome(compareTrace());
  const begins = chrome.traceEvents.filter((e) => e.ph === 'b');
  const ends = chrome.traceEvents.filter((e) => e.ph === 'e');
  assert.deepEqual(begins.map((e) => [e.id, e.ts]), [['r-loop:0', 3030], ['r-loop:1', 3031]]);
  assert.deepEqual(ends.map((e) => [e.id, e.ts]), [['r-loop:0', 3510], ['r-loop:1', 3600]]);
  const slices = chromeEvents(chrome).filter((e) => e.cat === 'slice');
  assert.deepEqual(slices.map((e) => [e.ts, e.dur, e.tid]), [[3030, 10, 3], [3500, 10, 3], [3040, 10, 3]]);
  // Slices on one lane never overlap, so a synchronous track can show them.
  const sorted = slices.map((e) => [e.ts, e.ts + e.dur]).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i][0] >= sorted[i - 1][1]);
});

test('chromeToTrace(traceToChrome(events)) round-trips losslessly, also through JSON text', () => {
  const events = compareTrace();
  const text = JSON.stringify(traceToChrome(events));
  assert.deepEqual(chromeToTrace(text), events);
  assert.deepEqual(chromeToTrace(JSON.parse(text)), events);
  assert.deepEqual(computeRunSummaries(chromeToTrace(text)), computeRunSummaries(events));
});

test('chromeToTrace() imports a foreign Chrome trace best effort: spans become tasks, lanes workers', () => {
  const foreign = {
    traceEvents: [
      { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'Renderer' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 7, args: { name: 'Compositor' } },
      { name: 'paint', ph: 'X', ts: 1000, dur: 50, pid: 1, tid: 7, args: { frame: 1 } },
      { name: 'layout', ph: 'B', ts: 1010, pid: 2, tid: 9 },
      { name: 'layout', ph: 'E', ts: 1030, pid: 2, tid: 9 },
      { name: 'counter', ph: 'C', ts: 1000, pid: 1, args: { v: 3 } },
    ],
  };
  const events = chromeToTrace(foreign);
  const [summary] = computeRunSummaries(events);
  assert.equal(summary.backend, 'process', 'two PIDs');
  assert.equal(summary.tasks, 2);
  assert.equal(summary.ok, 2);
  assert.equal(summary.wallUs, 50);
  assert.deepEqual(summary.pids, [1, 2]);
  assert.deepEqual(summary.utilization.map((u) => u.name), ['Compositor', 'pid 2 tid 9']);
  const ends = events.filter((e) => e.type === 'task-end');
  assert.deepEqual(ends.map((e) => e.t), [50, 30]);
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i));
  // The array format is accepted too.
  assert.equal(computeRunSummaries(chromeToTrace(foreign.traceEvents))[0].tasks, 2);
});

test('chromeToTrace() rejects what is not a trace with TraceFormatError', () => {
  assert.throws(() => chromeToTrace('{not json'), { name: 'TraceFormatError' });
  assert.throws(() => chromeToTrace({ hello: 1 }), { name: 'TraceFormatError' });
  assert.throws(() => chromeToTrace({ traceEvents: [{ name: 'x', ph: 'i', ts: 1 }] }), { name: 'TraceFormatError' });
  assert.throws(() => chromeToTrace({ traceEvents: [], poolscope: { version: 1, events: [{ nope: true }] } }), { name: 'TraceFormatError' });
});

test('traceToChrome() of a real engine compare: one X per thread/process/serial task, slices for the event loop, lossless round trip', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = JSON.parse(readFileSync(new URL('../fixtures/traces/real-compare.json', import.meta.url), 'utf8'));
  const events = doc.events ?? doc;
  const chrome = traceToChrome(events);
  const backendOf = new Map(events.filter((e) => e.type === 'run-start').map((e) => [e.runId, e.backend]));
  const ended = events.filter((e) => e.type === 'task-end');
  const syncTasks = ended.filter((e) => backendOf.get(e.runId) !== 'event-loop').length;
  assert.equal(chrome.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'task').length, syncTasks);
  assert.equal(chrome.traceEvents.filter((e) => e.ph === 'b').length, ended.length - syncTasks);
  assert.equal(chrome.traceEvents.filter((e) => e.cat === 'slice').length, events.filter((e) => e.type === 'task-slice').length);
  // Every process of the trace is named, and every X sits in a named process.
  const named = new Set(chrome.traceEvents.filter((e) => e.name === 'process_name').map((e) => e.pid));
  for (const e of chrome.traceEvents.filter((x) => x.ph === 'X')) assert.ok(named.has(e.pid), `pid ${e.pid} named`);
  assert.deepEqual(chromeToTrace(JSON.stringify(chrome)), events);
});
