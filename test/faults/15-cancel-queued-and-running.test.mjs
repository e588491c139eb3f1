// Scenario 15: cancel a queued task (it never starts) and a running one (it
// rejects now; its worker is recycled). Both settle once with CancelledError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, ISOLATED_BACKENDS, withPool, rejection, assertUsable, waitFor, within } from './harness.mjs';

for (const backend of ALL_BACKENDS) {
  test(`${backend}: cancel a queued task → CancelledError, it never starts`, async () => {
    await withPool(backend, 'tasks.mjs', { pipeline: 1 }, async (ctx) => {
      const busy = Array.from({ length: backend === 'serial' ? 1 : ctx.pool.size }, () => ctx.submit('sleep', [1000]));
      const queued = ctx.submit('echo', ['never']);
      assert.equal(queued.handle.state, 'queued');
      assert.equal(queued.handle.cancel(), true);
      await ctx.settleAll();
      assert.equal(rejection(queued).name, 'CancelledError');
      assert.equal(queued.handle.state, 'cancelled');
      assert.equal(ctx.ofType('task-start').some((e) => e.taskId === queued.handle.taskId), false, 'a cancelled queued task never starts');
      for (const b of busy) assert.equal(b.value, 1000);
      await assertUsable(ctx.pool);
    });
  });
}

for (const backend of ALL_BACKENDS) {
  test(`${backend}: cancel a running task → CancelledError now; the pool keeps working`, async () => {
    await withPool(backend, 'tasks.mjs', { pipeline: 1 }, async (ctx) => {
      // serial runs in this thread: its timer cannot be stopped, so keep it short enough not to hold the test process.
      const running = ctx.submit('sleep', [backend === 'serial' ? 2000 : 30_000]);
      await waitFor(() => ctx.ofType('task-start').some((e) => e.taskId === running.handle.taskId), 20_000);
      assert.equal(running.handle.cancel(), true);
      await within(running.done, 10_000, 'the cancelled task');
      assert.equal(rejection(running).name, 'CancelledError');
      assert.equal(running.handle.state, 'cancelled');
      if (ISOLATED_BACKENDS.includes(backend)) await assertUsable(ctx.pool);
      await ctx.settleAll();
    });
  });
}
