// A task that ends without ever reaching a worker (refused by a full queue, cancelled while queued) belongs to
// no worker: the model counts it but draws no lane for it — once it made a phantom lane "worker -1".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tracedPool, rejection } from '../fixtures/pool/harness.mjs';
import { TraceModel, summarizeRuns } from '../../dist/trace.mjs';
import { defined } from '../fixtures/trace-events.mjs';

test('tasks that never started: counted (failed, cancelled), on no lane, with no start', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1, maxQueue: 4 });
  const running = pool.submit('sleep', [100]);
  const others = [pool.submit('square', [1]), pool.submit('square', [2]), pool.submit('square', [3])];
  // One over the queue's limit (the worker is still starting: all four wait in the queue): refused at once.
  const refused = pool.submit('square', [5]);
  assert.equal((await rejection(refused.promise)).name, 'QueueFull');
  // The last one waits in the queue (a worker holds at most a couple ahead): cancelled there.
  const queued = others[2];
  assert.equal(queued.cancel(), true);
  assert.equal((await rejection(queued.promise)).name, 'CancelledError');
  await Promise.all([running.promise, ...others.slice(0, 2).map((h) => h.promise)]);
  await pool.close();
  const ends = events.filter((e) => e.type === 'task-end' && e.workerId === -1);
  assert.equal(ends.length, 2, 'the engine reports both on no worker (workerId -1)');

  const model = new TraceModel();
  model.add(events);
  assert.deepEqual(model.lanes.map((l) => l.workerId), [1], 'one lane: the worker that ran the first task');
  const [run] = model.runs;
  const records = [...model.taskIndicesOf(run)].map((i) => model.taskRecord(i));
  const byId = new Map(records.map((r) => [r.taskId, r]));
  for (const h of [queued, refused]) {
    const r = defined(byId.get(h.taskId), `task ${h.taskId}`);
    assert.equal(r.ok, false);
    assert.equal(r.workerId, undefined, 'no worker');
    assert.equal(r.startT, undefined, 'never started');
  }
  const [summary] = summarizeRuns(model);
  assert.equal(summary.tasks, 5);
  assert.equal(summary.ok, 3);
  assert.equal(summary.failed + summary.cancelled, 2);
  assert.equal(summary.cancelled, 1);
});
