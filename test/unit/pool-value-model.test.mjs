// One value model on every backend (issue 19, item 2): arguments and results follow structured
// clone on serial, event-loop, thread and process alike — a Buffer arrives as a Uint8Array, a
// class instance as a plain object, an unclonable value fails with SerializationError — so serial
// is a faithful baseline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

class Point {
  constructor(x, y) { this.x = x; this.y = y; }
  norm() { return Math.hypot(this.x, this.y); }
}

const BACKENDS = ['serial', 'event-loop', 'thread', 'process'];

test('arguments arrive the same on every backend: Buffer → Uint8Array with its own bytes, class instance → plain object', { timeout: 60_000 }, async () => {
  const seen = {};
  for (const backend of BACKENDS) {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    const view = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2, 4);
    seen[backend] = await pool.submit('describeArgs', [Buffer.from('hi'), new Point(3, 4), new Map([[1, 2]]), view, [1, 2]]).promise;
    await pool.close();
    await assertNothingLeft(events);
  }
  for (const backend of BACKENDS.slice(1)) assert.deepEqual(seen[backend], seen.serial, `${backend} vs serial`);
  assert.equal(seen.serial[0].startsWith('Uint8Array'), true, seen.serial[0]);
  assert.equal(seen.serial[1], 'Object');
  assert.equal(seen.serial[2], 'Map');
});

test('results (and their previews) arrive the same on every backend', { timeout: 60_000 }, async () => {
  const results = {};
  for (const backend of BACKENDS) {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    const [buf, point, map] = await Promise.all([
      pool.submit('identity', [Buffer.from('hi')]).promise,
      pool.submit('identity', [new Point(3, 4)]).promise,
      pool.submit('identity', [new Map([['a', { b: 1 }]])]).promise,
    ]);
    assert.equal(Buffer.isBuffer(buf), false, `${backend}: a Buffer arrives as a Uint8Array`);
    assert.ok(buf instanceof Uint8Array, backend);
    assert.equal(buf.buffer.byteLength, 2, `${backend}: its own bytes, not a view into a message`);
    assert.equal(Object.getPrototypeOf(point), Object.prototype, `${backend}: a plain object`);
    await pool.close();
    // Previews too describe what arrived (close() delivers the last batch of events).
    const previews = events.filter((e) => e.type === 'task-end').map((e) => e.resultPreview).sort();
    results[backend] = [Array.from(buf), point, map, previews];
  }
  for (const backend of BACKENDS.slice(1)) assert.deepEqual(results[backend], results.serial, `${backend} vs serial`);
});

test('serial: an argument that cannot be cloned fails before the task starts (SerializationError, what = argument), as on a worker', async () => {
  const { pool, events } = tracedPool({ backend: 'serial' });
  const err = await rejection(pool.submit('identity', [{ f() { return 1; } }]).promise);
  assert.equal(err.name, 'SerializationError');
  assert.equal(err.data.what, 'argument');
  assert.equal(events.filter((e) => e.type === 'task-start').length, 0, 'it never started');
  assert.equal(await pool.submit('square', [7]).promise, 49);
  await pool.close();
});
