// Scenario 9: an argument that cannot cross to a worker (a function, a symbol,
// one nested in an object). That task fails with SerializationError — the
// pool keeps working. On `serial` nothing crosses a boundary: the argument
// arrives as is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection, assertUsable } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
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

test('serial: arguments are passed by reference, nothing to serialize', async () => {
  await withPool('serial', 'tasks.mjs', {}, async (ctx) => {
    const f = () => 1;
    const t = ctx.submit('echo', [f]);
    await ctx.settleAll();
    assert.equal(t.value, f);
  });
});
