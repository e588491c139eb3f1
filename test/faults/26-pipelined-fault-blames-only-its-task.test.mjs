// Scenario 26: tasks sent ahead to a worker (pipelining) are never blamed for
// a fault of the task before them, and none runs twice. A worker reports each
// result before it starts the next task it holds, so when it hangs or dies the
// pool knows exactly which task was running: that one fails, finished ones
// keep their results, the ones sent ahead but not started run once elsewhere.
// Every task appends its input to a log file: the log counts real runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withPool, rejection, coreDumpsOff, waitFor } from './harness.mjs';

const N = 12;
const BAD = 5;

/** How many times each input ran, from the log. */
function runsPerInput(log) {
  const counts = new Map();
  for (const line of readFileSync(log, 'utf8').split('\n')) if (line) counts.set(Number(line), (counts.get(Number(line)) ?? 0) + 1);
  return counts;
}

/** @type {Array<[string, string, string, object]>} */
const cases = [
  // [backend, how, expected error name, pool options]
  ['thread', 'spin', 'TaskTimeout', { timeout: 1000 }],
  ['process', 'spin', 'TaskTimeout', { timeout: 1000 }],
  ['event-loop', 'spin', 'TaskTimeout', { timeout: 1000 }],
  ['process', 'abort', 'WorkerCrashed', {}],
  ['thread', 'exit', 'WorkerCrashed', {}],
  ['process', 'exit', 'WorkerCrashed', {}],
  ['process', 'kill-group', 'WorkerCrashed', {}],
  ['process', 'disconnect', 'WorkerCrashed', {}],
  ['thread', 'oom', 'MemoryLimitExceeded', { resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } }],
  ['process', 'oom', 'MemoryLimitExceeded', { execArgv: ['--max-old-space-size=64'] }],
];

for (const [backend, how, errorName, options] of cases) {
  const needsCoreOff = how === 'abort' || (how === 'oom' && backend === 'process');
  test(`${backend}: '${how}' in a pipelined task fails only that task; every other task runs exactly once`,
    { skip: needsCoreOff && !coreDumpsOff && 'core dumps are on here: a SIGABRT would write a core file' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'poolscope-fault26-'));
      const log = join(dir, 'runs.log');
      try {
        // One worker: everything queues behind the bad task on the same worker (event-loop: one task at a time).
        await withPool(backend, 'pipelined.mjs', { workers: 1, ...options }, async (ctx) => {
          const tasks = Array.from({ length: N }, (_, x) => ctx.submit('logged', [x, log, BAD, how]));
          await ctx.settleAll(120_000);
          assert.equal(rejection(tasks[BAD]).name, errorName);
          for (let x = 0; x < N; x++) {
            if (x === BAD) continue;
            assert.equal(tasks[x].status, 'fulfilled', `task ${x}: ${tasks[x].error?.name} ${tasks[x].error?.message}`);
            assert.equal(tasks[x].value, x);
          }
          const runs = runsPerInput(log);
          for (let x = 0; x < N; x++) assert.equal(runs.get(x), 1, `input ${x} ran ${runs.get(x) ?? 0} times`);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
}

// The timeout clock starts when the task starts, not when it was sent ahead to a busy worker.
for (const backend of ['thread', 'process']) {
  test(`${backend}: a task sent ahead is timed from its own start`, async () => {
    await withPool(backend, 'pipelined.mjs', { workers: 1, pipeline: 2 }, async (ctx) => {
      const first = ctx.submit('spin', [1500]);
      const second = ctx.submit('spin', [200], { timeout: 1000 });
      await ctx.settleAll(60_000);
      assert.equal(first.value, 1500);
      assert.equal(second.value, 200, `second: ${second.error?.name}`);
      assert.equal(second.handle.started, true);
    });
  });
}

// `started` is false for a task only sent ahead, true once its worker runs it.
for (const backend of ['thread', 'process']) {
  test(`${backend}: started is false for a task waiting behind a running one on its worker`, async () => {
    await withPool(backend, 'pipelined.mjs', { workers: 1, pipeline: 4 }, async (ctx) => {
      const first = ctx.submit('spin', [1500]);
      const second = ctx.submit('spin', [1]);
      assert.ok(await waitFor(() => first.handle.started, 20_000), 'the first task started');
      // Sent ahead to the busy worker (state 'running'), not started, so not to blame for anything.
      assert.equal(first.status, 'pending');
      assert.equal(second.handle.state, 'running');
      assert.equal(second.handle.started, false);
      await ctx.settleAll();
      assert.equal(second.handle.started, true);
    });
  });
}
