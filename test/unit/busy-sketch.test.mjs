// BusySketch (src/trace/busy-sketch.ts): a lane's busy time per bin from task starts and ends alone, exact at
// bin edges through every doubling of the bin width; and the trace model's deferred fold (addColumns with
// `defer`, foldPending) ends with the same model as folding every batch on arrival.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BusySketch, MIN_SKETCH_BINS, SKETCH_BINS, SKETCH_BINS_PER_RUN, TraceModel, sketchBinsFor, summarizeRuns } from '../../dist/trace.mjs';
import { eventMessages } from '../../dist/webview-protocol.mjs';
import { poolRun, syntheticTrace } from '../fixtures/traces/generate.mjs';
import { seededRandom } from '../fixtures/seeded-random.mjs';

/** Busy µs of `spans` ([start, end) pairs) inside [a, b). */
function busyIn(spans, a, b) {
  let sum = 0;
  for (const [s, e] of spans) sum += Math.max(0, Math.min(e, b) - Math.max(s, a));
  return sum;
}

test('busy time per bin is exact at bin edges, overlapping tasks and many doublings included', () => {
  const r = seededRandom(7);
  const spans = [];
  let t = 100;
  // 20 000 tasks over ~2 s: short and long ones, some overlapping (an event-loop lane), gaps of every size.
  for (let k = 0; k < 20_000; k++) {
    const s = t + r() * 80;
    const e = s + (k % 50 === 0 ? 5000 * r() : 5 + 40 * r());
    spans.push([s, e]);
    t = k % 3 === 0 ? e - 2 : s + 60;
  }
  const sketch = new BusySketch(100);
  // Starts and ends in an order unlike time order within a batch (ends of earlier tasks after later starts).
  for (const [s] of spans) sketch.start(s);
  for (const [, e] of spans) sketch.end(e);
  assert.ok(sketch.width > 1, 'the bins doubled');
  assert.ok(sketch.bins > SKETCH_BINS / 2 && sketch.bins <= SKETCH_BINS, `bins ${sketch.bins}`);
  const last = Math.max(...spans.map(([, e]) => e));
  const total = busyIn(spans, 0, last + 1);
  assert.ok(Math.abs(sketch.busyIn(100, 1e12) - total) < 1e-6 * total, 'the whole lane');
  for (let k = 0; k < sketch.bins; k += 97) {
    const a = 100 + k * sketch.width;
    const b = a + sketch.width;
    assert.ok(Math.abs(sketch.busyIn(a, b) - busyIn(spans, a, b)) < 1e-6 * sketch.width, `bin ${k}`);
    // Several bins at once, from edge to edge.
    const c = a + 5 * sketch.width;
    assert.ok(Math.abs(sketch.busyIn(a, c) - busyIn(spans, a, c)) < 1e-6 * sketch.width, `bins ${k}..${k + 5}`);
  }
});

test('a run of many lanes gets fewer bins a lane, still exact at bin edges', () => {
  assert.equal(sketchBinsFor(8), SKETCH_BINS);
  assert.ok(sketchBinsFor(4096) * 4096 <= SKETCH_BINS_PER_RUN);
  assert.equal(sketchBinsFor(1_000_000), MIN_SKETCH_BINS);
  const sketch = new BusySketch(0, 1, sketchBinsFor(4096));
  assert.equal(sketch.capacity, 256);
  const spans = Array.from({ length: 5000 }, (_, k) => [k * 700 + (k % 13), k * 700 + 300 + (k % 29)]);
  for (const [s, e] of spans) { sketch.start(s); sketch.end(e); }
  assert.ok(sketch.bins <= 256 && sketch.bins > 128, `bins ${sketch.bins}`);
  for (let k = 0; k < sketch.bins; k += 7) {
    const a = k * sketch.width;
    const b = a + 3 * sketch.width;
    assert.ok(Math.abs(sketch.busyIn(a, b) - busyIn(spans, a, b)) < 1e-6 * sketch.width, `bins ${k}..${k + 3}`);
  }
});

test('a lane 3 % busy reads 3 % busy; a failure marks its bin; nothing before the origin or after the last end', () => {
  const sketch = new BusySketch(0);
  for (let k = 0; k < 1000; k++) {
    sketch.start(k * 1000);
    sketch.end(k * 1000 + 30, k === 500);
  }
  assert.ok(Math.abs(sketch.busyIn(0, 1_000_000) / 1_000_000 - 0.03) < 1e-9);
  assert.ok(Math.abs(sketch.busyIn(250_000, 750_000) / 500_000 - 0.03) < 1e-3);
  assert.equal(sketch.failedIn(500_000, 500_100), true);
  assert.equal(sketch.failedIn(0, 400_000), false);
  assert.equal(sketch.busyIn(-500, 0), 0);
  assert.equal(sketch.busyIn(2_000_000, 3_000_000), 0);
});

/** Feeds `messages` (eventMessages) to a model, deferring column batches when `defer`. */
function feed(model, messages, defer) {
  for (const m of messages) {
    if (m.type === 'events') model.add(m.batch);
    else model.addColumns(m.columns, m.packedText, { defer });
  }
}

