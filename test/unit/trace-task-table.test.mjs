// The trace file's task tables (src/trace/task-table.ts): a large run's tasks as rows with ns deltas read back
// to exactly the events the store holds (times at the clock's ns resolution), every kind of task that is not
// a plain success keeps its events whole, and files of version 1 (runs as batches of columns) still read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceStore, chromeToTrace, chromeTraceChunks, isTaskTable, runTaskTableJson } from '../../dist/trace.mjs';
import { eventRecorder } from '../fixtures/event-recorder.mjs';

const ns = (us) => Math.round(us * 1000) / 1000;

/**
 * A thread run of `n` tasks: number and text previews, two functions, a failure, a cancelled one, cpuUs and phases.
 * @param {number} n @returns {import('../../dist/trace.mjs').TraceEvent[]}
 */
function mixedRun(n) {
  const { events, emit } = eventRecorder();
  const ev = (e) => emit('r-mixed', e);
  ev({ type: 'run-start', t: 0, backend: 'thread', workers: 2, fn: 'f', inputsCount: n, node: 'v20', pid: 7, originUs: 1e9 });
  ev({ type: 'worker-start', t: 10.125, workerId: 0, name: 'W-0', pid: 7, threadId: 1, startupUs: 10 });
  ev({ type: 'worker-start', t: 11.5, workerId: 1, name: 'W-1', pid: 7, threadId: 2, startupUs: 11 });
  for (let id = 0; id < n; id++) {
    const q = 20 + id * 1.0007 + (id % 3) * 0.0001;
    const w = id % 2;
    const fn = id % 5 === 0 ? 'g' : 'f';
    ev({ type: 'task-queued', t: q, taskId: id, fn, inputPreview: id % 4 === 0 ? `"s${id}"` : id % 7 === 0 ? '-0.5' : String(id) });
    if (id === 13) continue; // cancelled before it started
    ev({ type: 'task-start', t: q + 300.123456, taskId: id, workerId: w });
    const end = { type: 'task-end', t: q + 300.5 + (id % 11), taskId: id, workerId: w };
    if (id === 17) ev({ ...end, ok: false, error: { name: 'TypeError', message: 'no' } });
    else if (id === 19) ev({ ...end, ok: true, resultPreview: '1', cpuUs: 12 });
    else if (id === 23) ev({ ...end, ok: true, resultPreview: '2', phases: [{ name: 'compute', startT: q + 301, endT: q + 302 }] });
    else ev({ ...end, ok: true, resultPreview: id % 6 === 0 ? '{"a":1}' : String(id * 2) });
  }
  ev({ type: 'run-end', t: n * 2 + 400, stats: { wallUs: n * 2 + 400, tasks: n, ok: n - 2, failed: 1, taskUs: 0, pids: [7], threadIds: [1, 2], workersStarted: 2 } });
  return /** @type {any[]} */ (events);
}

/**
 * Events without seq, times at ns, in a canonical order: what a reader must give back.
 * @param {readonly any[]} events
 */
function canonical(events) {
  const key = (e) => `${e.type === 'run-start' ? 0 : e.type === 'run-end' ? 2 : 1}:${e.taskId ?? -1}:${e.type}:${e.workerId ?? ''}`;
  return events.map(({ seq: _seq, ...e }) => ({ ...e, t: ns(e.t) })).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

test('a packed run is written as a task table (version 2) and reads back to the same events, ns-exact', () => {
  const store = TraceStore.of(mixedRun(300), { packFrom: 100 });
  assert.ok(store.isPacked('r-mixed'));
  const text = [...chromeTraceChunks(store)].join('');
  const doc = JSON.parse(text);
  assert.equal(doc.poolscope.version, 2);
  assert.equal(doc.poolscope.columns, undefined);
  /** @type {any} */
  const table = doc.poolscope.tasks[0];
  assert.ok(isTaskTable(table));
  assert.equal(table.length, 296, 'all but the cancelled, failed, cpuUs and phases tasks are rows');
  assert.ok(Array.isArray(table.fn));
  assert.deepEqual(new Set(table.fn.map((f) => table.fns[f])), new Set(['f', 'g']), 'two functions: an index per row');
  assert.equal(table.input[1], 1, 'a number preview is stored as the number');
  assert.equal(table.input[0], '"s0"', 'a text preview as the string');
  assert.ok(table.taskId.slice(1).every((d) => d === 1 || d === 2), 'task ids as differences');
  assert.ok(table.start.every(Number.isInteger) && table.end.every(Number.isInteger), 'times as integer ns');

  /** @type {any[]} */
  const back = chromeToTrace(text);
  assert.deepEqual(back.map((e) => e.seq), back.map((_, i) => i));
  assert.deepEqual(canonical(back), canonical(store.allEvents()));
  assert.deepEqual(back.find((e) => e.type === 'task-end' && e.taskId === 23).phases, [{ name: 'compute', startT: 20 + 23 * 1.0007 + 0.0002 + 301, endT: 20 + 23 * 1.0007 + 0.0002 + 302 }]);
  assert.equal(back.find((e) => e.type === 'task-end' && e.taskId === 19).cpuUs, 12);
  assert.equal(back.filter((e) => e.taskId === 13).length, 1, 'the cancelled task: only queued');
});

test('a version 1 file (large runs as column batches) still reads to the same events', () => {
  const store = TraceStore.of(mixedRun(300), { packFrom: 100 });
  const v1 = `{"traceEvents":[],"displayTimeUnit":"ms","poolscope":{"version":1,${[...store.eventsAndColumnsJson()].join('')}}}`;
  const doc = JSON.parse(v1);
  assert.equal(doc.poolscope.columns.length, 1);
  assert.deepEqual(canonical(chromeToTrace(v1)), canonical(store.allEvents()));
});

test('a malformed task table is refused by name, not half-read', () => {
  const store = TraceStore.of(mixedRun(120), { packFrom: 100 });
  const run = store.packedRuns()[0];
  const table = JSON.parse([...runTaskTableJson(store.model, run, store.events)].join(''));
  const bad = [
    { ...table, start: table.start.slice(1) },
    { ...table, input: [...table.input.slice(1), null] },
    { ...table, fn: 9 },
    { ...table, taskId: table.taskId.map((x, i) => (i === 3 ? 1.5 : x)) },
    { ...table, events: [{ nope: true }] },
  ];
  for (const t of bad) {
    assert.equal(isTaskTable(t), false);
    assert.throws(() => chromeToTrace({ traceEvents: [], poolscope: { version: 2, events: [], tasks: [t] } }), { name: 'TraceFormatError' });
  }
});
