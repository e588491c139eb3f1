// Scenario 4: a worker is killed from outside (SIGKILL) or aborts natively
// (SIGABRT, the closest to a segfault Node offers) in the middle of a task.
// Only the task it was running fails, with WorkerCrashed and the signal.
// Process backend: a thread cannot be killed by a signal on its own (the
// signal would take the whole process); thread kills are covered by
// timeouts and cancellation (scenarios 13–15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPool, rejection, assertUsable, waitFor, coreDumpsOff, isAlive } from './harness.mjs';

/** PID of the worker that started task `taskId`, from the trace. */
function pidOfTask(ctx, taskId) {
  const start = ctx.ofType('task-start').find((e) => e.taskId === taskId);
  return start && ctx.ofType('worker-start').find((w) => w.workerId === start.workerId)?.pid;
}

test('process: SIGKILL on the worker mid-task → that task rejects WorkerCrashed (SIGKILL), the other completes', async () => {
  await withPool('process', 'tasks.mjs', { pipeline: 1 }, async (ctx) => {
    const victim = ctx.submit('sleep', [30_000]);
    const other = ctx.submit('sleep', [1500]);
    const pid = await waitFor(() => pidOfTask(ctx, victim.handle.taskId), 20_000);
    assert.ok(pid, 'the victim task started on a worker');
    assert.notEqual(pid, process.pid);
    process.kill(pid, 'SIGKILL');
    await ctx.settleAll();
    const err = rejection(victim);
    assert.equal(err.name, 'WorkerCrashed');
    assert.equal(err.data?.signal, 'SIGKILL');
    assert.equal(other.value, 1500);
    assert.equal(isAlive(pid), false);
    await assertUsable(ctx.pool);
  });
});

test('process: a native abort (SIGABRT) in a task → WorkerCrashed (SIGABRT); the pool keeps working', { skip: !coreDumpsOff && 'core dumps are on here: an abort would write a core file' }, async () => {
  await withPool('process', 'tasks.mjs', {}, async (ctx) => {
    const victim = ctx.submit('abort');
    const others = Array.from({ length: 4 }, (_, i) => ctx.submit('echo', [i]));
    await ctx.settleAll();
    const err = rejection(victim);
    assert.equal(err.name, 'WorkerCrashed');
    assert.equal(err.data?.signal, 'SIGABRT');
    assert.deepEqual(others.map((t) => t.value), [0, 1, 2, 3]);
    await assertUsable(ctx.pool);
  });
});
