// An argument or result that cannot be structured-cloned fails that one task with
// SerializationError; the pool keeps working.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['thread', 'process', 'event-loop']) {
  test(`${backend}: unclonable argument (top-level and nested) → SerializationError; neighbours unaffected`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2 });
    const top = pool.submit('identity', [() => 1]);
    const nested = pool.submit('identity', [{ deep: [1, { fn: () => 2 }] }]);
    const fine = Array.from({ length: 10 }, (_, i) => pool.submit('square', [i]).promise);
    const topErr = await rejection(top.promise);
    assert.equal(topErr.name, 'SerializationError');
    assert.equal(topErr.data.what, 'argument');
    const nestedErr = await rejection(nested.promise);
    assert.equal(nestedErr.name, 'SerializationError');
    assert.equal(nestedErr.data.what, 'argument');
    assert.deepEqual(await Promise.all(fine), Array.from({ length: 10 }, (_, i) => i * i));
    await pool.close();
    await assertNothingLeft(events);
  });

  test(`${backend}: unclonable result → SerializationError; the pool keeps working`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    const neighbours = [pool.submit('square', [2]).promise, pool.submit('square', [3]).promise];
    const err = await rejection(pool.submit('unclonableResult', []).promise);
    assert.equal(err.name, 'SerializationError');
    assert.equal(err.data.what, 'result');
    assert.deepEqual(await Promise.all(neighbours), [4, 9]);
    assert.equal(await pool.submit('square', [5]).promise, 25);
    await pool.close();
    assert.equal(events.filter((e) => e.type === 'worker-exit' && e.reason === 'crash').length, 0, 'no worker died over it');
    await assertNothingLeft(events);
  });
}