function runsAlike(a, b) {
  assert.equal(a.events, b.events);
  assert.deepEqual(a.fnNames, b.fnNames);
  assert.equal(a.tasks.count, b.tasks.count);
  for (const col of ['run', 'taskId', 'queued', 'start', 'end', 'lane', 'fn', 'status', 'cpuUs', 'firstSlice', 'startSeen']) {
    assert.deepEqual(a.tasks[col].subarray(0, a.tasks.count), b.tasks[col].subarray(0, b.tasks.count), col);
  }
  for (let i = 0; i < a.tasks.count; i++) {
    assert.equal(a.tasks.input.get(i), b.tasks.input.get(i));
    assert.equal(a.tasks.result.get(i), b.tasks.result.get(i));
  }
  assert.deepEqual(a.lanes, b.lanes);
  assert.deepEqual(a.runs.map((r) => ({ ...r, version: 0 })), b.runs.map((r) => ({ ...r, version: 0 })));
  for (let k = 0; k < a.runs.length; k++) assert.deepEqual(a.eventsOf(a.runs[k]), b.eventsOf(b.runs[k]));
  assert.deepEqual(summarizeRuns(a), summarizeRuns(b));
}

test('deferred batches folded in slices give the model that folding on arrival gives', () => {
  // A thread run with failures, a crash, recycled workers and CPU samples, then an event-loop run (slices), then a
  // large synthetic run; messages as a host sends them (busy runs as packed column batches, the rest as events).
  const thread = poolRun({ runId: 'a', backend: 'thread', workers: 3, n: 400, taskUs: 900, seed: 3, cpuSamples: true, mainWait: true, crashAt: 77, recycleAfter: 90, fail: (k) => (k % 41 === 0 ? 'ValueError' : undefined) });
  const loop = poolRun({ runId: 'b', backend: 'event-loop', workers: 4, n: 300, taskUs: 400, seed: 4, t0: 10 });
  const big = [...syntheticTrace({ n: 30_000, workers: 5, batch: 7000, runId: 'c' })];
  const messages = [
    ...eventMessages(thread.slice(0, 500)), ...eventMessages(thread.slice(500)),
    ...eventMessages(loop),
    ...big.flatMap((b) => eventMessages(b)),
  ];
  assert.ok(messages.some((m) => m.type === 'columns') && messages.some((m) => m.type === 'events'));

  const direct = new TraceModel({ dedupeBySeq: true });
  feed(direct, messages, false);
  assert.equal(direct.pending, false);

  const deferred = new TraceModel({ dedupeBySeq: true });
  feed(deferred, messages, true);
  assert.equal(deferred.pending, true);
  assert.equal(deferred.events, direct.events, 'every event counted on arrival');
  // Extent and the eager events (run-start, run-end) are known before the fold.
  assert.deepEqual(deferred.runs.map((r) => [r.firstT, r.lastT, r.end?.t]), direct.runs.map((r) => [r.firstT, r.lastT, r.end?.t]));
  // A replay of what was received is dropped, as on arrival.
  feed(deferred, messages.slice(0, 3), true);
  assert.equal(deferred.events, direct.events);

  // The sketch: each lane's busy time equals the sum of its tasks' run times.
  for (const run of deferred.runs) {
    assert.ok(run.sketch, run.runId);
    const directRun = direct.runById(run.runId);
    assert.ok(directRun);
    for (const li of directRun.lanes) {
      const lane = direct.lanes[li];
      if (lane.slices.length) continue; // event loop: tasks in flight overlap; the sketch counts each
      let sum = 0;
      for (let k = 0; k < lane.tasks.length; k++) {
        const i = lane.tasks.items[k];
        if (direct.tasks.status[i] >= 2) sum += direct.tasks.end[i] - direct.tasks.start[i];
      }
      const got = run.sketch.lanes.get(lane.workerId)?.busyIn(-1e12, 1e12) ?? 0;
      assert.ok(Math.abs(got - sum) < 1e-6 * Math.max(1, sum), `${run.runId} worker ${lane.workerId}: ${got} vs ${sum}`);
    }
  }

  let slices = 0;
  while (!deferred.foldPending(0.5)) slices++;
  assert.ok(slices > 0, 'folded in more than one slice');
  assert.equal(deferred.pending, false);
  assert.ok(deferred.runs.every((r) => r.sketch === undefined), 'sketches dropped after the fold');
  runsAlike(deferred, direct);
});

test('events arriving while rows wait are folded after them (task and lane events), eager ones at once', () => {
  const events = poolRun({ runId: 'x', backend: 'process', workers: 2, n: 200, taskUs: 500, seed: 9, crashAt: 50, cpuSamples: true });
  const messages = eventMessages(events.slice(0, 450));
  const rest = events.slice(450);
  const direct = new TraceModel({ dedupeBySeq: true });
  feed(direct, messages, false);
  direct.add(rest);
  const deferred = new TraceModel({ dedupeBySeq: true });
  feed(deferred, messages, true);
  deferred.add(rest);
  assert.ok(deferred.runs[0].end, 'run-end applied on arrival');
  assert.equal(deferred.pending, true);
  deferred.foldPending();
  runsAlike(deferred, direct);
});
