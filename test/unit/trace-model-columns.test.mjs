// TraceModel.addColumns (what the CLI stores a run with) gives the model add(expandTraceColumns(…)) gives,
// for real engine batches over JSON (the runner → parent wire): same runs, lanes, tasks, figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engine, TASKS } from '../fixtures/pool/harness.mjs';
import { TraceModel, TraceStore, summarizeRuns } from '../../dist/trace.mjs';

const { expandTraceColumns, columnsToJson } = engine;

for (const backend of ['thread', 'event-loop']) {
  test(`${backend}: addColumns and add(expanded) build the same model; a store from columns keeps the same events`, async () => {
    const pool = engine.createPool({ backend, workers: 2, module: TASKS });
    const batches = [];
    pool.onTraceColumns((lent) => batches.push(JSON.parse(JSON.stringify(columnsToJson(lent)))));
    const handles = [
      ...Array.from({ length: 30 }, (_, i) => pool.submit('square', [i])),
      pool.submit('identity', ['text']),
      pool.submit('identity', [{ a: 1 }]),
      pool.submit('fail', ['boom']),
      pool.submit('log', ['hello']),
    ];
    await Promise.allSettled(handles.map((h) => h.promise));
    await pool.close();

    const fromColumns = new TraceModel();
    const fromEvents = new TraceModel();
    for (const b of batches) {
      fromColumns.addColumns(b);
      fromEvents.add(expandTraceColumns(b));
    }
    assert.equal(fromColumns.events, fromEvents.events);
    const [a] = fromColumns.runs;
    const [b] = fromEvents.runs;
    assert.deepEqual(fromColumns.eventsOf(a), fromEvents.eventsOf(b));
    assert.deepEqual({ ...a, version: 0 }, { ...b, version: 0 }, 'run bookkeeping (counts, lanes, last seq) alike');
    assert.deepEqual(summarizeRuns(fromColumns), summarizeRuns(fromEvents));

    const store = new TraceStore();
    for (const batch of batches) store.addColumns(batch);
    assert.deepEqual(store.events, batches.flatMap((c) => expandTraceColumns(c)), 'a small run keeps its events exactly');
  });
}

test('a store fed columns packs a large run: its task events only in the model', () => {
  const runId = 'r-cols';
  const n = 300;
  const kind = [];
  const taskId = [];
  const t = [];
  const ref = [];
  const num = [];
  for (let id = 0; id < n; id++) {
    kind.push(1, 2, 4); // QueuedNum, Started, EndedOkNum
    taskId.push(id, id, id);
    t.push(10 + id, 11 + id, 12 + id);
    ref.push(0, 0, 0);
    num.push(id, id, id * id);
  }
  /** @type {import('../../dist/trace.mjs').TraceEvent} */
  const head = { type: 'run-start', runId, seq: 0, t: 0, backend: 'thread', workers: 1, fn: 'sq', inputsCount: n, node: 'v20', pid: 1, originUs: 0 };
  const store = new TraceStore({ packFrom: 100 });
  store.add([head]);
  store.addColumns({ runId, firstSeq: 1, length: 3 * n, kind, taskId, t, ref, num, text: [], fns: ['sq'], events: [] });
  assert.equal(store.isPacked(runId), true);
  assert.deepEqual(store.events, [head]);
  assert.equal(store.model.runs[0].ok, n);
  assert.equal(store.model.tasks.result.get(store.model.taskIndex(store.model.runs[0], 7)), '49');
});
