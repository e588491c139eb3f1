// Scenario 13: a task spins forever without yielding; the per-task timeout
// really stops it (the thread is terminated / the process group killed) and
// the task rejects with TaskTimeout. The other worker's work completes and
// the pool keeps working. (Not on `serial`: a synchronous loop in the caller
// cannot be interrupted from the caller.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, rejection, assertUsable, isAlive, waitFor, workerOfTask } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  test(`${backend}: an infinite loop with timeout → TaskTimeout, the work is stopped, the pool recovers`, async () => {
    await withPool(backend, 'tasks.mjs', { pipeline: 1 }, async (ctx) => {
      const loop = ctx.submit('spinForever', [], { timeout: 500 });
      const other = ctx.submit('echo', ['unaffected']);
      await ctx.settleAll(60_000);
      const err = rejection(loop);
      assert.equal(err.name, 'TaskTimeout');
      assert.equal(loop.handle.state, 'failed');
      if (backend !== 'event-loop') assert.equal(other.value, 'unaffected');
      // The spinning worker was really stopped: it exited, and (process) its PID is gone.
      const workerId = workerOfTask(ctx, loop.handle.taskId);
      const exit = await waitFor(() => ctx.ofType('worker-exit').find((e) => e.workerId === workerId), 10_000);
      assert.ok(exit, `its worker (${workerId}) exited`);
      if (backend === 'process') {
        const pid = ctx.ofType('worker-start').find((w) => w.workerId === workerId).pid;
        assert.equal(isAlive(pid), false, `worker ${pid} still runs`);
      }
      await assertUsable(ctx.pool);
    });
  });
}

// Found by this lab (fixed in the engine): the event-loop worker used to queue
// a task's "started" notice until the thread was free, so a task holding the
// thread — the very CPU-bound task the event-loop view exists to show — had no
// task-start while it ran.
test('event-loop: a task that holds the thread reports task-start while it runs', async () => {
  await withPool('event-loop', 'tasks.mjs', {}, async (ctx) => {
    const t = ctx.submit('spin', [3000]);
    const seen = await waitFor(() => ctx.ofType('task-start').some((e) => e.taskId === t.handle.taskId), 2500);
    assert.ok(seen, 'no task-start while the task ran');
    await ctx.settleAll();
  });
});
