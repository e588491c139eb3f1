// A task that throws rejects with the remote error's own name, message and stack (and its fields).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLeft, ofType, rejection, tracedPool } from '../fixtures/pool/harness.mjs';

for (const backend of ['serial', 'event-loop', 'thread', 'process']) {
  test(`${backend}: submit('fail') rejects with TypeError, its message, stack and code; the pool keeps working`, async () => {
    const { pool, events } = tracedPool({ backend });
    const err = await rejection(pool.submit('fail', ['boom']).promise);
    assert.equal(err.name, 'TypeError');
    assert.equal(err.message, 'boom');
    assert.match(err.stack, /TypeError: boom/);
    assert.match(err.stack, /tasks\.mjs/, 'the stack points into the task module');
    assert.equal(err.code, 'E_FIXTURE');

    const late = await rejection(pool.submit('failLater', ['later']).promise);
    assert.equal(late.name, 'RangeError');
    assert.equal(late.message, 'later');

    const thrown = await rejection(pool.submit('throwString', ['plain text']).promise);
    assert.equal(thrown.name, 'ThrownValue');
    assert.match(thrown.message, /plain text/);

    assert.equal(await pool.submit('square', [9]).promise, 81);
    await pool.close();

    const ends = ofType(events, 'task-end');
    const failedEnd = ends.find((e) => !e.ok && e.error.name === 'TypeError');
    assert.equal(failedEnd.error.message, 'boom');
    assert.match(failedEnd.error.stack, /TypeError: boom/);
    assert.equal(failedEnd.error.data.code, 'E_FIXTURE');
    assert.equal(ends.filter((e) => e.ok).length, 1);
    await assertNothingLeft(events);
  });
}

for (const backend of ['serial', 'thread', 'process']) {
  test(`${backend}: an error's cause chain crosses the worker boundary (err.cause, task-end error.cause), cycles cut`, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1 });
    const err = await rejection(pool.submit('failWithCause', ['load failed']).promise);
    assert.equal(err.message, 'load failed');
    assert.equal(err.cause.name, 'TypeError');
    assert.equal(err.cause.message, 'load failed: middle');
    assert.equal(err.cause.cause.name, 'RangeError');
    assert.match(err.cause.cause.stack, /RangeError: load failed: root/);
    await pool.close();

    const end = ofType(events, 'task-end').find((e) => !e.ok);
    const chain = [];
    for (let c = end.error; c; c = c.cause) chain.push(c.name);
    // outer, middle, root, then the cycle repeats until the depth limit: 1 + 8 causes.
    assert.deepEqual(chain.slice(0, 4), ['Error', 'TypeError', 'RangeError', 'Error']);
    assert.equal(chain.length, 9);
    await assertNothingLeft(events);
  });
}
