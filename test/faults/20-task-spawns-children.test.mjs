// Scenario 20: a task starts child processes of its own and leaves them
// running. When the pool closes or is terminated, they die with it: a
// learner's stray `spawn` must not outlive the run.
//
// Known engine gap (marked todo, see the README's reliability table): only
// the process backend's terminate() kills them today (it kills each worker's
// process group). close() lets process workers exit and leaves their children;
// on thread / event-loop the children belong to the pool's own process and
// nothing tracks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATED_BACKENDS, openPool, leakCheck, assertNoLeaks, within, waitFor, isAlive } from './harness.mjs';

const KNOWN_GAP = 'engine: children spawned by tasks outlive the pool here (see file comment)';

for (const backend of ISOLATED_BACKENDS) {
  for (const ending of ['close', 'terminate']) {
    const gap = !(backend === 'process' && ending === 'terminate');
    test(`${backend}: children spawned by a task die with the pool (${ending}())`, { todo: gap && KNOWN_GAP }, async () => {
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
        // A known gap fails fast instead of waiting out the full bound.
        const gone = await waitFor(() => grandchildren.every((pid) => !isAlive(pid)), gap ? 2_000 : 15_000);
        assert.ok(gone, `children still running after ${ending}(): ${grandchildren.filter(isAlive).join(', ')}`);
      } finally {
        for (const pid of grandchildren) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        await ctx.pool.terminate().catch(() => {});
      }
      await assertNoLeaks(snapshot);
    });
  }
}
