// The columnar batches (onTraceColumns) carry exactly the events the object listener gets: same
// seq, times, previews and objects, whatever the arguments, results and failures; and they survive
// JSON (the runner → parent wire).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engine, TASKS, assertNothingLeft } from '../fixtures/pool/harness.mjs';

const { expandTraceColumns, columnsToJson, copyTraceColumns, isTraceColumns, RowKind } = engine;

/** Submits a mix that hits every row kind: number / text / object previews, failures and logs. */
async function mixedRun(pool) {
  const handles = [
    ...Array.from({ length: 40 }, (_, i) => pool.submit('square', [i])),
    pool.submit('identity', ['text']),
    pool.submit('identity', [{ a: 1, b: [2, 3] }]),
    pool.submit('identity', [NaN]),
    pool.submit('identity', [-Infinity]),
    pool.submit('identity', [null]),
    pool.submit('identity', []),
    pool.submit('identity', [1, 2]),
    pool.submit('fail', ['boom']),
    pool.submit('log', ['hello from a task']),
  ];
  await Promise.allSettled(handles.map((h) => h.promise));
}

for (const backend of ['serial', 'event-loop', 'thread', 'process']) {
  test(`${backend}: columns expand to exactly the object listener's events`, async () => {
    const pool = engine.createPool({ backend, workers: 2, module: TASKS });
    const objects = [];
    const columns = [];
    pool.onTrace((batch) => objects.push(...batch));
    // Kept past the callback, so copied: the engine lends its columns for the call only.
    pool.onTraceColumns((batch) => columns.push(copyTraceColumns(batch)));
    await mixedRun(pool);
    await pool.close();

    const expanded = columns.flatMap((c) => expandTraceColumns(c));
    assert.deepEqual(expanded, objects);
    // Batches follow each other without gaps.
    let seq = 0;
    for (const c of columns) {
      assert.equal(c.firstSeq, seq);
      assert.equal(c.runId, pool.runId);
      seq += c.length;
    }
    assert.equal(seq, objects.length);

    // Every row kind was used, and number previews stayed numbers until expanded.
    const kinds = new Set(columns.flatMap((c) => Array.from(c.kind.slice(0, c.length))));
    for (const k of Object.values(RowKind)) assert.ok(kinds.has(k), `row kind ${k} never used`);
    const byTask = new Map(objects.filter((e) => e.type === 'task-queued').map((e) => [e.inputPreview, e.taskId]));
    const end = (preview) => objects.find((e) => e.type === 'task-end' && e.taskId === byTask.get(preview));
    assert.equal(end('7').resultPreview, '49');
    assert.equal(end('"text"').resultPreview, '"text"');
    assert.equal(end('{a: 1, b: [2, 3]}').resultPreview, '{a: 1, b: [2, 3]}');
    assert.equal(end('NaN').resultPreview, 'NaN');
    assert.equal(end('-Infinity').resultPreview, '-Infinity');
    assert.equal(end('null').resultPreview, 'null');
    assert.equal(end('').resultPreview, 'undefined');
    assert.equal(end('1, 2').resultPreview, '1');
    assert.equal(end('"boom"').ok, false);
    assert.equal(end('"boom"').error.name, 'TypeError');
    await assertNothingLeft(objects);
  });
}

test('columns survive JSON: columnsToJson → stringify → parse → the same events', async () => {
  const pool = engine.createPool({ backend: 'thread', workers: 2, module: TASKS });
  const objects = [];
  const wire = [];
  pool.onTrace((batch) => objects.push(...batch));
  pool.onTraceColumns((batch) => wire.push(JSON.stringify(columnsToJson(batch))));
  await mixedRun(pool);
  await pool.close();
  const received = wire.map((text) => JSON.parse(text));
  for (const c of received) assert.ok(isTraceColumns(c), 'a batch that crossed JSON is still well-formed');
  assert.deepEqual(received.flatMap((c) => expandTraceColumns(c)), JSON.parse(JSON.stringify(objects)));
});

