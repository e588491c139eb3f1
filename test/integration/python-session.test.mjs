// PythonSession: a .py request through the runner's message protocol — compare on one clock, load errors
// with a source location, file-mode script errors as main-error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PythonSession, toPythonBackend, isPythonFile } from '../../dist/python.mjs';
import { TASKS, FIXTURES } from '../fixtures/python/run-helpers.mjs';

async function session(request) {
  const messages = [];
  const done = await new PythonSession({ workers: 2, backend: 'thread', ...request }, (m) => messages.push(m)).run();
  const events = messages.filter((m) => m.type === 'events').flatMap((m) => m.batch);
  return { done, messages, events };
}

test('toPythonBackend and isPythonFile map the toggle onto Python', () => {
  assert.deepEqual(['serial', 'event-loop', 'thread', 'process', 'py-mp-pool'].map(toPythonBackend),
    ['py-serial', 'py-thread', 'py-thread', 'py-process', 'py-mp-pool']);
  assert.equal(isPythonFile('/a/b.py'), true);
  assert.equal(isPythonFile('/a/b.ts'), false);
});

test('compare: py-serial, py-thread, py-process one after another on one clock, one compareId', async () => {
  const { done, events } = await session({ mode: 'compare', file: TASKS, fn: 'square', inputs: [[1], [2], [3]], backends: ['py-serial', 'py-thread', 'py-process'] });
  assert.equal(done.ok, true);
  assert.equal(done.runIds.length, 3);
  const starts = events.filter((e) => e.type === 'run-start');
  assert.deepEqual(starts.map((e) => e.backend), ['py-serial', 'py-thread', 'py-process']);
  assert.equal(new Set(starts.map((e) => e.originUs)).size, 1, 'one shared origin');
  assert.equal(new Set(starts.map((e) => e.compareId)).size, 1);
  assert.match(starts[1].label, /^compare 2\/3 · py-thread · GIL enabled$/);
  const ends = events.filter((e) => e.type === 'run-end');
  for (let i = 1; i < 3; i++) assert.ok(starts[i].t >= ends[i - 1].t, 'runs follow each other on the shared axis');
});

test('a syntax error is a load-error message with the source location', async () => {
  const file = join(FIXTURES, 'broken_syntax.py');
  const { done, messages } = await session({ mode: 'fn', file, fn: 'fine', inputs: [[1]] });
  assert.equal(done.ok, false);
  const loadError = messages.find((m) => m.type === 'load-error');
  assert.equal(loadError.error.name, 'SyntaxError');
  assert.deepEqual({ ...loadError.error.location, column: undefined }, { file, line: 5, column: undefined });
});

test('file mode: a script that raises is a main-error at the raising line', async () => {
  const file = join(FIXTURES, 'raising_script.py');
  const { done, messages } = await session({ mode: 'file', file });
  assert.equal(done.ok, false);
  const mainError = messages.find((m) => m.type === 'main-error');
  assert.equal(mainError.error.name, 'RuntimeError');
  assert.equal(mainError.error.location.line, 6);
  assert.match(mainError.error.stack, /raising_script\.py", line 6, in main/);
});

test('compare with Node backend names (the editor\'s compareBackends setting) runs the Python default set', async () => {
  const { done, events } = await session({ mode: 'compare', file: TASKS, fn: 'square', inputs: [[2]], backends: ['serial', 'event-loop', 'thread', 'process'] });
  assert.equal(done.ok, true);
  const backends = events.filter((e) => e.type === 'run-start').map((e) => e.backend);
  assert.deepEqual(backends.slice(0, 3), ['py-serial', 'py-thread', 'py-process']);
});
