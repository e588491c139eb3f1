// close() stops intake, lets every submitted task finish, then lets the workers exit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of /** @type {const} */ (['serial', 'event-loop', 'thread', 'process'])) {
  test(`${backend}: close() drains queued and running tasks, then workers exit (reason idle); submit after → PoolClosed`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2 });
    const tasks = Array.from({ length: 8 }, (_, i) => pool.submit('sleep', [20 + i]).promise);
    const closing = pool.close();
    assert.throws(() => pool.submit('square', [1]), { name: 'PoolClosed', message: /Pool not running/ });
    await closing;
    // Every task had finished by the time close() resolved.
    const settled = await Promise.allSettled(tasks);
    assert.deepEqual(settled.map((s) => s.status), Array(8).fill('fulfilled'));
    assert.deepEqual(settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason)), Array.from({ length: 8 }, (_, i) => 20 + i));

    assert.equal(ofType(events, 'task-end').length, 8);
    const exits = ofType(events, 'worker-exit');
    assert.ok(exits.length >= 1 && exits.every((e) => e.reason === 'idle'));
    const last = events[events.length - 1];
    assert.equal(last.type, 'run-end');
    assert.equal(last.stats.ok, 8);
    assert.equal(last.stats.tasks, 8);
    assert.equal(last.error, undefined);
    // close() is idempotent.
    await pool.close();
    assert.equal(ofType(events, 'run-end').length, 1);
    await assertNothingLeft(events);
  });
}

test('thread: close() on a pool with a failing task still drains the rest', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 2 });
  const bad = rejection(pool.submit('fail', ['x']).promise);
  const good = pool.submit('sleep', [30]).promise;
  await pool.close();
  assert.equal((await bad).name, 'TypeError');
  assert.equal(await good, 30);
  await assertNothingLeft(events);
});
