// Scenario 24: hostile or malformed messages from the webview into the host.
// The extension validates every incoming message with `parseFromWebview`
// (src/common/webview-protocol.ts) and drops what it returns `undefined` for. Here that
// validator is fed unknown types, wrong shapes, prototype tricks and huge
// payloads: it must return undefined (never throw, never pollute, never do
// unbounded work) and keep accepting well-formed messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../src/common/webview-protocol.ts', import.meta.url));
// The validator is TypeScript and not a bundle entry of its own: bundle it here, in memory.
const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
const { parseFromWebview, parseToWebview, LIMITS } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

const VALID = [
  { type: 'ready', protocol: 1, lastSeq: { 'run-1': 41 } },
  { type: 'stop' },
  { type: 'set-backend', backend: 'process' },
  { type: 'set-workers', workers: 4 },
  { type: 'export', format: 'csv' },
  { type: 'reveal', file: '/tmp/demo.ts', line: 3, column: 1 },
  { type: 'first-bar', runId: 'run-1', sinceMessageMs: 12.5 },
  { type: 'first-bar', runId: 'run-1', sinceMessageMs: 0, paintedAtEpochMs: 1796000000000.25 },
];

function assertDropped(message, why) {
  let parsed;
  assert.doesNotThrow(() => { parsed = parseFromWebview(message); }, `threw on ${why}`);
  assert.equal(parsed, undefined, `accepted ${why}`);
}

test('parseFromWebview(valid messages) returns them typed (the validator is not just rejecting everything)', () => {
  for (const m of VALID) assert.deepEqual(parseFromWebview(m), m);
});

test('parseFromWebview(non-objects and unknown types) → undefined', () => {
  const junk = [undefined, null, 0, 42, NaN, '', 'stop', true, [], [{ type: 'stop' }], () => 1, Symbol('x'), 10n,
    {}, { type: 'no-such-type' }, { type: 'STOP' }, { type: 7 }, { type: null }, { type: ['stop'] }, { type: { toString: () => 'stop' } },
    { type: 'constructor' }, { type: '__proto__' }, { type: 'hasOwnProperty' }, { type: 'events', batch: [] }];
  for (const m of junk) assertDropped(m, String(typeof m === 'object' ? JSON.stringify(m) : typeof m));
});

test('parseFromWebview(known types with wrong shapes) → undefined', () => {
  const wrong = [
    { type: 'set-workers' }, { type: 'set-workers', workers: 0 }, { type: 'set-workers', workers: -1 },
    { type: 'set-workers', workers: 1.5 }, { type: 'set-workers', workers: '2' }, { type: 'set-workers', workers: Infinity },
    { type: 'set-workers', workers: LIMITS.workers + 1 }, { type: 'set-workers', workers: NaN },
    { type: 'set-backend', backend: 'gpu' }, { type: 'set-backend', backend: 'toString' }, { type: 'set-backend', backend: ['thread'] },
    { type: 'ready' }, { type: 'ready', protocol: '1', lastSeq: {} }, { type: 'ready', protocol: 1, lastSeq: [] },
    { type: 'ready', protocol: 1, lastSeq: { r: 'x' } }, { type: 'ready', protocol: 1, lastSeq: { r: 1.5 } }, { type: 'ready', protocol: 1, lastSeq: null },
    { type: 'export', format: 'pdf' }, { type: 'export', format: 'csv', data: 'smuggled' },
    { type: 'export', format: 'png', data: 'javascript:alert(1)' }, { type: 'export', format: 'png' },
    { type: 'export', format: 'csv', runIds: 'run-1' }, { type: 'export', format: 'csv', runIds: [1, 2] }, { type: 'export', format: 'csv', runIds: [''] },
    { type: 'reveal', file: '', line: 1, column: 1 }, { type: 'reveal', file: '/x.ts', line: 0, column: 1 },
    { type: 'reveal', file: '/x.ts', line: '3', column: 1 }, { type: 'reveal', file: { path: '/x.ts' }, line: 1, column: 1 },
    { type: 'rendered', runs: -1, lanes: 0, bars: 0, events: 0 }, { type: 'rendered', runs: 1 },
    { type: 'first-bar', runId: 'r' }, { type: 'first-bar', runId: '', sinceMessageMs: 1 }, { type: 'first-bar', runId: 7, sinceMessageMs: 1 },
    { type: 'first-bar', runId: 'r', sinceMessageMs: -1 }, { type: 'first-bar', runId: 'r', sinceMessageMs: NaN },
    { type: 'first-bar', runId: 'r', sinceMessageMs: Infinity }, { type: 'first-bar', runId: 'r', sinceMessageMs: 1, paintedAtEpochMs: 'now' },
    { type: 'first-bar', runId: 'r', sinceMessageMs: 1, paintedAtEpochMs: -5 }, { type: 'first-bar', runId: 'r'.repeat(LIMITS.runIdChars + 1), sinceMessageMs: 1 },
  ];
  for (const m of wrong) assertDropped(m, JSON.stringify(m));
});

