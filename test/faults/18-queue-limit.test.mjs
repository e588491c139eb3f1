// Scenario 18: with maxQueue, submissions beyond the limit reject with
// QueueFull (a named error the caller can back off on); accepted tasks all
// complete, and once the queue drains the pool accepts work again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool, rejection, assertUsable } from './harness.mjs';

for (const backend of ALL_BACKENDS) {
  test(`${backend}: maxQueue 4 → the 5th waiting task rejects QueueFull; the pool recovers`, async () => {
    await withPool(backend, 'tasks.mjs', { maxQueue: 4, pipeline: 1 }, async (ctx) => {
      // Submitted synchronously: none has left the queue yet, so exactly 4 fit.
      const tasks = Array.from({ length: 10 }, (_, i) => ctx.submit('sleep', [50 + i]));
      await ctx.settleAll();
      const accepted = tasks.slice(0, 4);
      const refused = tasks.slice(4);
      assert.deepEqual(accepted.map((t) => t.value), [50, 51, 52, 53]);
      for (const t of refused) {
        const err = rejection(t);
        assert.equal(err.name, 'QueueFull');
        assert.equal(err.data?.maxQueue, 4);
      }
      await assertUsable(ctx.pool, { n: 4 });
    });
  });
}
