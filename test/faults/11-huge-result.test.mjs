// Scenario 11: a 100 MB result. It arrives intact (length checked) in bounded
// time, its trace preview stays short, and the pool keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool, assertUsable } from './harness.mjs';

const MB = 100;

for (const backend of ALL_BACKENDS) {
  test(`${backend}: a ${MB} MB result arrives whole; the preview is bounded`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const big = ctx.submit('hugeResult', [MB]);
      const small = ctx.submit('echo', ['small']);
      await ctx.settleAll(120_000);
      assert.equal(big.status, 'fulfilled', `${big.error?.name}: ${big.error?.message}`);
      assert.equal(big.value.length, MB * 1024 * 1024);
      assert.equal(big.value[0], 'x');
      assert.equal(big.value.at(-1), 'x');
      assert.equal(small.value, 'small');
      const end = ctx.ofType('task-end').find((e) => e.taskId === big.handle.taskId);
      assert.ok(end.resultPreview.length <= 1000, `preview of ${end.resultPreview.length} chars`);
      big.value = undefined; // let the 100 MB go before the next backend
      await assertUsable(ctx.pool);
    });
  });
}
