// Scenario 23: 10 000 tasks, 1 % of them (seeded, the same ones every run)
// crash their worker with process.exit. All 10 000 settle exactly once; on
// thread and process exactly the crashing tasks fail (WorkerCrashed), the
// tasks sent ahead to a dying worker are re-run, not failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, withPool, seededRandom } from './harness.mjs';

const TASKS = 10_000;

for (const backend of ISOLATED_BACKENDS) {
  test(`${backend}: ${TASKS} tasks with 1 % seeded crashes → all settle once, only the crashing ones fail`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const random = seededRandom(9);
      const crashes = new Set();
      const tasks = Array.from({ length: TASKS }, (_, i) => {
        const crash = random() < 0.01;
        if (crash) crashes.add(i);
        return ctx.submit('maybeCrash', [i, crash]);
      });
      assert.ok(crashes.size > 50 && crashes.size < 150, `${crashes.size} crashes drawn`);
      // Bounded, but generous: ~100 replacement workers (each a new process on that backend) on a shared machine.
      await ctx.settleAll(300_000);
      const failed = new Set();
      tasks.forEach((t, i) => {
        if (t.status === 'rejected') {
          assert.equal(t.error.name, 'WorkerCrashed', `task ${i}: ${t.error.message}`);
          failed.add(i);
        } else {
          assert.equal(t.value, i);
        }
      });
      for (const i of crashes) assert.ok(failed.has(i), `crashing task ${i} did not fail`);
      if (backend === 'event-loop') {
        // One thread runs several tasks at once: a crash may take its in-flight neighbours, never more.
        assert.ok(failed.size <= crashes.size * ctx.pool.size, `${failed.size} failed for ${crashes.size} crashes`);
      } else {
        assert.deepEqual([...failed].sort((a, b) => a - b), [...crashes].sort((a, b) => a - b));
      }
      assert.equal(ctx.ofType('task-end').length, TASKS);
    });
  });
}
