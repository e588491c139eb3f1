// Scenario 6: a task schedules process.exit for later and returns; the exit
// lands while the *next* task runs on that worker. The first task stays
// resolved; the second fails with WorkerCrashed (it was running when its
// worker died) — never hangs — and the pool recovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection, assertUsable } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  test(`${backend}: an exit scheduled by one task fails the next task with WorkerCrashed, not a hang`, async () => {
    // One worker, so that the next task surely runs where the exit lands.
    await withPool(backend, 'tasks.mjs', { workers: 1 }, async (ctx) => {
      const first = ctx.submit('exitLater', [300]);
      const next = ctx.submit('sleep', [5000]);
      await ctx.settleAll();
      assert.equal(first.value, 'scheduled');
      assert.equal(first.handle.state, 'done');
      const err = rejection(next);
      assert.equal(err.name, 'WorkerCrashed');
      assert.equal(err.data?.exitCode, 7);
      await assertUsable(ctx.pool);
    });
  });
}
