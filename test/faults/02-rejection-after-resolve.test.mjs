// Scenario 2: a task resolves, then a stray promise it left behind rejects (or
// a timer throws) with nobody listening. The task's result stands, it is not
// settled twice, and the pool keeps serving tasks. (Not on `serial`: there the
// task runs in the caller's own thread, where an unhandled rejection is the
// caller's to handle — the runner does that for user scripts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, assertUsable, waitFor } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  for (const fn of ['rejectAfterResolve', 'throwAfterResolve']) {
    test(`${backend}: ${fn} — the task stays resolved, the pool stays usable`, async () => {
      await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
        const t = ctx.submit(fn, [50]);
        await ctx.settleAll();
        assert.equal(t.status, 'fulfilled');
        assert.equal(t.value, 'resolved');
        // The late failure happens (the worker says so on its lane); the worker it takes down (an uncaught
        // error outside any task ends it) is gone and replaced before more work goes out.
        const late = await waitFor(() => ctx.ofType('log').find((e) => /late (rejection|throw) after the task resolved/.test(e.text)), 10_000);
        assert.ok(late, 'the late failure was reported on the worker\'s lane');
        await waitFor(() => ctx.ofType('worker-exit').some((e) => e.workerId === late.workerId)
          && ctx.ofType('worker-start').length > ctx.ofType('worker-exit').length, 10_000);
        await assertUsable(ctx.pool, { n: 6 });
        await ctx.settleAll();
        assert.equal(t.handle.state, 'done', 'the late failure must not change the finished task');
        const ends = ctx.ofType('task-end').filter((e) => e.taskId === t.handle.taskId);
        assert.equal(ends.length, 1);
        assert.equal(ends[0].ok, true);
      });
    });
  }
}
