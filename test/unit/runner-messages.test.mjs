// src/runner/runner-messages.ts, both directions of the runner ⇄ parent channel.
// parseFromRunner: what launchRunner() accepts from the runner, where user code runs. Garbage is
// dropped (undefined), never thrown on; valid messages pass unchanged.
// parseToRunner: the run request the runner reads. Garbage throws InvalidRunRequest naming the field;
// and the runner process itself, fed garbage, ends with that error and exit code 1 instead of hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../src/runner/runner-messages.ts', import.meta.url));
const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
/** @type {typeof import('../../src/runner/runner-messages.js')} */
const { parseFromRunner, parseToRunner, InvalidRunRequest } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

const VALID = [
  { type: 'done', ok: true, failed: 0, runIds: ['r1'] },
  { type: 'done', ok: true, failed: 0, runIds: ['r1'], marks: { loadedMonoUs: 1, releasedMonoUs: 2, warmMonoUs: 0.5, firstSubmitMonoUs: 3, prepared: true } },
  { type: 'bundled', cacheHit: false, durationMs: 12.5 },
  { type: 'prepared', ok: true },
  { type: 'bundled', cacheHit: true, durationMs: 1, url: 'file:///home/u/.cache/poolscope/a-0123.mjs' },
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
  { type: 'bundled', cacheHit: true, durationMs: 3, url: 7 },
  { type: 'prepared', ok: 'yes' }, { type: 'prepared' },
  { type: 'done', ok: true, failed: 0, runIds: [], marks: { loadedMonoUs: 'soon' } },
  { type: 'done', ok: true, failed: 0, runIds: [], marks: { prepared: 1 } },
  { type: 'done', ok: true, failed: 0, runIds: [], marks: 5 },
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

const REQUEST = { type: 'run', mode: 'fn', file: '/work/a.ts', fn: 'square', inputs: [[1], [2]], backend: 'thread', workers: 2 };

test('parseToRunner() passes well-formed requests and stop through', () => {
  assert.deepEqual(parseToRunner(REQUEST), REQUEST);
  assert.deepEqual(parseToRunner({ type: 'stop' }), { type: 'stop' });
  const prepare = { type: 'prepare', request: REQUEST, bundleUrl: 'file:///c/a-01.mjs' };
  assert.deepEqual(parseToRunner(prepare), prepare);
  const full = {
    ...REQUEST, mode: 'compare', backends: ['serial', 'thread'], repeat: 3, timeout: 1500.5, cacheDir: '/tmp/c', cacheDirIsDefault: true,
    maxMemoryMb: 512, pythonBackend: 'py-thread', pythonBackends: ['py-serial'], pythonPath: 'python3', pythonPathOption: '--python',
    results: true, cpuSampleMs: 0, scheduler: 'tcp://h:8786', threadsPerWorker: 2, redis: 'redis://h:6379', queue: 'q', concurrency: 4,
  };
  assert.deepEqual(parseToRunner(full), full);
  const ranged = { ...REQUEST, inputs: undefined, inputRange: { start: -5, step: 2, count: 1_000_000 } };
  assert.deepEqual(parseToRunner(ranged), ranged);
});

test('parseToRunner() throws InvalidRunRequest naming the field for wrong types, missing fields and out-of-range numbers', () => {
  /** @type {Array<[unknown, RegExp]>} */
  const cases = [
    [null, /expected an object/], ['{"type":"run"}', /expected an object/], [42, /expected an object/], [[REQUEST], /expected an object/],
    [{ type: 'eval' }, /unknown type/], [{}, /unknown type/],
    [{ ...REQUEST, mode: 'shell' }, /^run request: mode /], [{ ...REQUEST, file: undefined }, /^run request: file /],
    [{ ...REQUEST, file: 7 }, /^run request: file /], [{ ...REQUEST, file: 'x'.repeat(5000) }, /^run request: file /],
    [{ ...REQUEST, fn: 3 }, /^run request: fn /], [{ ...REQUEST, inputs: 'range(10)' }, /^run request: inputs /],
    [{ ...REQUEST, inputs: [[1], 2] }, /^run request: inputs\[1\] /],
    [{ ...REQUEST, inputRange: { start: 0, step: 1, count: -1 } }, /inputRange\.count/],
    [{ ...REQUEST, inputRange: { start: 0, step: 1, count: 1e12 } }, /inputRange\.count/],
    [{ ...REQUEST, inputRange: { start: 2 ** 60, step: 1, count: 1 } }, /inputRange\.start/], [{ ...REQUEST, inputRange: [0, 1, 2] }, /inputRange /],
    [{ ...REQUEST, backend: 'gpu' }, /^run request: backend /], [{ ...REQUEST, backend: undefined }, /^run request: backend /],
    [{ ...REQUEST, backends: 'thread' }, /backends /], [{ ...REQUEST, backends: Array(33).fill('thread') }, /backends /], [{ ...REQUEST, backends: ['thread', 'rm -rf'] }, /backends\[\] /],
    [{ ...REQUEST, workers: 0 }, /workers /], [{ ...REQUEST, workers: -3 }, /workers /], [{ ...REQUEST, workers: 1e12 }, /workers /],
    [{ ...REQUEST, workers: 2.5 }, /workers /], [{ ...REQUEST, workers: '4' }, /workers /], [{ ...REQUEST, workers: NaN }, /workers /],
    [{ ...REQUEST, timeout: 0 }, /timeout /], [{ ...REQUEST, timeout: 2 ** 31 }, /timeout /], [{ ...REQUEST, timeout: Infinity }, /timeout /],
    [{ ...REQUEST, repeat: 0 }, /repeat /], [{ ...REQUEST, maxMemoryMb: -1 }, /maxMemoryMb /], [{ ...REQUEST, cacheDirIsDefault: 'yes' }, /cacheDirIsDefault /],
    [{ ...REQUEST, pythonBackend: 'py-gpu' }, /pythonBackend /], [{ ...REQUEST, cpuSampleMs: -5 }, /cpuSampleMs /],
    [{ ...REQUEST, results: 1 }, /results /], [{ ...REQUEST, concurrency: 0 }, /concurrency /], [{ ...REQUEST, queue: {} }, /queue /],
    [{ type: 'prepare', request: REQUEST }, /bundleUrl /], [{ type: 'prepare', request: REQUEST, bundleUrl: 'x'.repeat(5000) }, /bundleUrl /],
    [{ type: 'prepare', request: { ...REQUEST, workers: 0 }, bundleUrl: 'file:///a.mjs' }, /workers /],
    [{ type: 'prepare', request: { type: 'stop' }, bundleUrl: 'file:///a.mjs' }, /request /],
    [{ type: 'prepare', request: 'run', bundleUrl: 'file:///a.mjs' }, /expected an object/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseToRunner(raw), (e) => e instanceof InvalidRunRequest && e.name === 'InvalidRunRequest' && message.test(e.message),
      `${JSON.stringify(raw)?.slice(0, 100)} → ${message}`);
  }
});

test('the runner process fed a garbage request ends with load-error InvalidRunRequest and exit code 1', async () => {
  const { fork } = await import('node:child_process');
  const runner = fileURLToPath(new URL('../../dist/runner.js', import.meta.url));
  for (const garbage of ['not a request', { type: 'run', mode: 'fn', file: '/a.ts', backend: 'thread', workers: -1 }, { type: 'run' }]) {
    const child = fork(runner, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const messages = [];
    child.on('message', (m) => messages.push(m));
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.send(garbage);
    assert.equal(await exited, 1, JSON.stringify(garbage));
    assert.equal(messages.length, 1, JSON.stringify(messages));
    assert.equal(messages[0].type, 'load-error');
    assert.equal(messages[0].error.name, 'InvalidRunRequest');
    assert.match(messages[0].error.message, /run request|runner message/);
  }
});
