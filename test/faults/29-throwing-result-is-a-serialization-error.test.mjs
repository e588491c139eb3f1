// Scenario 29: a task returns a value that throws when it is read — a getter
// that throws, a Proxy whose traps throw (also on `.then`, which the engine
// reads to see whether the result is a promise). Previewing or copying it
// must fail that one task with SerializationError on every backend: not crash
// the worker (WorkerCrashed for the wrong reason) and not end the run (serial
// runs in the caller's own thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool, rejection, assertUsable } from './harness.mjs';

for (const backend of ALL_BACKENDS) {
  test(`${backend}: a result with a throwing getter or Proxy traps → SerializationError for that task only`, async () => {
    await withPool(backend, 'tasks.mjs', { workers: 1 }, async (ctx) => {
      const before = ctx.submit('echo', ['before']);
      const getter = ctx.submit('throwingGetter');
      const proxy = ctx.submit('throwingProxy');
      const proxyAsync = ctx.submit('throwingProxyAsync');
      const after = ctx.submit('echo', ['after']);
      await ctx.settleAll(60_000);
      for (const t of [getter, proxy]) assert.equal(rejection(t).name, 'SerializationError', `task ${t.handle.taskId}: ${t.error?.message}`);
      // An async function that returns the Proxy rejects by itself: resolving its promise reads \`.then\`, which
      // throws. That is the task's own error, reported as such (the same on every backend), not a crash.
      assert.equal(rejection(proxyAsync).message, 'trap threw');
      assert.equal(before.value, 'before');
      assert.equal(after.value, 'after');
      assert.deepEqual(ctx.ofType('worker-exit').filter((e) => e.reason === 'crash'), [], 'no worker crashed');
      await assertUsable(ctx.pool);
    });
  });
}
