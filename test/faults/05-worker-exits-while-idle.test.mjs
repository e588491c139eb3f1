// Scenario 5: a worker dies while it has nothing to do (a timer in user code
// exits it after its task finished; or it is killed from outside). No task
// fails for it, and the next tasks run on a replacement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, assertUsable, waitFor } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  test(`${backend}: a worker that exits while idle is replaced; no task fails`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const t = ctx.submit('exitLater', [50]);
      await ctx.settleAll();
      assert.equal(t.value, 'scheduled');
      const exit = await waitFor(() => ctx.ofType('worker-exit').find((e) => e.code === 7), 15_000);
      assert.ok(exit, 'the idle worker exit is traced');
      assert.equal(exit.reason, 'crash');
      await assertUsable(ctx.pool, { n: 8 });
      await ctx.settleAll();
      assert.ok(ctx.tracked.every((x) => x.status === 'fulfilled'));
    });
  });
}

test('process: an idle worker killed from outside (SIGKILL) is replaced; no task fails', async () => {
  await withPool('process', 'tasks.mjs', {}, async (ctx) => {
    await assertUsable(ctx.pool);
    // Trace events arrive batched, after the task's promise settles: wait for the worker-start.
    const started = await waitFor(() => ctx.ofType('worker-start')[0], 15_000);
    assert.ok(started, 'the worker-start is traced');
    const pid = started.pid;
    process.kill(pid, 'SIGKILL');
    const exit = await waitFor(() => ctx.ofType('worker-exit').find((e) => e.signal === 'SIGKILL'), 15_000);
    assert.ok(exit, 'the kill is traced as a worker-exit');
    await assertUsable(ctx.pool, { n: 8 });
  });
});
