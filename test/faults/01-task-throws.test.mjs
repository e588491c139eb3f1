// Scenario 1: a task throws — an Error, a non-Error value, an Error with a
// `cause` (also an uncloneable, circular one). Each rejects once with a named
// error; the pool keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BACKENDS, withPool, rejection, assertUsable } from './harness.mjs';

for (const backend of ALL_BACKENDS) {
  test(`${backend}: throwing tasks reject with the thrown error's name, message and stack; the pool keeps working`, async () => {
    await withPool(backend, 'tasks.mjs', {}, async (ctx) => {
      const typeError = ctx.submit('throwError', ['bad input']);
      const str = ctx.submit('throwValue', ['a plain string']);
      const num = ctx.submit('throwValue', [42]);
      const obj = ctx.submit('throwValue', [{ code: 'E_OBJ' }]);
      const nul = ctx.submit('throwValue', [null]);
      const withCause = ctx.submit('throwWithCause');
      const circular = ctx.submit('throwWithCircularCause');
      const fine = ctx.submit('echo', ['still fine']);
      await ctx.settleAll();

      const e = rejection(typeError);
      assert.equal(e.name, 'TypeError');
      assert.equal(e.message, 'bad input');
      assert.match(e.stack, /throwError/, 'the stack points into the task');

      for (const [t, text] of [[str, 'a plain string'], [num, '42'], [obj, 'E_OBJ'], [nul, 'null']]) {
        assert.equal(rejection(t).name, 'ThrownValue');
        assert.ok(rejection(t).message.includes(text), rejection(t).message);
      }
      assert.equal(rejection(withCause).name, 'Error');
      assert.equal(rejection(withCause).message, 'outer failure');
      assert.equal(rejection(withCause).cause?.name, 'RangeError', 'the cause crossed the worker boundary');
      assert.equal(rejection(withCause).cause?.message, 'the root cause');
      assert.equal(rejection(circular).name, 'Error');
      assert.equal(rejection(circular).message, 'outer failure with a circular cause');
      // A cause that is no Error (and cannot be cloned) arrives as a ThrownValue describing it
      // (serial too: the caller gets the error rebuilt from its wire form, as from a worker).
      assert.equal(rejection(circular).cause?.name, 'ThrownValue');
      assert.equal(fine.value, 'still fine');

      // The trace tells the same story: one failed task-end per thrown task, with the same name.
      const ends = new Map(ctx.ofType('task-end').map((ev) => [ev.taskId, ev]));
      assert.equal(ends.get(typeError.handle.taskId)?.ok, false);
      assert.equal(ends.get(typeError.handle.taskId)?.error?.name, 'TypeError');
      assert.equal(ends.get(str.handle.taskId)?.error?.name, 'ThrownValue');
      assert.equal(ends.get(fine.handle.taskId)?.ok, true);
      assert.equal(typeError.handle.state, 'failed');

      await assertUsable(ctx.pool);
      // A thrown error is not a crash: no worker died for it.
      assert.deepEqual(ctx.ofType('worker-exit').filter((x) => x.reason === 'crash'), []);
    });
  });
}
