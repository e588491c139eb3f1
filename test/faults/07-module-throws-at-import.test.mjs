// Scenario 7: the task module throws while a worker imports it. Every task
// rejects with a named error that carries the module's message (or the pool
// reports PoolBroken after repeated failed starts); nothing hangs, nothing leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool, rejection } from './harness.mjs';

for (const backend of ALL_BACKENDS) {
  test(`${backend}: a module that throws at import → every task rejects with a named error mentioning it`, async () => {
    await withPool(backend, 'import-throws.mjs', {}, async (ctx) => {
      const tasks = Array.from({ length: 5 }, (_, i) => ctx.submit('echo', [i]));
      await ctx.settleAll(60_000);
      for (const t of tasks) {
        const err = rejection(t);
        assert.ok(['Error', 'PoolBroken'].includes(err.name), `unexpected ${err.name}: ${err.message}`);
        assert.match(`${err.message} ${err.cause?.message ?? ''}`, /boom at import/);
      }
      // Bounded retries, not a crash loop.
      assert.ok(ctx.ofType('worker-exit').length <= 50, `${ctx.ofType('worker-exit').length} worker exits`);
    });
  });
}
