// timeout really stops the work: an infinite loop is ended (thread terminated, process group
// killed), the task rejects with TaskTimeout and the worker is replaced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alive, assertNothingLeft, eventually, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['thread', 'process', 'event-loop']) {
  test(`${backend}: submit('forever', [], { timeout: 300 }) → TaskTimeout, worker replaced, pool goes on`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2 });
    await pool.submit('square', [1]).promise; // workers are up: the timeout measures the task alone
    const started = performance.now();
    const err = await rejection(pool.submit('forever', [], { timeout: 300 }).promise);
    const waited = performance.now() - started;
    assert.equal(err.name, 'TaskTimeout');
    assert.equal(err.data.timeoutMs, 300);
    assert.ok(waited >= 290, `rejected after ${waited} ms`);
    assert.equal(await pool.submit('square', [6]).promise, 36);

    const exit = await eventually(events, (e) => e.type === 'worker-exit' && e.reason === 'timeout');
    assert.equal(exit.workerId, err.data.workerId);
    if (backend === 'process') {
      for (let i = 0; i < 50 && alive(err.data.pid); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(alive(err.data.pid), false, 'the looping process is gone');
    }
    await pool.close();
    const workers = backend === 'event-loop' ? 1 : 2;
    assert.equal(ofType(events, 'worker-start').length, workers + 1, 'a replacement worker started');
    await assertNothingLeft(events);
  });
}

test('thread: the pool-wide timeout option applies to every task; quick tasks are unaffected', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1, timeout: 2000 });
  assert.deepEqual(await Promise.all([1, 2, 3].map((x) => pool.submit('square', [x]).promise)), [1, 4, 9]);
  assert.equal((await rejection(pool.submit('forever', [], { timeout: 200 }).promise)).name, 'TaskTimeout');
  await pool.close();
  await assertNothingLeft(events);
});
