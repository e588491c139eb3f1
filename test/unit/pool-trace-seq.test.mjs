// Every event carries runId and a contiguous seq; run-start comes first, run-end last; events
// arrive in batches, not one callback each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engine, TASKS, assertNothingLeft, ofType } from '../fixtures/pool/harness.mjs';

for (const backend of ['serial', 'event-loop', 'thread', 'process']) {
  test(`${backend}: seq 0…n−1 without gaps, one runId, run-start first, run-end last, batched delivery`, async () => {
    const pool = engine.createPool({ backend, workers: 2, module: TASKS, runId: `run-${backend}`, runInfo: { fn: 'square', inputsCount: 200, label: 'seq test' } });
    const batches = [];
    pool.onTrace((batch) => batches.push(batch));
    await Promise.all(Array.from({ length: 200 }, (_, i) => pool.submit('square', [i]).promise));
    await pool.close();

    const events = batches.flat();
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i));
    assert.ok(events.every((e) => e.runId === `run-${backend}`));
    const first = events[0];
    assert.equal(first.type, 'run-start');
    assert.equal(first.backend, backend);
    assert.equal(first.workers, backend === 'serial' ? 1 : 2, 'serial is one worker whatever the pool size');
    assert.equal(first.pid, process.pid);
    assert.equal(first.fn, 'square');
    assert.equal(first.inputsCount, 200);
    assert.equal(first.label, 'seq test');
    assert.equal(first.originUs, pool.originUs);
    assert.equal(first.node, process.version);
    assert.equal(events[events.length - 1].type, 'run-end');
    assert.ok(batches.length < events.length / 4, `${events.length} events came in ${batches.length} batches`);

    // Each task: queued → start → end, in that order and in time.
    const queued = ofType(events, 'task-queued');
    assert.equal(queued.length, 200);
    assert.equal(queued[7].inputPreview, '7');
    const at = (type) => new Map(ofType(events, type).map((e) => [e.taskId, e]));
    const starts = at('task-start');
    const ends = at('task-end');
    for (const q of queued) {
      const s = starts.get(q.taskId);
      const e = ends.get(q.taskId);
      assert.ok(s.seq > q.seq && e.seq > s.seq);
      assert.ok(s.t >= q.t - 1 && e.t >= s.t, `task ${q.taskId}: queued ${q.t} start ${s.t} end ${e.t}`);
      assert.equal(e.ok, true);
      assert.equal(e.resultPreview, String(Number(q.inputPreview) ** 2));
    }
    await assertNothingLeft(events);
  });
}

test('trace: false → only run-start and run-end', async () => {
  const pool = engine.createPool({ backend: 'thread', workers: 1, module: TASKS, trace: false });
  const events = [];
  pool.onTrace((b) => events.push(...b));
  assert.equal(await pool.submit('square', [4]).promise, 16);
  await pool.close();
  assert.deepEqual(events.map((e) => e.type), ['run-start', 'run-end']);
  assert.equal(events[1].stats.ok, 1);
});
