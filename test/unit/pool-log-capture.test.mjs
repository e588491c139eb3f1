// console.log / console.error / process.stdout.write inside a task become `log` events tied
// to that task; output is bounded per task.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['serial', 'event-loop', 'thread', 'process']) {
  test(`${backend}: console output inside a task → log events with its taskId and workerId`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2 });
    const a = pool.submit('log', ['alpha']);
    const b = pool.submit('log', ['beta']);
    await Promise.all([a.promise, b.promise]);
    await pool.close();

    const logs = ofType(events, 'log');
    const of = (taskId) => logs.filter((e) => e.taskId === taskId).map((e) => `${e.stream}:${e.text}`);
    assert.deepEqual(of(a.taskId), ['stdout:alpha\n', 'stderr:err:alpha\n', 'stdout:raw:alpha\n']);
    assert.deepEqual(of(b.taskId), ['stdout:beta\n', 'stderr:err:beta\n', 'stdout:raw:beta\n']);
    const workerOf = new Map(ofType(events, 'task-end').map((e) => [e.taskId, e.workerId]));
    for (const e of logs) assert.equal(e.workerId, workerOf.get(e.taskId));
    // A log event sits between its task's start and end.
    const startOf = new Map(ofType(events, 'task-start').map((e) => [e.taskId, e.t]));
    const endOf = new Map(ofType(events, 'task-end').map((e) => [e.taskId, e.t]));
    for (const e of logs) assert.ok(e.t >= startOf.get(e.taskId) && e.t <= endOf.get(e.taskId));
    await assertNothingLeft(events);
  });
}

test('thread: output beyond maxLogBytesPerTask is dropped with one truncation note', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1, maxLogBytesPerTask: 1000 });
  const h = pool.submit('logMany', [100, 99]); // 100 lines × 100 bytes = 10 000 bytes
  assert.equal(await h.promise, 100);
  const next = pool.submit('log', ['after']); // the next task has its own budget
  await next.promise;
  await pool.close();
  const text = ofType(events, 'log').filter((e) => e.taskId === h.taskId).map((e) => e.text).join('');
  assert.ok(Buffer.byteLength(text) < 1200, `${Buffer.byteLength(text)} bytes kept`);
  assert.equal(text.match(/truncated at 1000 bytes/g).length, 1);
  assert.ok(ofType(events, 'log').some((e) => e.taskId === next.taskId && e.text === 'after\n'));
  await assertNothingLeft(events);
});

test("process: raw writes to fd 1 (past console) arrive as stdout log events of that worker and task", async () => {
  const { pool, events } = tracedPool({ backend: 'process', workers: 1 });
  const h = pool.submit('rawWrite', ['from the fd']);
  assert.equal(await h.promise, 'from the fd');
  await pool.close();
  const log = ofType(events, 'log').find((e) => e.text.includes('from the fd'));
  assert.ok(log, 'the raw write was captured');
  assert.equal(log.stream, 'stdout');
  assert.equal(log.workerId, ofType(events, 'worker-start')[0].workerId);
  assert.equal(log.taskId, h.taskId);
  await assertNothingLeft(events);
});
