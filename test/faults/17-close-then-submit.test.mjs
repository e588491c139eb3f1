// Scenario 17: close() drains what was submitted, then refuses new work with
// a clear PoolClosed error thrown by submit() itself; after terminate() too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool, within } from './harness.mjs';

for (const backend of ALL_BACKENDS) {
  test(`${backend}: close() drains, then submit() throws PoolClosed`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const pending = Array.from({ length: 4 }, (_, i) => ctx.submit('sleep', [100 + i]));
      const closing = ctx.pool.close();
      assert.throws(() => ctx.pool.submit('echo', [1]), { name: 'PoolClosed', message: /closed|not running/i });
      await within(closing, 30_000, 'close()');
      await ctx.settleAll();
      assert.deepEqual(pending.map((t) => t.value), [100, 101, 102, 103]);
      assert.throws(() => ctx.pool.submit('echo', [1]), { name: 'PoolClosed' });
      assert.equal(ctx.events.filter((e) => e.type === 'run-end').length, 1);
      await within(ctx.pool.close(), 5_000, 'a second close()');
    });
  });

  test(`${backend}: terminate() then submit() throws PoolClosed`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      await within(ctx.pool.terminate(), 30_000, 'terminate()');
      assert.throws(() => ctx.pool.submit('echo', [1]), { name: 'PoolClosed' });
    });
  });
}
