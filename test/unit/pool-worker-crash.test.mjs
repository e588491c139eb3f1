// A worker that dies fails only the task it was running (WorkerCrashed); the others complete
// and the worker is replaced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['thread', 'process']) {
  test(`${backend}: process.exit(7) in a task → WorkerCrashed {exitCode: 7}; other tasks complete; worker replaced`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2 });
    const before = Array.from({ length: 20 }, (_, i) => pool.submit('square', [i]).promise);
    const crash = pool.submit('exitWith', [7]).promise;
    const after = Array.from({ length: 20 }, (_, i) => pool.submit('square', [i]).promise);
    const err = await rejection(crash);
    assert.equal(err.name, 'WorkerCrashed');
    assert.equal(err.data.exitCode, 7);
    assert.equal(err.data.signal, null);
    assert.ok(Number.isInteger(err.data.workerId));
    assert.ok(Number.isInteger(err.data.pid));
    const squares = Array.from({ length: 20 }, (_, i) => i * i);
    assert.deepEqual(await Promise.all(before), squares);
    assert.deepEqual(await Promise.all(after), squares);
    await pool.close();

    const exits = ofType(events, 'worker-exit');
    const crashed = exits.filter((e) => e.reason === 'crash');
    assert.equal(crashed.length, 1);
    assert.equal(crashed[0].code, 7);
    assert.equal(crashed[0].workerId, err.data.workerId);
    assert.equal(ofType(events, 'worker-start').length, 3, 'the crashed worker was replaced');
    const end = ofType(events, 'task-end').find((e) => !e.ok);
    assert.equal(end.error.name, 'WorkerCrashed');
    await assertNothingLeft(events);
  });
}

test('process: a worker killed by SIGKILL mid-task → WorkerCrashed {signal: SIGKILL}; the rest complete', async () => {
  const { pool, events } = tracedPool({ backend: 'process', workers: 2 });
  const victim = pool.submit('killSelf', ['SIGKILL']).promise;
  const others = Array.from({ length: 10 }, (_, i) => pool.submit('spin', [5 + i]).promise);
  const err = await rejection(victim);
  assert.equal(err.name, 'WorkerCrashed');
  assert.equal(err.data.signal, 'SIGKILL');
  assert.equal(err.data.exitCode, null);
  assert.equal((await Promise.all(others)).length, 10);
  await pool.close();
  assert.equal(ofType(events, 'worker-exit').filter((e) => e.reason === 'crash' && e.signal === 'SIGKILL').length, 1);
  await assertNothingLeft(events);
});

test('thread: tasks pipelined to a crashing worker but not started are re-queued, not failed', async () => {
  // One worker, so every task below was sent to the worker that dies.
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1, pipeline: 8 });
  await pool.submit('square', [1]).promise; // tasks are short: the pool pipelines deeply from now on
  const crash = pool.submit('exitWith', [3]).promise;
  const queuedBehind = Array.from({ length: 6 }, (_, i) => pool.submit('square', [i]).promise);
  assert.equal((await rejection(crash)).name, 'WorkerCrashed');
  assert.deepEqual(await Promise.all(queuedBehind), [0, 1, 4, 9, 16, 25]);
  await pool.close();
  assert.equal(ofType(events, 'task-end').filter((e) => !e.ok).length, 1);
  await assertNothingLeft(events);
});
