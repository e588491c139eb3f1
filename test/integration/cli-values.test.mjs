// One value model: what a task returns arrives the same on serial, event-loop, thread and
// process (structured clone everywhere, a Buffer as a Uint8Array, unclonable values fail with
// SerializationError), and `--json` carries the values themselves (JSON as is, others tagged),
// with the table's preview in a separate field. Issue 19, items 2, 4 and 5.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';
import { defined } from '../fixtures/trace-events.mjs';

const cache = tempDir();
after(() => cache.cleanup());

/** kind name → [expected --json result, expected preview] (undefined result: the task fails). */
const EXPECTED = {
  number: [42, '42'],
  string: ['say "hi"\nbye', '"say \\"hi\\"\\nbye"'],
  negativeZero: [{ type: 'number', value: '-0' }, '-0'],
  nan: [{ type: 'number', value: 'NaN' }, 'NaN'],
  infinity: [{ type: 'number', value: '-Infinity' }, '-Infinity'],
  bigint: [{ type: 'BigInt', value: '123' }, '123n'],
  undefined: [{ type: 'undefined' }, 'undefined'],
  null: [null, 'null'],
  boolean: [true, 'true'],
  plain: [{ a: [1, 'two', { three: 3 }], type: 'not a tag', nested: { ok: true } }, '{a: [1, "two", {three: 3}], type: "not a tag", nested: {ok: true}}'],
  tagLookalike: [{ type: 'Object', value: { type: 'Map', value: 1 } }, '{type: "Map", value: 1}'],
  date: [{ type: 'Date', value: '2024-01-02T03:04:05.000Z' }, '2024-01-02T03:04:05.000Z'],
  regexp: [{ type: 'RegExp', value: { source: 'a+\\/b', flags: 'gi' } }, '/a+\\/b/gi'],
  map: [{ type: 'Map', value: [['a', 1], [2, { b: [3] }]] }, 'Map(2) {"a" => 1, 2 => {b: [3]}}'],
  set: [{ type: 'Set', value: [1, 'x', { type: 'BigInt', value: '3' }] }, 'Set(3) {1, "x", 3n}'],
  buffer: [{ type: 'Uint8Array', value: [104, 105] }, 'Uint8Array(2) [104, 105]'],
  uint8View: [{ type: 'Uint8Array', value: [2, 3] }, 'Uint8Array(2) [2, 3]'],
  float64: [{ type: 'Float64Array', value: [1.5, { type: 'number', value: 'NaN' }, { type: 'number', value: '-0' }] }, 'Float64Array(3) [1.5, NaN, -0]'],
  bigint64: [{ type: 'BigInt64Array', value: ['1', '-2'] }, 'BigInt64Array(2) [1n, -2n]'],
  arrayBuffer: [{ type: 'ArrayBuffer', value: [7, 8] }, 'ArrayBuffer(2)'],
  dataView: [{ type: 'DataView', value: [10, 11] }, 'DataView(2)'],
  classInstance: [{ x: 3, y: 4 }, '{x: 3, y: 4}'],
  error: [{ type: 'Error', value: { name: 'TypeError', message: 'outer', cause: { type: 'Error', value: { name: 'RangeError', message: 'inner' } } } },
    'TypeError: outer (cause: RangeError: inner)'],
  customError: [{ type: 'Error', value: { name: 'Error', message: 'mine' } }, 'Error: mine'],
  sparse: [[1, { type: 'hole' }, 3], '[1, <empty>, 3]'],
  circular: [{ a: 1, self: { type: 'Circular' } }, '{a: 1, self: [Circular]}'],
  boxed: [{ type: 'Boxed', value: 7 }, '[Number: 7]'],
  symbol: [undefined, undefined],
  function: [undefined, undefined],
  objectWithMethod: [undefined, undefined],
};
const KINDS = Object.keys(EXPECTED);
const BACKENDS = ['serial', 'event-loop', 'thread', 'process'];

test(`--json: ${KINDS.length} value kinds arrive the same on ${BACKENDS.join(', ')}; results are values, previews separate`, { timeout: 180_000 }, async () => {
  const r = await runCli(['compare', fixture('value-kinds.ts'), '--fn', 'kind', '--inputs', JSON.stringify(KINDS), '--workers', '2', '--json', '--cache-dir', cache.dir]);
  assert.equal(r.code, 1, `three kinds cannot be cloned, so some tasks fail: ${r.stderr}`);
  assert.deepEqual(r.leftover, []);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.runs.map((run) => run.backend), BACKENDS);
  const backendOf = new Map(doc.runs.map((run) => [run.runId, run.backend]));
  /** backend → kind → task */
  const byBackend = new Map(BACKENDS.map((b) => [b, new Map()]));
  for (const t of doc.tasks) byBackend.get(backendOf.get(t.runId))?.set(JSON.parse(t.input), t);
  for (const backend of BACKENDS) {
    const tasks = defined(byBackend.get(backend), backend);
    assert.equal(tasks.size, KINDS.length, backend);
    for (const [kind, [result, preview]] of Object.entries(EXPECTED)) {
      const t = tasks.get(kind);
      if (result === undefined) {
        assert.equal(t.ok, false, `${backend} ${kind} fails`);
        assert.equal(t.error.name, 'SerializationError', `${backend} ${kind}`);
        assert.equal(t.error.data?.what, 'result');
        assert.equal('result' in t, false);
        continue;
      }
      assert.equal(t.ok, true, `${backend} ${kind}: ${JSON.stringify(t.error)}`);
      assert.deepEqual(t.result, result, `${backend} ${kind} result`);
      assert.equal(t.preview, preview, `${backend} ${kind} preview`);
    }
  }
  // And the same across backends, task by task (not only equal to the table above).
  for (const kind of KINDS) {
    const serial = byBackend.get('serial')?.get(kind);
    for (const backend of BACKENDS.slice(1)) {
      const other = byBackend.get(backend)?.get(kind);
      assert.deepEqual([other.ok, other.result, other.preview, other.error?.name], [serial.ok, serial.result, serial.preview, serial.error?.name], `${kind}: ${backend} vs serial`);
    }
  }
});

test('the table shows what arrived: quoted, escaped strings on one line; Buffer as Uint8Array; class instance as a plain object', { timeout: 60_000 }, async () => {
  const r = await runCli(['run', fixture('value-kinds.ts'), '--fn', 'kind', '--inputs', '["string", "buffer", "classInstance", "circular"]', '--backend', 'serial', '--cache-dir', cache.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kind\("string"\) → "say \\"hi\\"\\nbye"\n/);
  assert.match(r.stdout, /kind\("buffer"\) → Uint8Array\(2\) \[104, 105\]/);
  assert.match(r.stdout, /kind\("classInstance"\) → \{x: 3, y: 4\}/);
  assert.match(r.stdout, /kind\("circular"\) → \{a: 1, self: \[Circular\]\}/);
});
