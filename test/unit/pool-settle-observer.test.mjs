// TaskHandle.observeSettle() and the promise made on first use: how asCompleted, wait and the runner follow
// many tasks without a promise, a closure or a reaction per task. An observer is told once, with the value or
// the error; a task nobody asked a promise of cannot go unhandled; a promise asked for late is already settled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

/** Records every call of one shared observer, and lets a test wait for the n-th. */
function recorder() {
  const calls = [];
  let waiting;
  const observer = (tag, outcome, failed) => {
    calls.push({ tag, outcome, failed });
    if (waiting && calls.length >= waiting.n) waiting.resolve();
  };
  const told = (n) => (calls.length >= n ? Promise.resolve() : new Promise((resolve) => { waiting = { n, resolve }; }));
  return { calls, observer, told };
}

/** Collects unhandled rejections while `body` runs and for a few event-loop turns after. */
async function unhandledDuring(body) {
  const seen = [];
  const onUnhandled = (reason) => seen.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return seen;
}

test('thread: each observer is told once, with the value or the error; tags tell the tasks apart', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 2 });
  const { calls, observer, told } = recorder();
  const ok = pool.submit('square', [7]);
  const bad = pool.submit('fail', ['boom']);
  assert.equal(ok.observeSettle(observer, 'ok'), true);
  assert.equal(bad.observeSettle(observer, 'bad'), true);
  assert.equal(ok.observeSettle(observer, 'ok again'), true, 'a second observer of the same task');
  await told(3);
  await pool.close();
  const byTag = Object.fromEntries(calls.map((c) => [c.tag, c]));
  assert.deepEqual(Object.keys(byTag).sort(), ['bad', 'ok', 'ok again']);
  assert.deepEqual(byTag.ok, { tag: 'ok', outcome: 49, failed: false });
  assert.deepEqual(byTag['ok again'], { tag: 'ok again', outcome: 49, failed: false });
  assert.equal(byTag.bad.failed, true);
  assert.equal(byTag.bad.outcome.message, 'boom');
  assert.equal(calls.length, 3, 'told once each');
  // Settled: no call, and false.
  assert.equal(ok.observeSettle(observer, 'late'), false);
  assert.equal(calls.length, 3);
  await assertNothingLeft(events);
});

test('thread: a cancelled task tells its observer CancelledError; a throwing observer neither stops the others nor the pool', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1 });
  const { calls, observer, told } = recorder();
  const blocker = pool.submit('sleep', [50]);
  const queued = pool.submit('square', [3]);
  const logged = [];
  const originalError = console.error;
  console.error = (...args) => logged.push(args.map(String).join(' '));
  try {
    queued.observeSettle(() => { throw new Error('observer bug'); }, 'thrower');
    queued.observeSettle(observer, 'queued');
    assert.equal(queued.cancel(), true);
  } finally {
    console.error = originalError;
  }
  await told(1);
  assert.equal(calls[0].failed, true);
  assert.equal(calls[0].outcome.name, 'CancelledError');
  assert.match(logged.join('\n'), /observer bug/);
  assert.equal(await blocker.promise, 50, 'the pool goes on');
  assert.equal(await pool.submit('square', [4]).promise, 16);
  await pool.close();
  await assertNothingLeft(events);
});

test('thread: a failed task nobody asked a promise of raises no unhandled rejection; a promise asked for later is already settled', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1 });
  const { observer, told } = recorder();
  const failed = pool.submit('fail', ['ignored']);
  const succeeded = pool.submit('square', [9]);
  const seen = await unhandledDuring(async () => {
    failed.observeSettle(observer, 'f');
    succeeded.observeSettle(observer, 's');
    await told(2);
  });
  assert.deepEqual(seen, []);
  assert.equal(failed.state, 'failed');
  assert.equal((await rejection(failed.promise)).message, 'ignored');
  assert.equal(await succeeded.promise, 81);
  await pool.close();
  await assertNothingLeft(events);
});

test('thread: terminate() with tasks whose promises were asked for and dropped: no unhandled rejection, now or when asked again', async () => {
  const { pool, events } = tracedPool({ backend: 'thread', workers: 1 });
  const dropped = [];
  const seen = await unhandledDuring(async () => {
    for (let i = 0; i < 4; i++) {
      const handle = pool.submit('sleep', [30_000]);
      void handle.promise; // asked for, no handler: the mass rejection must still not crash the program
      dropped.push(handle);
    }
    const neverAsked = pool.submit('sleep', [30_000]);
    dropped.push(neverAsked);
    await pool.terminate();
    void neverAsked.promise; // asked for only now, after the rejection: made rejected, and marked handled
  });
  assert.deepEqual(seen, []);
  for (const handle of dropped) assert.equal((await rejection(handle.promise)).name, 'PoolTerminated');
  await assertNothingLeft(events);
});
