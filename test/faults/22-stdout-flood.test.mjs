// Scenario 22: a task writes 10 MB to stdout. The output is captured as `log`
// events tied to the task, bounded by maxLogBytesPerTask (the rest is cut,
// not buffered), the task completes, and other tasks are not blocked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool } from './harness.mjs';

const LIMIT = 256 * 1024;

for (const backend of ALL_BACKENDS.filter((b) => b !== 'serial')) {
  test(`${backend}: 10 MB on stdout → captured, bounded to maxLogBytesPerTask, not blocking`, async () => {
    await withPool(backend, 'tasks.mjs', { maxLogBytesPerTask: LIMIT }, async (ctx) => {
      const flood = ctx.submit('floodStdout', [10]);
      const others = Array.from({ length: 20 }, (_, i) => ctx.submit('echo', [i]));
      await ctx.settleAll(120_000);
      assert.equal(flood.value, 10 * 1024 * 1024);
      assert.deepEqual(others.map((t) => t.value), Array.from({ length: 20 }, (_, i) => i));
      const logs = ctx.ofType('log').filter((e) => e.taskId === flood.handle.taskId);
      assert.ok(logs.length > 0, 'the output was captured as log events of the task');
      assert.ok(logs.every((e) => e.stream === 'stdout'));
      const bytes = logs.reduce((n, e) => n + Buffer.byteLength(e.text), 0);
      assert.ok(bytes >= LIMIT / 2, `only ${bytes} bytes captured`);
      assert.ok(bytes <= LIMIT + 64 * 1024 + 1024, `${bytes} bytes captured: not bounded by ${LIMIT}`);
      assert.ok(logs.some((e) => e.text.startsWith('y')), 'the captured text is the task output');
    });
  });
}
