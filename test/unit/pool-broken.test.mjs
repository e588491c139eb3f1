// A task module that throws at import: worker starts fail again and again. After 3 in a row the
// pool is broken — queued tasks reject with PoolBroken (cause: the import error) — instead of looping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { THROWS_AT_IMPORT, assertNothingLeft, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['serial', 'event-loop', 'thread', 'process']) {
  test(`${backend}: module throws at import → PoolBroken with the import error as cause; later submits rejected`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2, module: THROWS_AT_IMPORT });
    const tasks = Array.from({ length: 4 }, () => pool.submit('never', []).promise);
    for (const p of tasks) {
      const err = await rejection(p);
      assert.equal(err.name, 'PoolBroken');
      assert.equal(err.cause.message, 'fixture: module failed to load');
      assert.equal(err.cause.name, 'Error');
    }
    const later = await rejection(pool.submit('never', []).promise);
    assert.equal(later.name, 'PoolBroken');
    await pool.close();

    // Bounded: a handful of attempts, not a loop.
    const starts = ofType(events, 'worker-start').length;
    assert.ok(starts <= 4, `${starts} worker starts`);
    const end = events[events.length - 1];
    assert.equal(end.type, 'run-end');
    assert.equal(end.error.name, 'PoolBroken');
    assert.equal(end.stats.ok, 0);
    await assertNothingLeft(events);
  });
}
