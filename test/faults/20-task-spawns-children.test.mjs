// Scenario 20: a task starts child processes of its own and leaves them
// running. When the pool closes or is terminated, they die with it: a
// learner's stray `spawn` must not outlive the run.
//
// The engine signals each process worker's process group on every exit, and
// tracks the PIDs of children started from thread / event-loop workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, openPool, leakCheck, assertNoLeaks, within, waitFor, isAlive } from './harness.mjs';

for (const backend of ISOLATED_BACKENDS) {
  for (const ending of ['close', 'terminate']) {
    test(`${backend}: children spawned by a task die with the pool (${ending}())`, async () => {
      const snapshot = leakCheck();
      const ctx = openPool(backend, 'tasks.mjs');
      let grandchildren = [];
      try {
        const t = ctx.submit('spawnChildren', [2]);
        await ctx.settleAll();
        grandchildren = t.value;
        assert.equal(grandchildren.length, 2);
        assert.ok(grandchildren.every(isAlive), 'the children run while the pool does');
        await within(ctx.pool[ending](), 30_000, `${ending}()`);
        const gone = await waitFor(() => grandchildren.every((pid) => !isAlive(pid)), 15_000);
        assert.ok(gone, `children still running after ${ending}(): ${grandchildren.filter(isAlive).join(', ')}`);
      } finally {
        for (const pid of grandchildren) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        await ctx.pool.terminate().catch(() => {});
      }
      await assertNoLeaks(snapshot);
    });
  }
}

// Thread workers patch child_process only once it is loaded (it costs start-up otherwise): a module that
// loads it lazily, in one task, and spawns in the next must still have those children stopped.
for (const backend of ['thread', 'event-loop']) {
  test(`${backend}: children of a lazily loaded node:child_process die with the pool too`, async () => {
    const snapshot = leakCheck();
    const ctx = openPool(backend, 'lazy-spawn.mjs', { workers: 1 });
    let grandchildren = [];
    try {
      ctx.submit('loadChildProcess', []);
      await ctx.settleAll();
      const t = ctx.submit('spawnWithLoaded', [2]);
      await ctx.settleAll();
      grandchildren = t.value;
      assert.equal(grandchildren.length, 2);
      assert.ok(grandchildren.every(isAlive), 'the children run while the pool does');
      await within(ctx.pool.terminate(), 30_000, 'terminate()');
      const gone = await waitFor(() => grandchildren.every((pid) => !isAlive(pid)), 15_000);
      assert.ok(gone, `children still running after terminate(): ${grandchildren.filter(isAlive).join(', ')}`);
    } finally {
      for (const pid of grandchildren) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await ctx.pool.terminate().catch(() => {});
    }
    await assertNoLeaks(snapshot);
  });
}
