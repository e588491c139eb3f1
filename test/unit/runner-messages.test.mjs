// parseFromRunner (src/runner/runner-messages.ts): what launchRunner() accepts from the runner,
// where user code runs. Garbage is dropped (undefined), never thrown on; valid messages pass unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../src/runner/runner-messages.ts', import.meta.url));
const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
const { parseFromRunner } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

const VALID = [
  { type: 'done', ok: true, failed: 0, runIds: ['r1'] },
  { type: 'bundled', cacheHit: false, durationMs: 12.5 },
  { type: 'load-error', error: { name: 'SyntaxError', message: 'x', location: { file: '/a.ts', line: 3, column: 1 } } },
  { type: 'main-error', error: { name: 'Error', message: 'boom', stack: 'Error: boom' } },
  { type: 'results', runId: 'r1', results: [[0, 1], [1, { type: 'bigint', value: '2' }]] },
  { type: 'events', batch: [{ type: 'log', runId: 'r1', seq: 0, t: 1, stream: 'stdout', text: 'hi' }] },
  {
    type: 'trace-columns',
    columns: { runId: 'r1', firstSeq: 0, length: 1, kind: [2], taskId: [1], t: [5], ref: [1], num: [0], text: [null], fns: ['f'], events: [] },
  },
];

const GARBAGE = [
  undefined, null, 42, 'done', [], {}, { type: 42 }, { type: 'nope' }, { type: '__proto__' },
  { type: 'done', ok: 'yes', failed: 0, runIds: [] },
  { type: 'done', ok: true, failed: 1.5, runIds: [] },
  { type: 'done', ok: true, failed: 0, runIds: [7] },
  { type: 'bundled', cacheHit: 1, durationMs: 3 },
  { type: 'load-error', error: 'a string' },
  { type: 'load-error', error: { name: 'E', message: 'm', location: { file: '/a.ts', line: 'one', column: 1 } } },
  { type: 'main-error', error: { name: 1, message: 'm' } },
  { type: 'results', runId: 'r1', results: [[0.5, 1]] },
  { type: 'results', runId: 'r1', results: 'all of them' },
  { type: 'events', batch: [{ type: 'task-end', runId: 'r1', seq: -1, t: 0 }] },
  { type: 'events', batch: 'events' },
  { type: 'trace-columns', columns: { runId: 'r1', firstSeq: 0, length: 5, kind: [2], taskId: [1], t: [5], ref: [1], num: [0], text: [], fns: [], events: [] } },
  { type: 'trace-columns', columns: { runId: 'r1', firstSeq: 0, length: 1, kind: [5], taskId: [1], t: [5], ref: [1], num: [0], text: [], fns: [], events: [{ type: 'evil' }] } },
  JSON.parse('{"type":"done","ok":true,"failed":0,"runIds":[],"__proto__":{"polluted":true}}'),
];

test('parseFromRunner() passes every well-formed runner message through unchanged', () => {
  for (const message of VALID) assert.deepEqual(parseFromRunner(message), message, message.type);
});

test('parseFromRunner() drops unknown types and wrong shapes without throwing', () => {
  for (const message of GARBAGE.slice(0, -1)) {
    let parsed;
    assert.doesNotThrow(() => { parsed = parseFromRunner(message); }, JSON.stringify(message));
    assert.equal(parsed, undefined, `accepted ${JSON.stringify(message)}`);
  }
  // A __proto__ key in JSON is an own property: the message is valid and nothing is polluted.
  assert.ok(parseFromRunner(GARBAGE.at(-1)));
  assert.equal({}.polluted, undefined);
});
