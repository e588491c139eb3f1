// Scenario 19: maxTasksPerWorker (Python's maxtasksperchild) under load: 200
// tasks submitted at once, every worker is retired after 5 tasks and replaced,
// no worker identity runs more than 5, and every task completes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, waitFor } from './harness.mjs';

const LIMIT = 5;
const TASKS = 200;

for (const backend of ISOLATED_BACKENDS) {
  test(`${backend}: maxTasksPerWorker ${LIMIT} with ${TASKS} tasks in flight → recycled workers, each ran ≤ ${LIMIT}`, async () => {
    await withPool(backend, 'tasks.mjs', { maxTasksPerWorker: LIMIT }, async (ctx) => {
      const tasks = Array.from({ length: TASKS }, () => ctx.submit('whereAmI'));
      await ctx.settleAll(120_000);
      for (const t of tasks) assert.equal(t.status, 'fulfilled', `${t.error?.name}: ${t.error?.message}`);
      const perWorker = new Map();
      for (const t of tasks) {
        const key = `${t.value.pid}/${t.value.threadId}`;
        perWorker.set(key, (perWorker.get(key) ?? 0) + 1);
      }
      assert.ok(perWorker.size >= TASKS / LIMIT, `${perWorker.size} distinct workers ran ${TASKS} tasks`);
      for (const [key, n] of perWorker) assert.ok(n <= LIMIT, `worker ${key} ran ${n} tasks`);
      // A recycled worker exits after its last result arrived: wait (bounded) for the exits, not just the results.
      const recycledExits = () => ctx.ofType('worker-exit').filter((e) => e.reason === 'recycled').length;
      await waitFor(() => recycledExits() >= TASKS / LIMIT - ctx.pool.size, 15_000);
      const recycled = recycledExits();
      assert.ok(recycled >= TASKS / LIMIT - ctx.pool.size, `${recycled} recycled worker exits`);
      assert.deepEqual(ctx.ofType('worker-exit').filter((e) => e.reason === 'crash'), []);
    });
  });
}
