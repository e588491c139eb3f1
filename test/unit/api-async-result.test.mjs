// AsyncResult — Python's multiprocessing.pool.AsyncResult: ready(), successful(), wait(), get(timeout).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone, recorder, rejectsNamed, throwsNamed } from '../fixtures/api/helpers.mjs';

const { Pool } = api;
const { square, sleep, fail, checkPositive } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

for (const backend of /** @type {const} */ (['serial', 'event-loop', 'thread', 'process'])) {
  test(`applyAsync on '${backend}': not ready at once, successful() throws InvalidStateError, then get() and successful()`, { timeout: 30_000 }, async () => {
    const pool = new Pool(2, { backend, module: TASKS_URL });
    try {
      const results = [1, 2, 3].map((x) => pool.applyAsync(square, [x]));
      // Nothing can be in synchronously after the call.
      assert.equal(results[0].ready(), false);
      throwsNamed(() => results[0].successful(), 'InvalidStateError');
      const values = [];
      for (const r of results) values.push(await r.get());
      assert.deepEqual(values, [1, 4, 9]);
      for (const r of results) {
        assert.equal(r.ready(), true);
        assert.equal(r.successful(), true);
      }
    } finally {
      pool.close();
      await pool.join();
    }
  });
}

test('get({ timeout }) raises TimeoutError while the task keeps running; a later get() collects it', { timeout: 30_000 }, async () => {
  const trace = recorder();
  const pool = new Pool(1, { backend: 'thread', module: TASKS_URL, onTrace: trace.onTrace });
  try {
    const r = pool.applyAsync(sleep, [800, 'late']);
    const error = await rejectsNamed(r.get({ timeout: 50 }), 'TimeoutError');
    assert.equal(error.timeoutMs, 50);
    assert.equal(r.ready(), false, 'a timed-out get() does not stop or settle the task');
    assert.equal(await r.get({ timeout: 20_000 }), 'late');
    assert.equal(r.successful(), true);
  } finally {
    pool.close();
    await pool.join();
  }
  // The task itself ran to completion on its worker: one successful task-end (events arrive batched, by run-end at the latest).
  assert.equal(trace.of('task-end').filter((e) => e.ok).length, 1);
  assert.ok(trace.of('main-wait').some((e) => e.label === 'applyAsync(sleep).get()'));
});

test('a failed call: ready() true, successful() false, get() rejects with the remote error', { timeout: 30_000 }, async () => {
  const pool = new Pool(1, { backend: 'process', module: TASKS_URL });
  try {
    const r = pool.applyAsync(fail, ['broken']);
    await r.wait();
    assert.equal(r.ready(), true);
    assert.equal(r.successful(), false);
    const error = await rejectsNamed(r.get(), 'RangeError');
    assert.equal(error.message, 'broken');
    assert.match(error.stack, /tasks\.mjs/, 'the remote stack points at the task module');
  } finally {
    await pool.terminate();
  }
});

test('wait(timeout) returns without raising when the result is not ready', { timeout: 30_000 }, async () => {
  const pool = new Pool(1, { backend: 'event-loop', module: TASKS_URL });
  try {
    const r = pool.applyAsync(sleep, [600]);
    assert.equal(await r.wait(30), undefined);
    assert.equal(r.ready(), false);
    await r.wait();
    assert.equal(r.ready(), true);
    await rejectsNamed(r.wait(-1), 'RangeError');
  } finally {
    await pool.terminate();
  }
});

test('callback / errorCallback run in the main program before the result is ready', { timeout: 30_000 }, async () => {
  const pool = new Pool(2, { backend: 'thread', module: TASKS_URL });
  try {
    const seen = [];
    let readyInCallback;
    const ok = pool.applyAsync(square, [9], { callback: (v) => { seen.push(['ok', v]); readyInCallback = ok.ready(); } });
    const bad = pool.applyAsync(fail, ['nope'], { errorCallback: (/** @type {any} */ e) => seen.push(['error', e.name, e.message]) });
    await ok.wait();
    await bad.wait();
    assert.deepEqual(seen.sort(), [['error', 'RangeError', 'nope'], ['ok', 81]]);
    assert.equal(readyInCallback, false);
  } finally {
    await pool.terminate();
  }
});

test('mapAsync: one AsyncResult for the list, in input order; a failing item fails it', { timeout: 30_000 }, async () => {
  const pool = new Pool(2, { backend: 'thread', module: TASKS_URL });
  try {
    let called;
    const r = pool.mapAsync(sleep, [90, 10, 40], { callback: (list) => { called = list; } });
    assert.equal(r.ready(), false);
    assert.deepEqual(await r.get(), [90, 10, 40]);
    assert.deepEqual(called, [90, 10, 40]);
    const s = pool.starmapAsync(tasks.add, [[1, 1], [2, 2]], 1);
    assert.deepEqual(await s.get(), [2, 4]);
    const bad = pool.mapAsync(checkPositive, [1, -1, 2]);
    await rejectsNamed(bad.get(), 'RangeError');
    assert.equal(bad.successful(), false);
  } finally {
    await pool.terminate();
  }
});