test('parseFromWebview(huge payloads) → undefined, in bounded time', () => {
  const started = Date.now();
  const hugePath = '/'.padEnd(LIMITS.pathChars + 1, 'a');
  assertDropped({ type: 'reveal', file: hugePath, line: 1, column: 1 }, 'a path over the limit');
  const manyRuns = Object.fromEntries(Array.from({ length: LIMITS.runs + 1 }, (_, i) => [`run-${i}`, i]));
  assertDropped({ type: 'ready', protocol: 1, lastSeq: manyRuns }, 'lastSeq over the run limit');
  assertDropped({ type: 'export', format: 'csv', runIds: Array.from({ length: LIMITS.runs + 1 }, (_, i) => `r${i}`) }, 'runIds over the limit');
  assertDropped({ type: 'ready', protocol: 1, lastSeq: { ['r'.repeat(LIMITS.runIdChars + 1)]: 1 } }, 'a run id over the limit');
  const hugePng = 'data:image/png;base64,'.padEnd(LIMITS.pngDataChars + 10, 'A');
  assertDropped({ type: 'export', format: 'png', data: hugePng }, 'a PNG data URL over the limit');
  // 10 MB of junk in fields the validator does not read is simply not copied into the result.
  const parsed = parseFromWebview({ type: 'stop', junk: 'z'.repeat(10 * 1024 * 1024) });
  assert.deepEqual(parsed, { type: 'stop' });
  // Generous: this guards against unbounded work (e.g. walking 20 M entries), not against a slow machine.
  assert.ok(Date.now() - started < 20_000, `validation took ${Date.now() - started} ms`);
});

test('parseFromWebview(prototype tricks) neither pollutes Object.prototype nor passes extra keys through', () => {
  const tricks = [
    JSON.parse('{"type":"ready","protocol":1,"lastSeq":{"__proto__":{"polluted":1}}}'),
    JSON.parse('{"type":"ready","protocol":1,"lastSeq":{"__proto__":5,"constructor":1}}'),
    JSON.parse('{"type":"set-workers","workers":2,"__proto__":{"polluted":1}}'),
    JSON.parse('{"__proto__":{"type":"stop"}}'),
  ];
  for (const m of tricks) {
    assert.doesNotThrow(() => parseFromWebview(m));
  }
  assert.equal('polluted' in {}, false);
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
  assert.equal(parseFromWebview(JSON.parse('{"__proto__":{"type":"stop"}}')), undefined, 'an inherited type is not a type');
  const sw = parseFromWebview(JSON.parse('{"type":"set-workers","workers":2,"__proto__":{"polluted":1}}'));
  assert.deepEqual(Object.keys(sw).sort(), ['type', 'workers']);
});

test('parseFromWebview(cyclic and deeply nested values) → no crash', () => {
  const cyclic = { type: 'ready', protocol: 1, lastSeq: {} };
  cyclic.lastSeq.self = cyclic;
  assertDropped(cyclic, 'a cyclic lastSeq');
  /** @typedef {{ next?: Chain }} Chain */
  /** @type {Chain} */
  let deep = {};
  const root = deep;
  for (let i = 0; i < 100_000; i++) { deep.next = {}; deep = deep.next; }
  assertDropped({ type: 'set-workers', workers: root }, 'a 100 000-deep object');
  // And the validator still accepts good messages afterwards (it keeps no state).
  for (const m of VALID) assert.deepEqual(parseFromWebview(m), m);
});

test('parseToWebview(events with malformed trace events) → undefined (the webview side drops them too)', () => {
  const good = { type: 'task-start', runId: 'r', seq: 0, t: 1, taskId: 1, workerId: 1 };
  assert.deepEqual(parseToWebview({ type: 'events', batch: [good] }), { type: 'events', batch: [good] });
  for (const bad of [{ ...good, type: 'evil' }, { ...good, seq: -1 }, { ...good, t: 'now' }, { ...good, runId: '' }, null, 'x']) {
    assert.equal(parseToWebview({ type: 'events', batch: [good, bad] }), undefined, JSON.stringify(bad));
  }
  assert.equal(parseToWebview({ type: 'events', batch: 'not a list' }), undefined);
});
