// A raising Python task fails alone, with the Python traceback pointing at the user's .py line;
// load problems are reported by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCollect, TASKS, FIXTURES } from '../fixtures/python/run-helpers.mjs';

const RAISE_LINE = readFileSync(TASKS, 'utf8').split('\n').findIndex((l) => l.includes("raise ValueError('three")) + 1;

for (const backend of /** @type {const} */ (['py-serial', 'py-thread', 'py-process', 'py-mp-pool'])) {
  test(`${backend}: a raising task shows the Python traceback at the raising line; the others succeed`, async () => {
    const { result, ends } = await runCollect({ backend, fn: 'fail_on', inputs: [[1], [2], [3], [4]] });
    assert.equal(result.ok, false);
    assert.equal(result.failed, 1);
    assert.equal(ends.length, 4, 'every task settled exactly once');
    const failed = ends.find((e) => e.taskId === 3);
    assert.equal(failed.ok, false);
    assert.equal(failed.error.name, 'ValueError');
    assert.equal(failed.error.message, 'three is not allowed');
    assert.match(failed.error.stack, new RegExp(`File "${TASKS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", line ${RAISE_LINE}, in fail_on`));
    assert.match(failed.error.stack, /^Traceback \(most recent call last\):/);
    assert.doesNotMatch(failed.error.stack, /poolscope_/, 'PoolScope\'s own frames are not shown');
    assert.equal(failed.error.data.line, RAISE_LINE);
    assert.equal(failed.error.data.file, TASKS);
    assert.deepEqual(ends.filter((e) => e.ok).map((e) => e.resultPreview).sort(), ['1', '2', '4']);
  });
}

test('a missing function is a FunctionNotFound load error', async () => {
  const { result, runEnd, ends } = await runCollect({ backend: 'py-thread', fn: 'no_such_fn', inputs: [[1]] });
  assert.equal(result.ok, false);
  assert.equal(result.loadError.name, 'FunctionNotFound');
  assert.equal(runEnd.error.name, 'FunctionNotFound');
  assert.equal(ends.length, 0);
});

test('a syntax error is a SyntaxError load error at its line', async () => {
  const file = join(FIXTURES, 'broken_syntax.py');
  const { result } = await runCollect({ file, backend: 'py-process', fn: 'fine', inputs: [[1]] });
  assert.equal(result.loadError.name, 'SyntaxError');
  assert.equal(result.loadError.data.line, 5);
  assert.equal(result.loadError.data.file, file);
});

test('a missing interpreter is PythonNotFound, and the run still ends', async () => {
  const { result, runEnd, runStart } = await runCollect({ backend: 'py-thread', fn: 'square', inputs: [[1]], pythonPath: '/nonexistent/python3' });
  assert.equal(result.ok, false);
  assert.equal(result.error.name, 'PythonNotFound');
  assert.equal(runEnd.error.name, 'PythonNotFound');
  assert.ok(runStart, 'run-start precedes run-end');
});

test('an async def task is awaited in its worker', async () => {
  const { result, ends } = await runCollect({ backend: 'py-process', fn: 'async_nap', inputs: [[10], [20]] });
  assert.equal(result.ok, true);
  assert.deepEqual(ends.map((e) => e.resultPreview).sort(), ['20', '40']);
});

test('a task that prints more than 1 MiB is cut there, with a note, and still finishes', async () => {
  const { result, events } = await runCollect({ backend: 'py-process', fn: 'chatty', inputs: [[20_000], [3]] });
  assert.equal(result.ok, true);
  const textOf = (taskId) => events.filter((e) => e.type === 'log' && e.taskId === taskId).map((e) => e.text).join('');
  const big = textOf(1);
  assert.ok(big.length <= 1024 * 1024 + 200, `capped: ${big.length}`);
  assert.ok(big.length >= 1024 * 1024 - 200, `kept up to the cap: ${big.length}`);
  assert.match(big, /output of this task truncated at 1048576 characters/);
  assert.equal(textOf(2).split('\n').filter(Boolean).length, 3);
});
