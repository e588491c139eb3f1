// Scenario 16: terminate() while tasks run and wait. Every task rejects with
// PoolTerminated at once, workers are killed, nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool, rejection, waitFor, within } from './harness.mjs';

for (const backend of ALL_BACKENDS) {
  test(`${backend}: terminate() with running and queued tasks → all PoolTerminated, no leftovers`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      // serial runs in this thread: its timer outlives terminate(), so keep it short enough not to hold the test process.
      const sleepers = Array.from({ length: 4 }, () => ctx.submit('sleep', [backend === 'serial' ? 2000 : 30_000]));
      // Busy CPU loops too (not on serial, where a loop would block this very thread).
      const spinners = backend === 'serial' ? [] : Array.from({ length: 2 }, () => ctx.submit('spin', [30_000]));
      const queued = Array.from({ length: 20 }, (_, i) => ctx.submit('echo', [i]));
      await waitFor(() => ctx.ofType('task-start').length > 0, 20_000);
      await within(ctx.pool.terminate(), 20_000, 'terminate()');
      await ctx.settleAll(10_000);
      for (const t of [...sleepers, ...spinners]) assert.equal(rejection(t).name, 'PoolTerminated');
      for (const t of queued) {
        // Queued echo tasks may have finished before terminate(); the rest are terminated.
        if (t.status === 'rejected') assert.equal(t.error.name, 'PoolTerminated');
      }
      assert.throws(() => ctx.pool.submit('echo', [1]), { name: 'PoolClosed' });
      const end = ctx.events.find((e) => e.type === 'run-end');
      assert.ok(end, 'run-end emitted');
      assert.equal(end.error?.name, 'PoolTerminated');
    });
  });
}
