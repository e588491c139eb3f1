// Scenario 9: an argument that cannot cross to a worker (a function, a symbol,
// one nested in an object). That task fails with SerializationError — the
// pool keeps working — on `serial` too, which structured-clones arguments
// like every other backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection, assertUsable } from './harness.mjs';

// serial clones arguments and results too (one value model), so it fails the same way.
for (const backend of [...ISOLATED_BACKENDS, 'serial']) {
  test(`${backend}: unserializable arguments → SerializationError for that task only`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const fn = ctx.submit('echo', [() => 1]);
      const sym = ctx.submit('echo', [Symbol('s')]);
      const nested = ctx.submit('echo', [{ deep: { f() { return 1; } } }]);
      const fine = ctx.submit('echo', [{ ok: [1, 2, 3] }]);
      await ctx.settleAll();
      for (const t of [fn, sym, nested]) assert.equal(rejection(t).name, 'SerializationError', `task ${t.handle.taskId}`);
      assert.deepEqual(fine.value, { ok: [1, 2, 3] });
      await assertUsable(ctx.pool);
    });
  });
}
