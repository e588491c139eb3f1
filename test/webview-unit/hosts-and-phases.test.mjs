// The model and the layout for runs beyond one machine, without a browser: worker hosts and task phases
// are kept (live events, column batches, rebuilt events), the layout puts a heading row per host above its
// lanes (distributed engines even on one machine), and the host line counts hosts, processes, threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { TraceModel, layoutRows } = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));
const { runHostLine, validPhases } = await import(path.join(ROOT, 'dist', 'trace.mjs'));
const { eventsToColumns, isTraceColumns } = await import(path.join(ROOT, 'dist', 'webview-protocol.mjs'));

function run(backend, workers) {
  const events = [];
  let seq = 0;
  const emit = (e) => events.push({ runId: backend, seq: seq++, ...e });
  emit({ type: 'run-start', t: 0, backend, workers: workers.length, fn: 'f', inputsCount: workers.length, node: 'x', pid: 1, originUs: 0 });
  workers.forEach((w, k) => {
    emit({ type: 'worker-start', t: 10, workerId: k + 1, name: `w${k + 1}`, pid: w.pid, threadId: w.thread ?? 0, startupUs: 5, ...(w.host ? { host: w.host } : {}) });
    emit({ type: 'task-queued', t: 20, taskId: k, fn: 'f', inputPreview: String(k) });
    emit({ type: 'task-start', t: 100, taskId: k, workerId: k + 1 });
    emit({ type: 'task-end', t: 200, taskId: k, workerId: k + 1, ok: true, resultPreview: '1',
      phases: [{ name: 'compute', start: 120, end: 200 }, { name: 'transfer', start: 100, end: 110 }] });
  });
  emit({ type: 'run-end', t: 300, stats: { wallUs: 300, tasks: workers.length, ok: workers.length, failed: 0, taskUs: 100, pids: [], threadIds: [], workersStarted: workers.length } });
  return events;
}

test('layoutRows: a heading per host (this machine first, then by name), its lanes under it by PID', () => {
  const model = new TraceModel();
  model.add(run('bullmq', [{ pid: 30, host: 'b-host' }, { pid: 20 }, { pid: 10, host: 'a-host' }, { pid: 40, host: 'a-host' }]));
  const { rows } = layoutRows(model, [0], () => '');
  assert.deepEqual(rows.map((r) => [r.kind, r.kind === 'host' ? r.label : model.lanes[r.lane]?.pid ?? r.label]), [
    ['run', rows[0].label], ['host', 'this machine'], ['worker', 20], ['host', 'a-host'], ['worker', 10], ['worker', 40], ['host', 'b-host'], ['worker', 30],
  ]);
  assert.deepEqual(rows.filter((r) => r.kind === 'host').map((r) => r.detail), ['1 process · 1 lane', '2 processes · 2 lanes', '1 process · 1 lane']);
  // Rows stack without gaps or overlaps.
  for (let k = 1; k < rows.length; k++) assert.equal(rows[k].y, rows[k - 1].y + rows[k - 1].height);
  assert.equal(runHostLine(model, model.runs[0]), '3 hosts (this machine, a-host, b-host), 4 processes, 4 threads');
});

test('layoutRows: a distributed engine on one machine still gets its heading; a pool backend does not', () => {
  const model = new TraceModel();
  model.add(run('py-dask', [{ pid: 10, thread: 1 }, { pid: 10, thread: 2 }]));
  model.add(run('process', [{ pid: 11 }, { pid: 12 }]));
  const { rows } = layoutRows(model, [0, 1], () => '');
  assert.deepEqual(rows.map((r) => r.kind), ['run', 'host', 'worker', 'worker', 'run', 'worker', 'worker']);
  assert.equal(runHostLine(model, model.runs[0]), '1 host (this machine), 1 process, 2 threads');
  assert.equal(runHostLine(model, model.runs[1]), undefined);
});

test('TraceModel keeps worker hosts and task phases (sorted, checked) through events, rebuilt events and column batches', () => {
  const events = run('py-dask', [{ pid: 10, host: '10.0.0.5' }, { pid: 11, host: '10.0.0.6' }]);
  const model = new TraceModel();
  model.add(events);
  assert.deepEqual(model.lanes.map((l) => l.host), ['10.0.0.5', '10.0.0.6']);
  const record = model.taskRecord(0);
  assert.deepEqual(record.phases.map((p) => p.name), ['transfer', 'compute'], 'sorted by start');
  const rebuilt = model.eventsOf(model.runs[0]);
  assert.deepEqual(rebuilt.filter((e) => e.type === 'worker-start').map((e) => e.host), ['10.0.0.5', '10.0.0.6']);
  assert.equal(rebuilt.filter((e) => e.type === 'task-end' && e.phases?.length === 2).length, 2);

  const { columns, rest } = eventsToColumns(events, 1);
  assert.equal(columns.length, 1);
  assert.deepEqual(rest, []);
  assert.ok(isTraceColumns(JSON.parse(JSON.stringify(columns[0])), 100));
  const fromColumns = new TraceModel();
  fromColumns.addColumns(columns[0]);
  assert.deepEqual(fromColumns.lanes.map((l) => l.host), ['10.0.0.5', '10.0.0.6']);
  assert.deepEqual(fromColumns.taskRecord(fromColumns.taskIndex(fromColumns.runs[0], 1)).phases, record.phases.map((p) => ({ ...p })));
});

test('validPhases drops malformed entries (no name, non-finite or reversed times) and caps the count', () => {
  assert.equal(validPhases(undefined), undefined);
  assert.equal(validPhases('compute'), undefined);
  assert.deepEqual(validPhases([{ name: 'compute', start: 5, end: 9 }, { name: '', start: 0, end: 1 }, { name: 'x', start: 3, end: 2 },
    { name: 'y', start: NaN, end: 1 }, null, { name: 'transfer', start: 1, end: 4 }]), [{ name: 'transfer', start: 1, end: 4 }, { name: 'compute', start: 5, end: 9 }]);
  assert.equal(validPhases(Array.from({ length: 100 }, (_, k) => ({ name: 'compute', start: k, end: k + 1 }))).length, 32);
});
