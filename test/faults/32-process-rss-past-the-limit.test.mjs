// Scenario 32: on process workers the memory limit also watches the worker's
// RSS (read from /proc/<pid>/status every 100 ms, against what it held when
// it was ready), which covers memory neither V8's heap limit nor the
// allocation counting sees: here WebAssembly memory, grown and touched page
// by page. The worker is killed, that task fails with MemoryLimitExceeded,
// the task queued behind it on the same worker runs once elsewhere, no
// process is left. Linux (/proc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { withPool, rejection, assertUsable } from './harness.mjs';

const LIMIT_MB = 64;

test('process: WebAssembly memory past --max-memory 64 → the worker is killed, MemoryLimitExceeded for that task only',
  { skip: !existsSync('/proc/self/status') && 'needs /proc' },
  async () => {
    await withPool('process', 'memory.mjs', { maxMemoryMb: LIMIT_MB, workers: 1, pipeline: 4 }, async (ctx) => {
      // Bounded at 256 MiB, held 30 s: if the watch did not act, the task returns instead of eating the machine.
      const grow = ctx.submit('growWasm', [4, 256, 30_000]);
      const behind = ctx.submit('echo', ['behind']);
      await ctx.settleAll(120_000);
      const error = rejection(grow);
      assert.equal(error.name, 'MemoryLimitExceeded', `${error.name}: ${error.message}`);
      assert.match(error.message, /memory limit of 64 MiB \(its process grew by \d+ MiB of RSS; the worker was killed\)/);
      assert.ok(error.data.pid > 0);
      assert.equal(behind.value, 'behind');
      assert.equal(ctx.ofType('worker-exit').filter((e) => e.reason === 'killed').length, 1);
      await assertUsable(ctx.pool, { fn: 'echo' });
    });
  });
