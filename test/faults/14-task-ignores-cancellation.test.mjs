// Scenario 14: a running task that never checks for cancellation (a long
// synchronous loop). cancel() / an AbortSignal still settles it at once with
// CancelledError, and the work is really stopped: its worker is recycled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection, assertUsable, waitFor, within, workerOfTask, waitUntilRunning } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  for (const how of ['cancel()', 'AbortSignal']) {
    test(`${backend}: ${how} on a task spinning for 60 s → CancelledError, its worker stopped`, async () => {
      await withPool(backend, 'tasks.mjs', { pipeline: 1 }, async (ctx) => {
        const controller = new AbortController();
        const spinner = ctx.submit('spin', [60_000], how === 'AbortSignal' ? { signal: controller.signal } : undefined);
        assert.ok(await waitUntilRunning(ctx, spinner), 'the spinner started');
        if (how === 'cancel()') assert.equal(spinner.handle.cancel(), true);
        else controller.abort();
        await within(spinner.done, 10_000, 'the cancelled task');
        assert.equal(rejection(spinner).name, 'CancelledError');
        assert.equal(spinner.handle.state, 'cancelled');
        assert.equal(spinner.handle.cancel(), false, 'a settled task cannot be cancelled again');
        const workerId = workerOfTask(ctx, spinner.handle.taskId);
        const exit = await waitFor(() => ctx.ofType('worker-exit').find((e) => e.workerId === workerId), 15_000);
        assert.ok(exit, 'the spinning worker was stopped, not left burning CPU');
        await assertUsable(ctx.pool);
        await ctx.settleAll();
      });
    });
  }
}
