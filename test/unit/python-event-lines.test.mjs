// parsePythonEventLine (src/runner/python/event-lines.ts): the check of each line the Python runner writes
// on its events pipe, which user code in that process can also write to. Well-formed events pass unchanged;
// anything else throws InvalidPythonEvent saying which field of which event type is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../src/runner/python/event-lines.ts', import.meta.url));
const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
/** @type {typeof import('../../src/runner/python/event-lines.js')} */
const { parsePythonEventLine, InvalidPythonEvent, MAX_EVENT_LINE_CHARS } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

const GOOD = [
  { type: 'run-start', t: 0, backend: 'py-thread', workers: 2, file: '/a.py', inputsCount: 3, node: '3.11.4', pid: 10, originUs: 123.5, label: 'GIL' },
  { type: 'worker-start', t: 5, workerId: 1, name: 'ThreadPoolExecutor-0_0', pid: 10, threadId: 77, tid: 77, startupUs: 0 },
  { type: 'worker-start', t: 5, workerId: 2, name: 'dask', pid: 10, threadId: 77, startupUs: 3, host: 'node-2' },
  { type: 'task-queued', t: 6, taskId: 0, fn: 'square', inputPreview: '3' },
  { type: 'task-start', t: 7, taskId: 0, workerId: 1 },
  { type: 'task-end', t: 8, taskId: 0, workerId: 1, ok: true, resultPreview: '9', cpuUs: 0.5 },
  { type: 'task-end', t: 8, taskId: 1, workerId: 0, ok: false, error: { name: 'ValueError', message: 'x', stack: 'Traceback', data: { type: 'builtins.ValueError' } } },
  { type: 'log', t: 9, stream: 'stdout', text: 'hi\n', taskId: 0, workerId: 1 },
  { type: 'worker-exit', t: 10, workerId: 1, code: null, signal: null, reason: 'idle' },
  { type: 'run-end', t: 11, stats: { wallUs: 11, tasks: 2, ok: 1, failed: 1, taskUs: 1, pids: [10], threadIds: [77], workersStarted: 1 } },
];

test('well-formed Python events pass unchanged', () => {
  for (const e of GOOD) assert.deepEqual(parsePythonEventLine(JSON.stringify(e)), e, e.type);
});

test('garbage lines throw InvalidPythonEvent naming what is wrong', () => {
  /** @type {Array<[string, RegExp]>} */
  const cases = [
    ['not json', /not JSON/], ['', /not JSON/], ['{"type": "task-start", "t": NaN}', /not JSON/], ['[1, 2]', /an array, not an object/],
    ['"run-end"', /not an object/], ['null', /null, not an object/], ['42', /42, not an object/],
    ['{"t": 1}', /unknown type missing/], ['{"type": "cpu-sample", "t": 1}', /unknown type/], ['{"type": {"x": 1}}', /unknown type/],
    ['{"type": "task-start", "t": 1, "taskId": -1, "workerId": 0}', /task-start\.taskId is -1/],
    ['{"type": "task-start", "t": 1, "taskId": 1e30, "workerId": 0}', /task-start\.taskId is 1e\+30/],
    ['{"type": "task-start", "t": 1, "taskId": 0.5, "workerId": 0}', /taskId is 0\.5/],
    ['{"type": "task-start", "t": 1e999, "taskId": 0, "workerId": 0}', /task-start\.t is Infinity/],
    ['{"type": "task-start", "t": "1", "taskId": 0, "workerId": 0}', /task-start\.t is the string "1"/],
    ['{"type": "task-start", "t": 1, "taskId": 0}', /task-start\.workerId is missing/],
    ['{"type": "task-end", "t": 1, "taskId": 0, "workerId": 0, "ok": 1}', /task-end\.ok is 1/],
    ['{"type": "task-end", "t": 1, "taskId": 0, "workerId": 0, "ok": false, "error": "boom"}', /task-end\.error/],
    ['{"type": "task-end", "t": 1, "taskId": 0, "workerId": 0, "ok": true, "resultPreview": 9}', /resultPreview is 9/],
    ['{"type": "log", "t": 1, "stream": "fd9", "text": "x"}', /log\.stream/],
    ['{"type": "worker-exit", "t": 1, "workerId": 0, "code": "0", "signal": null, "reason": "idle"}', /worker-exit\.code/],
    ['{"type": "worker-exit", "t": 1, "workerId": 0, "code": 0, "signal": null, "reason": "bored"}', /worker-exit\.reason/],
    ['{"type": "run-end", "t": 1}', /run-end\.stats is missing/],
    ['{"type": "run-start", "t": 0, "backend": "py-thread", "workers": -2, "inputsCount": 0, "node": "3", "pid": 1, "originUs": 0}', /run-start\.workers is -2/],
    [`{"type": "log", "t": 1, "stream": "stdout", "text": "${'x'.repeat(MAX_EVENT_LINE_CHARS)}"}`, /characters \(at most/],
  ];
  for (const [line, message] of cases) {
    assert.throws(() => parsePythonEventLine(line), (e) => e instanceof InvalidPythonEvent && e.name === 'InvalidPythonEvent' && message.test(e.message),
      `${line.slice(0, 100)} → ${message}`);
  }
});
