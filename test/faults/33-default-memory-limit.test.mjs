// Scenario 33: without --max-memory a default per-worker limit still stops a
// runaway allocation in bounded time (the issue asks for 20 s) on every
// backend, with MemoryLimitExceeded for that task only. The default is half
// the machine's memory shared by the worker threads/processes, 256–2048 MiB
// each (src/pool/memory.ts). To need little real memory on a shared machine,
// the runaway here takes memory that is counted but never touched
// (Buffer.allocUnsafeSlow: the pages are not made resident), and every loop
// is bounded at the default + 1 GiB in case the limit did not hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPool, rejection, assertUsable, createPool } from './harness.mjs';

const { defaultMemoryLimitMb } = await import(new URL('../../dist/pool.mjs', import.meta.url).href);
const WORKERS = 2;

// serial: with serialThread, as the CLI and the extension run it (the caller's own thread is not limited by default).
/** @type {Array<[string, object]>} */
const cases = [['thread', {}], ['process', {}], ['event-loop', {}], ['serial', { serialThread: true }]];

for (const [backend, options] of cases) {
  const limitMb = defaultMemoryLimitMb(backend === 'event-loop' || backend === 'serial' ? 1 : WORKERS);
  test(`${backend}: a runaway allocation without --max-memory → MemoryLimitExceeded at the default limit (${limitMb} MiB), within 20 s`, async () => {
    await withPool(backend, 'memory.mjs', { workers: WORKERS, ...options }, async (ctx) => {
      const started = performance.now();
      const runaway = ctx.submit('hoard', ['unsafe', 64, limitMb + 1024]);
      await ctx.settleAll(60_000);
      const ms = performance.now() - started;
      const error = rejection(runaway);
      assert.equal(error.name, 'MemoryLimitExceeded', `${error.name}: ${error.message}`);
      assert.match(error.message, new RegExp(`memory limit of ${limitMb} MiB`));
      assert.ok(ms < 20_000, `took ${Math.round(ms)} ms`);
      await assertUsable(ctx.pool, { fn: 'echo' });
    });
  });
}

test('the default is derived from the machine\'s memory and the worker count, 256–2048 MiB', () => {
  const GiB = 1024 ** 3;
  assert.equal(defaultMemoryLimitMb(2, 24 * GiB), 2048);
  assert.equal(defaultMemoryLimitMb(8, 8 * GiB), 512);
  assert.equal(defaultMemoryLimitMb(64, 4 * GiB), 256);
  assert.ok(createPool, 'engine loaded');
});
