// TaskQueue: a ring buffer (no Array#shift) with push, shift, unshift (re-queue at the front) and remove.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engine, assertNothingLeft, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

const { TaskQueue } = engine;

test('new TaskQueue(): FIFO across growth and wrap-around', () => {
  const q = new TaskQueue(4);
  const model = [];
  let next = 0;
  // Interleave pushes and shifts so the head wraps many times while the buffer grows.
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < (round % 7) + 1; i++) { q.push(next); model.push(next++); }
    for (let i = 0; i < (round % 5); i++) assert.equal(q.shift(), model.shift());
    assert.equal(q.length, model.length);
  }
  assert.deepEqual(q.drain(), model);
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
});

test('TaskQueue#unshift puts items back at the front; #remove takes one out of the middle', () => {
  const q = new TaskQueue(2);
  for (const x of ['c', 'd', 'e']) q.push(x);
  q.unshift('b');
  q.unshift('a');
  assert.equal(q.peek(), 'a');
  assert.equal(q.remove('c'), true);
  assert.equal(q.remove('zz'), false);
  assert.deepEqual(q.drain(), ['a', 'b', 'd', 'e']);
});

test("createPool({ maxQueue: 2 }): the third waiting task rejects with QueueFull", async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1, maxQueue: 2 });
  const a = pool.submit('sleep', [30]).promise;
  const b = pool.submit('sleep', [30]).promise;
  const c = pool.submit('sleep', [30]).promise;
  assert.equal((await rejection(c)).name, 'QueueFull');
  assert.deepEqual(await Promise.all([a, b]), [30, 30]);
  await pool.close();
  await assertNothingLeft(events);
});
