// Tasks travel by export name: a missing export is NotExported (saying why), a non-function NotAFunction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['serial', 'thread', 'process']) {
  test(`${backend}: submit('hidden') → NotExported; submit('notAFunction') → NotAFunction`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    const missing = await rejection(pool.submit('hidden', []).promise);
    assert.equal(missing.name, 'NotExported');
    assert.match(missing.message, /Only top-level exported functions can be sent to workers/);
    assert.match(missing.message, /like pickle/);
    const notFn = await rejection(pool.submit('notAFunction', []).promise);
    assert.equal(notFn.name, 'NotAFunction');
    assert.match(notFn.message, /number/);
    // Neither is a crash: the same worker goes on.
    assert.equal(await pool.submit('square', [3]).promise, 9);
    await pool.close();
    assert.equal(events.filter((e) => e.type === 'worker-start').length, 1);
    await assertNothingLeft(events);
  });
}