test('isTraceColumns refuses malformed batches', () => {
  const good = () => ({
    runId: 'r', firstSeq: 0, length: 3, kind: [RowKind.QueuedNum, RowKind.Started, RowKind.Event], taskId: [1, 1, 0],
    t: [1, 2, 0], ref: [0, 1, 0], num: [5, 0, 0], text: [], fns: ['f'], events: [{ type: 'log', runId: 'r', seq: 2, t: 3, stream: 'stdout', text: 'x' }],
  });
  assert.equal(isTraceColumns(good()), true);
  assert.deepEqual(expandTraceColumns(good()).map((e) => [e.type, e.seq]), [['task-queued', 0], ['task-start', 1], ['log', 2]]);
  assert.equal(expandTraceColumns(good())[0].inputPreview, '5');
  const broken = {
    'an Event row without its event': (c) => { c.events = []; },
    'an unknown row kind': (c) => { c.kind[1] = 9; },
    'a column shorter than length': (c) => { c.t = [1]; },
    'a preview that is not text': (c) => { c.text = [{}]; },
    'a length that is not a count': (c) => { c.length = -1; },
    'no runId': (c) => { delete c.runId; },
  };
  for (const [what, spoil] of Object.entries(broken)) {
    const c = good();
    spoil(c);
    assert.equal(isTraceColumns(c), false, what);
  }
  assert.equal(isTraceColumns(null), false);
  assert.equal(isTraceColumns('columns'), false);
});

test('a listener that throws does not stop the other kind of listener', async () => {
  const pool = engine.createPool({ backend: 'thread', workers: 1, module: TASKS });
  const objects = [];
  const warnings = [];
  const onWarning = (w) => warnings.push(w.message);
  process.on('warning', onWarning);
  pool.onTraceColumns(() => { throw new Error('listener bug'); });
  pool.onTrace((batch) => objects.push(...batch));
  assert.equal(await pool.submit('square', [3]).promise, 9);
  await pool.close();
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  assert.deepEqual(objects.map((e) => e.type).sort(), ['run-end', 'run-start', 'task-end', 'task-queued', 'task-start', 'worker-exit', 'worker-start']);
  assert.ok(warnings.some((m) => m.includes('listener bug')), warnings.join('\n'));
});

test('a column listener that submits work while it holds a batch does not see that batch change', async () => {
  const pool = engine.createPool({ backend: 'thread', workers: 1, module: TASKS });
  const objects = [];
  const seen = [];
  let extra = [];
  pool.onTrace((batch) => objects.push(...batch));
  pool.onTraceColumns((batch) => {
    const before = copyTraceColumns(batch);
    // Reentrant: queues tasks (new rows) from inside the callback, as a live dashboard might.
    if (extra.length < 20) for (let i = 0; i < 10; i++) extra.push(pool.submit('square', [1000 + extra.length]).promise);
    assert.deepEqual(copyTraceColumns(batch), before, 'the lent batch changed under its listener');
    seen.push(before);
  });
  await Promise.all(Array.from({ length: 30 }, (_, i) => pool.submit('square', [i]).promise));
  while (extra.length < 20) await new Promise((r) => setTimeout(r, 5));
  await Promise.all(extra);
  await pool.close();
  // The object listener (expanded after the column listener ran) got the batch as it was, too.
  assert.deepEqual(seen.flatMap((c) => expandTraceColumns(c)), objects);
  assert.equal(objects.filter((e) => e.type === 'task-end').length, 50);
});

test('TraceModel.addColumns gives the model add(expandTraceColumns(c)) gives; a replayed batch adds nothing with dedupeBySeq', async () => {
  const { TraceModel, summarizeRuns, eventsToColumns } = await import(new URL('../../dist/trace.mjs', import.meta.url).href);
  const pool = engine.createPool({ backend: 'thread', workers: 2, module: TASKS });
  const columns = [];
  pool.onTraceColumns((batch) => columns.push(columnsToJson(batch)));
  await mixedRun(pool);
  await pool.close();
  const events = columns.flatMap((c) => expandTraceColumns(c));

  const fromObjects = new TraceModel({ dedupeBySeq: true });
  fromObjects.add(events);
  const fromColumns = new TraceModel({ dedupeBySeq: true });
  for (const c of columns) assert.equal(fromColumns.addColumns(c), c.length);
  const [run] = fromColumns.runs;
  assert.deepEqual(fromColumns.eventsOf(run), fromObjects.eventsOf(fromObjects.runs[0]));
  assert.deepEqual(summarizeRuns(fromColumns), summarizeRuns(fromObjects));
  assert.equal(fromColumns.events, events.length);

  // Over-replay (a host after a webview reload): every row is already held.
  for (const c of columns) assert.equal(fromColumns.addColumns(c), 0);
  // The host's own layout of the same events (eventsToColumns) gives the same model too.
  const relaid = new TraceModel({ dedupeBySeq: true });
  const { columns: again, rest } = eventsToColumns(events, 1);
  assert.deepEqual(rest, []);
  for (const c of again) relaid.addColumns(c);
  assert.deepEqual(relaid.eventsOf(relaid.runs[0]), fromObjects.eventsOf(fromObjects.runs[0]));
  assert.deepEqual(again.flatMap((c) => expandTraceColumns(c)), events);
});
