// Scenario 10: a task returns something that cannot cross back (a function, a
// symbol inside an object). That task fails with SerializationError; the
// worker and the pool keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection, assertUsable } from './harness.mjs';

// serial clones arguments and results too (one value model), so it fails the same way.
for (const backend of [...ISOLATED_BACKENDS, 'serial']) {
  test(`${backend}: unserializable results → SerializationError for that task only`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const fn = ctx.submit('returnFunction');
      const sym = ctx.submit('returnSymbol');
      const fine = ctx.submit('echo', ['fine']);
      await ctx.settleAll();
      assert.equal(rejection(fn).name, 'SerializationError');
      assert.equal(rejection(sym).name, 'SerializationError');
      assert.equal(fine.value, 'fine');
      await assertUsable(ctx.pool);
      assert.deepEqual(ctx.ofType('worker-exit').filter((e) => e.reason === 'crash'), [], 'no worker died for it');
    });
  });
}
