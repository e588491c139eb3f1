// Scenario 12: a task exhausts its heap. Thread backend: V8 `resourceLimits`
// stop that worker only; process backend: `--max-old-space-size` in the
// child's execArgv kills that child only. The task fails with
// MemoryLimitExceeded (a worker that died of a full heap), the other worker's
// task completes, the pool keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPool, rejection, assertUsable, coreDumpsOff } from './harness.mjs';

/** @type {Array<[string, object]>} */
const cases = [
  ['thread', { resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } }],
  ['event-loop', { resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } }],
  ['process', { execArgv: ['--max-old-space-size=64'] }],
];

for (const [backend, options] of cases) {
  test(`${backend}: out of memory in a task → MemoryLimitExceeded for it; only that worker dies`,
    { skip: backend === 'process' && !coreDumpsOff && 'core dumps are on here: V8 aborts on OOM and would write a core file' },
    async () => {
      await withPool(backend, 'tasks.mjs', { ...options, pipeline: 1 }, async (ctx) => {
        const oom = ctx.submit('exhaustMemory');
        const other = ctx.submit('sleep', [300]);
        await ctx.settleAll(120_000);
        const error = rejection(oom);
        assert.equal(error.name, 'MemoryLimitExceeded');
        assert.match(error.message, /memory limit of (48|64) MiB \(the JavaScript heap was full/);
        if (backend !== 'event-loop') assert.equal(other.value, 300);
        else if (other.status === 'rejected') assert.equal(other.error.name, 'MemoryLimitExceeded');
        assert.equal(ctx.ofType('worker-exit').filter((e) => e.reason === 'crash').length, 1, 'exactly one worker died');
        await assertUsable(ctx.pool);
      });
    });
}
