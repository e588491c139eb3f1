// Scenario 3: a task calls process.exit(n). Only that task fails, with
// WorkerCrashed carrying the exit code; the worker is replaced and the other
// tasks complete. (Not on `serial`: it would exit the caller itself.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection, assertUsable, initialWorkers, waitFor } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  test(`${backend}: process.exit(3) in a task → that task rejects WorkerCrashed (exitCode 3), the others complete`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const before = Array.from({ length: 6 }, (_, i) => ctx.submit('echo', [i]));
      const crash = ctx.submit('exitWith', [3]);
      const after = Array.from({ length: 6 }, (_, i) => ctx.submit('echo', [100 + i]));
      await ctx.settleAll();

      const err = rejection(crash);
      assert.equal(err.name, 'WorkerCrashed');
      assert.equal(err.data?.exitCode, 3);
      assert.equal(crash.handle.state, 'failed');
      const others = [...before, ...after];
      if (backend === 'event-loop') {
        // One thread runs every in-flight task: tasks in flight with the crashing one may share its fate, but only as WorkerCrashed.
        for (const t of others) if (t.status === 'rejected') assert.equal(t.error.name, 'WorkerCrashed');
      } else {
        for (const t of others) assert.equal(t.status, 'fulfilled', `task ${t.handle.taskId}: ${t.error?.name} ${t.error?.message}`);
        assert.deepEqual(others.map((t) => t.value), [0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104, 105]);
      }
      // Trace events arrive batched, possibly after the promises settled: wait for them.
      const crashExit = await waitFor(() => ctx.ofType('worker-exit').find((e) => e.reason === 'crash'), 15_000);
      assert.ok(crashExit, 'a worker-exit with reason crash');
      assert.equal(crashExit.code, 3);
      await assertUsable(ctx.pool);
      assert.ok(await waitFor(() => ctx.ofType('worker-start').length > initialWorkers(ctx.pool), 15_000), 'the crashed worker was replaced');
    });
  });
}
