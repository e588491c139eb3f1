// Scenario 8: every worker start fails (the module exits the worker while it
// is imported). The pool must not respawn forever: it reports PoolBroken to
// every task, queued or later submitted, within bounded time. (Not on
// `serial`: the module would exit the caller.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  test(`${backend}: start-up failure every time → PoolBroken, not a loop`, async () => {
    await withPool(backend, 'import-exits.mjs', {}, async (ctx) => {
      const tasks = Array.from({ length: 6 }, (_, i) => ctx.submit('echo', [i]));
      await ctx.settleAll(60_000);
      for (const t of tasks) assert.equal(rejection(t).name, 'PoolBroken');
      // A broken pool answers new work at once with the same error.
      const late = ctx.submit('echo', [99]);
      await ctx.settleAll(10_000);
      assert.equal(rejection(late).name, 'PoolBroken');
      // Bounded retries, not a loop: the error says how many starts failed in a row.
      const failedStarts = rejection(tasks[0]).data?.failedStarts;
      assert.ok(Number.isInteger(failedStarts) && failedStarts >= 1 && failedStarts <= 10, `failedStarts = ${failedStarts}`);
      assert.ok(ctx.ofType('worker-exit').length <= 50, 'a crash loop');
      const end = ctx.events.find((e) => e.type === 'run-end');
      if (end) assert.equal(end.error?.name, 'PoolBroken');
    });
  });
}
