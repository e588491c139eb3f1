// The streaming writers (Chrome trace, CSV, HTML report data) at a size where one string would not do:
// the text comes in bounded chunks, a large run's tasks are stored once (a batch of columns, compact X events),
// the file reads back to the same runs, and writing holds no copy of the file in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { firstOf } from '../fixtures/trace-events.mjs';
import {
  CHUNK_CHARS, TraceModel, TraceStore, chromeToTrace, chromeTraceChunks, computeRunSummaries, csvChunks, embeddedTraceChunks, summarizeRuns,
  traceToChrome, traceToCsv,
} from '../../dist/trace.mjs';

const RUN = 'r-large';

/** A thread run of `n` tasks on two workers, in batches as a runner sends them (never all events at once). */
function* syntheticBatches(n, batchTasks = 5000) {
  let seq = 0;
  const ev = (e) => ({ runId: RUN, seq: seq++, ...e });
  yield [
    ev({ type: 'run-start', t: 0, backend: 'thread', workers: 2, fn: 'ident', inputsCount: n, node: 'v20', pid: 500, originUs: 1e9, cores: 2 }),
    ev({ type: 'worker-start', t: 900.5, workerId: 0, name: 'ThreadPoolExecutor-0_0', pid: 500, threadId: 1, startupUs: 900 }),
    ev({ type: 'worker-start', t: 901.25, workerId: 1, name: 'ThreadPoolExecutor-0_1', pid: 500, threadId: 2, startupUs: 901 }),
  ];
  for (let first = 0; first < n; first += batchTasks) {
    const batch = [];
    for (let id = first; id < Math.min(n, first + batchTasks); id++) {
      const q = 1000 + id * 3.3333;
      const w = id % 2;
      batch.push(ev({ type: 'task-queued', t: q, taskId: id, fn: 'ident', inputPreview: String(id) }));
      batch.push(ev({ type: 'task-start', t: q + 1.1, taskId: id, workerId: w }));
      if (id % 100_003 === 7) {
        batch.push(ev({ type: 'task-end', t: q + 2.2, taskId: id, workerId: w, ok: false, error: { name: 'RangeError', message: `bad </script> ${id}` } }));
      } else {
        batch.push(ev({ type: 'task-end', t: q + 2.2, taskId: id, workerId: w, ok: true, resultPreview: String(id) }));
      }
    }
    yield batch;
  }
  const end = 1000 + n * 3.3333 + 10;
  yield [
    ev({ type: 'worker-exit', t: end, workerId: 0, code: 0, signal: null, reason: 'idle' }),
    ev({ type: 'run-end', t: end + 1, stats: { wallUs: end + 1, tasks: n, ok: n, failed: 0, taskUs: n * 1.1, pids: [500], threadIds: [1, 2], workersStarted: 2 } }),
  ];
}

