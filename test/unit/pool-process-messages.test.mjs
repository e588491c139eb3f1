// A process worker's pool pays for every message it reads (a pipe read, a wake-up, a decode), and it reads
// them on the thread that also feeds the workers and records the trace. A worker going from one long task to
// the next sends the finished task's result and the next one's Start notice in one message, not two — still
// before the next task begins, so a fault in it can never take the finished result with it.
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

test('process: back-to-back long tasks cost one message each from the worker (result and next Start together)', async () => {
  const counts = new Map();
  const emit = ChildProcess.prototype.emit;
  /** @this {ChildProcess} */
  function count(/** @type {string | symbol} */ name, /** @type {any[]} */ ...args) {
    if (name === 'message') counts.set(this.pid, (counts.get(this.pid) ?? 0) + 1);
    return Reflect.apply(emit, this, [name, ...args]);
  }
  ChildProcess.prototype.emit = count;
  const tasks = 10;
  try {
    const { pool, events } = tracedPool({ backend: 'process', workers: 1 });
    // Short tasks first: the pool then sends a worker many at once, so the ten long ones below reach the
    // worker in one batch, all in its inbox before the first starts (no idle wait between them to count).
    await Promise.all(Array.from({ length: 20 }, (_, i) => pool.submit('square', [i]).promise));
    const before = [...counts.values()].reduce((a, b) => a + b, 0);
    const handles = Array.from({ length: tasks }, () => pool.submit('spin', [20]));
    for (const h of handles) await h.promise;
    const messages = [...counts.values()].reduce((a, b) => a + b, 0) - before;
    await pool.close();
    // Every task was started and ended, as before: the Start notices still arrive, only packed differently.
    for (const h of handles) {
      assert.equal(ofType(events, 'task-start').filter((e) => e.taskId === h.taskId).length, 1);
      assert.equal(ofType(events, 'task-end').filter((e) => e.taskId === h.taskId && e.ok).length, 1);
    }
    // The first Start, nine results each with the next Start, the last result: 11. Two messages a task
    // (a result, then a Start) would be 20.
    assert.ok(messages <= tasks + 2, `the worker sent ${messages} messages for ${tasks} long tasks`);
    await assertNothingLeft(events);
  } finally {
    ChildProcess.prototype.emit = emit;
  }
});
