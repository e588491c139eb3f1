// The pool ⇄ worker protocol is decoded in one module (src/pool/protocol.ts): decodeFromWorker /
// decodeToWorker check each field of each message and deliver it to a receiver; a batch that is not
// well-formed stops at the first bad message with a WorkerProtocolError. Task code can post to the
// pool itself: on the thread and process backends such garbage is dropped, said on the worker's lane,
// and every task still settles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { engine } from '../fixtures/pool/harness.mjs';

const source = fileURLToPath(new URL('../../src/pool/protocol.ts', import.meta.url));
const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
const protocol = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
const { decodeFromWorker, decodeToWorker, WorkerProtocolError, FromWorkerOp: F, ToWorkerOp: T } = protocol;

/** A receiver that records each call as [method, ...args]. */
function recorder() {
  const calls = [];
  const r = new Proxy({}, { get: (_, name) => (...args) => calls.push([name, ...args]) });
  return { r, calls };
}

test('decodeFromWorker delivers a well-formed batch message by message', () => {
  const { r, calls } = recorder();
  const err = { name: 'TypeError', message: 'x' };
  const batch = [
    F.Ready, 10, 1, 4242, 5.5, null, F.Start, 0, 6, F.Ok, 0, 6, 9, { a: 1 }, 'p', F.Error, 1, 9, 10, err,
    F.Log, -1, 2, 11, 'text', F.Slice, 2, 11, 12, F.Skipped, 3, F.Ready, 10, 2, -1, 1, err,
  ];
  assert.equal(decodeFromWorker(batch, r), undefined);
  assert.deepEqual(calls, [
    ['ready', 10, 1, 4242, 5.5, null], ['started', 0, 6], ['ok', 0, 6, 9, { a: 1 }, 'p'], ['failed', 1, 9, 10, err],
    ['log', -1, 2, 11, 'text'], ['slice', 2, 11, 12], ['skipped', 3], ['ready', 10, 2, -1, 1, err],
  ]);
  assert.equal(decodeFromWorker([], r), undefined);
});

test('decodeFromWorker: garbage → WorkerProtocolError naming the message; messages before it are delivered, none after', () => {
  /** @type {Array<[unknown, RegExp]>} */
  const cases = [
    ['not a batch', /must be an array/], [42, /must be an array/], [null, /must be an array/], [{ length: 2, 0: 1 }, /must be an array/],
    [[99], /unknown opcode/], [['2'], /unknown opcode/], [[1.5, 0, 0], /unknown opcode/], [[-1], /unknown opcode/],
    [[F.Ok, 0, 1], /needs 6 elements/], [[F.Ok, -1, 0, 1, 'x', ''], /Ok needs a task id/], [[F.Ok, 1e300, 0, 1, 'x', ''], /Ok needs a task id/],
    [[F.Ok, 0.5, 0, 1, 'x', ''], /Ok needs a task id/], [[F.Ok, 0, 'soon', 1, 'x', ''], /two times/], [[F.Ok, 0, 0, Infinity, 'x', ''], /two times/],
    [[F.Ok, 0, 0, 1, 'x', 7], /preview string/], [[F.Error, 0, 0, 1, 'boom'], /error with name and message/],
    [[F.Error, 0, 0, 1, { name: 'E' }], /error with name and message/], [[F.Start, '0', 1], /Start needs/],
    [[F.Log, -2, 1, 0, 'x'], /Log needs a task id or -1/], [[F.Log, 0, 3, 0, 'x'], /stream 1 or 2/], [[F.Log, 0, 1, 0, {}], /stream 1 or 2/],
    [[F.Slice, 0, NaN, 1], /Slice needs/], [[F.Skipped, null], /Skipped needs/], [[F.Ready, -5, 0, 0, 0, null], /Ready needs pid/],
    [[F.Ready, 1, 0, 0, 0, 'load failed'], /load error or null/],
  ];
  for (const [batch, message] of cases) {
    const { r, calls } = recorder();
    const problem = decodeFromWorker(batch, r);
    assert.ok(problem instanceof WorkerProtocolError, `${JSON.stringify(batch)} was accepted`);
    assert.equal(problem.name, 'WorkerProtocolError');
    assert.match(problem.message, message, JSON.stringify(batch));
    assert.deepEqual(calls, [], `${JSON.stringify(batch)} delivered something`);
  }
  const { r, calls } = recorder();
  const problem = decodeFromWorker([F.Skipped, 1, F.Start, 'x', 0, F.Skipped, 2], r);
  assert.match(problem.message, /message at 2: Start needs/);
  assert.deepEqual(calls, [['skipped', 1]]);
});

test('decodeToWorker delivers well-formed batches and refuses garbage the same way', () => {
  const { r, calls } = recorder();
  assert.equal(decodeToWorker([T.Define, 'square', T.Run, 7, 0, [1, 2], -1, T.Run, 8, 0, [], 3, T.Cancel, 8, T.Close], r), undefined);
  assert.deepEqual(calls, [['define', 'square'], ['run', 7, 0, [1, 2], -1], ['run', 8, 0, [], 3], ['cancel', 8], ['close']]);
  /** @type {Array<[unknown, RegExp]>} */
  const cases = [
    ['x', /must be an array/], [[T.Run, 7, 0, 'args', -1], /Run needs/], [[T.Run, 7, -1, [], -1], /Run needs/], [[T.Run, 7, 0, [], -2], /Run needs/],
    [[T.Run, 7, 0, []], /needs 5 elements/], [[T.Define, 3], /Define needs a name/], [[T.Cancel, 'all'], /Cancel needs/], [[9], /unknown opcode/],
  ];
  for (const [batch, message] of cases) {
    const rec = recorder();
    const problem = decodeToWorker(batch, rec.r);
    assert.ok(problem instanceof WorkerProtocolError, JSON.stringify(batch));
    assert.match(problem.message, message, JSON.stringify(batch));
    assert.deepEqual(rec.calls, []);
  }
});

for (const backend of ['thread', 'process']) {
  test(`${backend}: garbage a task posts to the pool is dropped with WorkerProtocolError on the worker's lane; every task settles`, async () => {
    const hostile = new URL('../fixtures/pool/hostile-tasks.mjs', import.meta.url).href;
    const { GARBAGE_COUNT } = await import(hostile);
    const pool = engine.createPool({ backend, workers: 2, module: hostile });
    const events = [];
    pool.onTrace((batch) => events.push(...batch));
    try {
      const results = await Promise.all([1, 2, 3, 4].map((x) => pool.submit('postGarbage', [x]).promise));
      assert.deepEqual(results, [2, 4, 6, 8]);
    } finally {
      await pool.close();
    }
    const said = events.filter((e) => e.type === 'log' && e.text.includes('WorkerProtocolError'));
    assert.equal(said.length, 4 * GARBAGE_COUNT, said.map((e) => e.text).join(''));
    assert.ok(said.every((e) => e.stream === 'stderr' && e.workerId !== undefined));
    const ends = events.filter((e) => e.type === 'task-end');
    assert.equal(ends.length, 4);
    assert.ok(ends.every((e) => e.ok));
  });
}