function storeOf(n) {
  const store = new TraceStore();
  for (const batch of syntheticBatches(n)) store.add(batch);
  return store;
}

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** Live heap: what is still referenced after a full collection. */
function retainedHeap() {
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Writes the chunks to a file as the CLI does (one at a time); returns the bytes, the largest chunk and the
 * most heap the writing kept alive at any point (sampled after a full GC every 100 chunks).
 */
function writeFile(path, chunks) {
  const fd = openSync(path, 'w');
  let largest = 0;
  const heap0 = retainedHeap();
  let peak = 0;
  let k = 0;
  try {
    for (const chunk of chunks) {
      largest = Math.max(largest, chunk.length);
      writeSync(fd, chunk);
      if (++k % 100 === 0) peak = Math.max(peak, retainedHeap() - heap0);
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: statSync(path).size, largest, peakGrowth: peak };
}

const comparable = (s) => ({ runId: s.runId, backend: s.backend, tasks: s.tasks, ok: s.ok, failed: s.failed, workers: s.workers, pids: s.pids });

test('a 200 000-task trace streams in bounded chunks, stores each task once (≤ 150 B/task) and reads back to the same run', () => {
  const n = 200_000;
  const store = storeOf(n);
  assert.ok(store.isPacked(RUN), 'a run this large keeps its task events as columns only');
  assert.ok(store.events.length < 10, `only the run's other events stay objects (${store.events.length})`);
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-writers-'));
  try {
    const path = join(dir, 't.json');
    const { bytes, largest, peakGrowth } = writeFile(path, chromeTraceChunks(store));
    assert.ok(largest <= CHUNK_CHARS + 4096, `every chunk is about ${CHUNK_CHARS} characters (largest ${largest})`);
    // X events (~75 B) plus the run as one task table (task-table.ts: a row a task, ns deltas); as a batch of the
    // columnar wire format (three rows a task, version 1 files) it was ~164.
    assert.ok(bytes / n <= 150, `${(bytes / n).toFixed(1)} bytes per task`);
    // Nothing close to the file is held while writing (one string of it would be ~2× its size in heap): at most
    // the task order of the run (4 bytes a task) and a chunk or two.
    assert.ok(peakGrowth < bytes / 8, `heap grew ${(peakGrowth / 1e6).toFixed(1)} MB while writing ${(bytes / 1e6).toFixed(1)} MB`);

    const text = readFileSync(path, 'utf8');
    const doc = JSON.parse(text);
    const xs = doc.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(xs.length, n, 'one X event per task for Perfetto');
    assert.deepEqual(Object.keys(xs[5]).sort(), ['dur', 'name', 'ph', 'pid', 'tid', 'ts']);
    assert.equal(xs[5].name, 'ident #5');
    assert.deepEqual(xs.find((e) => e.args)?.args.error, { name: 'RangeError', message: 'bad </script> 7' });
    assert.equal(doc.poolscope.version, 2);
    assert.equal(doc.poolscope.tasks.length, 1);
    assert.equal(doc.poolscope.tasks[0].length, n - 2, 'a row per task that ended ok (the two failed ones are events)');
    assert.equal(doc.poolscope.tasks[0].events.filter((e) => e.type === 'task-end' && !e.ok).length, 2);

    const back = chromeToTrace(text);
    assert.equal(back.filter((e) => e.type === 'task-end').length, n);
    assert.deepEqual(back.map((e) => e.seq), back.map((_, i) => i), 'seq renumbered 0, 1, 2 …');
    assert.equal(back[0].type, 'run-start');
    assert.equal(back.at(-1)?.type, 'run-end');
    const task7 = firstOf(back, 'task-end', (e) => e.taskId === 7);
    assert.deepEqual(task7.error, { name: 'RangeError', message: 'bad </script> 7' });
    assert.deepEqual(computeRunSummaries(back).map(comparable), summarizeRuns(store.model).map(comparable));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV and the HTML report data stream from the same store: one row per task, a packed document the timeline reads', () => {
  const n = 60_000;
  const store = storeOf(n);
  let rows = 0;
  let largest = 0;
  let tail = '';
  for (const chunk of csvChunks(store.model)) {
    largest = Math.max(largest, chunk.length);
    rows += chunk.split('\r\n').length - 1;
    tail = chunk;
  }
  assert.equal(rows, n + 1, 'header and one row per task');
  assert.ok(tail.endsWith('\r\n'));
  assert.ok(largest <= CHUNK_CHARS + 4096);

  const doc = JSON.parse([...embeddedTraceChunks(store, 'big', { verdict: 'x' })].join(''));
  assert.equal(doc.title, 'big');
  assert.equal(doc.columns.length, 1);
  const [c] = doc.columns;
  assert.equal(c.kind.filter((k) => k === 0 || k === 1).length, n, 'one queued row per task (QueuedNum when the input is a number)');
  assert.equal(c.events.filter((e) => e.type === 'task-end' && !e.ok).length, 1, 'the one failed task, as an event');
  assert.deepEqual(doc.events, [], 'the large run is all in its columns');
  const model = new TraceModel();
  assert.equal(model.addColumns(c), c.length, 'the timeline ingests the batch as it is');
  assert.deepEqual(summarizeRuns(model).map(comparable), summarizeRuns(store.model).map(comparable));
});

test('small traces are written as before: the chunked Chrome trace equals traceToChrome, CSV equals traceToCsv', () => {
  const events = [...syntheticBatches(50, 20)].flat();
  const store = TraceStore.of(events);
  assert.equal(store.isPacked(RUN), false);
  assert.deepEqual(JSON.parse([...chromeTraceChunks(store)].join('')), JSON.parse(JSON.stringify(traceToChrome(events))));
  assert.deepEqual(chromeToTrace([...chromeTraceChunks(store)].join('')), events, 'still lossless event for event');
  assert.equal([...csvChunks(store.model)].join(''), traceToCsv(events));
  assert.deepEqual(store.allEvents(), events);
});
