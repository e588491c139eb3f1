// event-loop backend: one thread, N tasks in flight. CPU-bound tasks take turns (their
// on-thread slices never overlap); timer-bound tasks wait together (their spans overlap).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

function spans(events) {
  const start = new Map(ofType(events, 'task-start').map((e) => [e.taskId, e.t]));
  return ofType(events, 'task-end').map((e) => ({ taskId: e.taskId, start: start.get(e.taskId), end: e.t }));
}

test("event-loop, 4 CPU-bound tasks (spinning in steps, awaiting between): task-slices never overlap", async () => {
  const { pool, events } = tracedPool({ backend: 'event-loop', workers: 4 });
  await Promise.all(Array.from({ length: 4 }, () => pool.submit('spinSteps', [40, 4]).promise));
  await pool.close();

  const starts = ofType(events, 'worker-start');
  assert.equal(starts.length, 1, 'one worker thread');
  const slices = ofType(events, 'task-slice').sort((a, b) => a.start - b.start);
  assert.ok(new Set(slices.map((s) => s.taskId)).size === 4, 'every task has slices');
  for (const s of slices) assert.ok(s.end >= s.start);
  for (let i = 1; i < slices.length; i++) {
    assert.ok(slices[i].start >= slices[i - 1].end,
      `slice of task ${slices[i].taskId} starts at ${slices[i].start} before task ${slices[i - 1].taskId}'s ends at ${slices[i - 1].end}`);
  }
  // They interleave (all four were in flight at once) rather than running back to back.
  const firstEnd = Math.min(...spans(events).map((s) => s.end));
  const startedBeforeFirstEnd = spans(events).filter((s) => s.start < firstEnd).length;
  assert.equal(startedBeforeFirstEnd, 4);
  // The slices account for the CPU time: ≥ 4 × 40 ms of on-thread time in total.
  const onThread = slices.reduce((sum, s) => sum + (s.end - s.start), 0);
  assert.ok(onThread >= 4 * 40_000 * 0.95, `on-thread time ${onThread} µs`);
  await assertNothingLeft(events);
});

test('event-loop, 4 timer-bound tasks: their start→end spans overlap', async () => {
  const { pool, events } = tracedPool({ backend: 'event-loop', workers: 4 });
  await Promise.all(Array.from({ length: 4 }, () => pool.submit('sleep', [150]).promise));
  await pool.close();

  const all = spans(events);
  assert.equal(all.length, 4);
  const latestStart = Math.max(...all.map((s) => s.start));
  const earliestEnd = Math.min(...all.map((s) => s.end));
  assert.ok(latestStart < earliestEnd, 'all four were waiting at the same time');
  await assertNothingLeft(events);
});
