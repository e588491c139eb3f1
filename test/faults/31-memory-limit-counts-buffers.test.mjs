// Scenario 31: `maxMemoryMb` (--max-memory) bounds what a task really holds,
// not only the V8 heap: Buffers, ArrayBuffers and typed arrays live outside
// the heap, so `resourceLimits` / --max-old-space-size alone let a task hold
// gigabytes under a 64 MiB limit. Each way of allocating fails its own task
// with MemoryLimitExceeded, other tasks complete, the pool keeps working.
// A worker that still holds most of its limit after such a failure (the task
// kept what it made, in its module) is recycled, and the next tasks run on a
// fresh one. Small explicit limits: no scenario holds more than ~100 MiB
// (and every allocation loop is bounded, in case a limit did not hold).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPool, rejection, assertUsable } from './harness.mjs';

const LIMIT_MB = 64;
/** Where an allocation loop gives up if the limit did not stop it. */
const BOUND_MB = 320;
const WAYS = ['buffer', 'typed', 'arraybuffer', 'slice'];

for (const backend of ['thread', 'event-loop', 'process', 'serial']) {
  test(`${backend}: Buffers, typed arrays and ArrayBuffers past --max-memory ${LIMIT_MB} → MemoryLimitExceeded for that task only`, async () => {
    await withPool(backend, 'memory.mjs', { maxMemoryMb: LIMIT_MB, workers: 2 }, async (ctx) => {
      const hoards = WAYS.map((how) => ctx.submit('hoard', [how, 8, BOUND_MB]));
      const others = [1, 2, 3].map((x) => ctx.submit('echo', [x]));
      await ctx.settleAll(120_000);
      for (const [i, t] of hoards.entries()) {
        const error = rejection(t);
        assert.equal(error.name, 'MemoryLimitExceeded', `${WAYS[i]}: ${error.name}: ${error.message}`);
        assert.match(error.message, new RegExp(`memory limit of ${LIMIT_MB} MiB \\(heap \\d+ MiB \\+ ArrayBuffers and Buffers \\d+ MiB`));
      }
      assert.deepEqual(others.map((t) => t.value), [1, 2, 3]);
      // Failing the task did not take its worker down.
      assert.equal(ctx.ofType('worker-exit').filter((e) => e.reason === 'crash').length, 0);
      await assertUsable(ctx.pool, { fn: 'echo' });
    });
  });
}

for (const backend of ['thread', 'process']) {
  test(`${backend}: a task that keeps what it allocated past the limit → MemoryLimitExceeded, its worker is recycled, the next tasks run`, async () => {
    await withPool(backend, 'memory.mjs', { maxMemoryMb: LIMIT_MB, workers: 1 }, async (ctx) => {
      const kept = ctx.submit('hoardKept', ['buffer', 8, BOUND_MB]);
      const after = [1, 2, 3].map((x) => ctx.submit('echo', [x]));
      await ctx.settleAll(120_000);
      assert.equal(rejection(kept).name, 'MemoryLimitExceeded');
      assert.deepEqual(after.map((t) => t.value), [1, 2, 3]);
      const exits = ctx.ofType('worker-exit');
      assert.equal(exits.filter((e) => e.reason === 'recycled').length, 1, JSON.stringify(exits));
      assert.equal(exits.filter((e) => e.reason === 'crash').length, 0, JSON.stringify(exits));
      // The echo tasks ran on the fresh worker.
      const ran = new Set(ctx.ofType('task-start').filter((e) => after.some((t) => t.handle.taskId === e.taskId)).map((e) => e.workerId));
      assert.ok(!ran.has(ctx.ofType('task-start').find((e) => e.taskId === kept.handle.taskId).workerId), 'ran on the recycled worker');
    });
  });
}
