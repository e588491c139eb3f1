// findPythonFunctions(source): the module-level functions a Python pool can run (for CodeLens / pick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findPythonFunctions, findPythonRunnables, pythonFunctionAtLine } from '../../dist/python.mjs';
import { defined } from '../fixtures/trace-events.mjs';

test('findPythonFunctions(tasks.py) lists the top-level public defs with lines and params', () => {
  const source = readFileSync(new URL('../../examples/python/tasks.py', import.meta.url), 'utf8');
  const fns = findPythonFunctions(source);
  assert.deepEqual(fns.map((f) => f.name), ['count_primes', 'fib', 'hash_rounds', 'sleep_io', 'whoami', 'flaky']);
  const lines = source.split('\n');
  for (const f of fns) assert.match(lines[f.line], new RegExp(`^def ${f.name}\\(`));
  assert.deepEqual(fns.find((f) => f.name === 'whoami')?.params, ['_']);
});

test('findPythonFunctions skips methods, nested and private defs, and code inside docstrings', () => {
  const source = [
    '"""Module doc.',
    'def in_docstring(x):',
    '"""',
    'async def fetch(url, *, timeout: float = 1.0, **kw):',
    '    def inner(): pass',
    'class A:',
    '    def method(self): pass',
    'def _private(): pass',
    'def ok(a, b=2, /, *args):',
    '    return a',
  ].join('\n');
  assert.deepEqual(findPythonFunctions(source), [
    { name: 'fetch', line: 3, params: ['url', 'timeout', 'kw'], isAsync: true },
    { name: 'ok', line: 8, params: ['a', 'b', 'args'], isAsync: false },
  ]);
});

test('findPythonRunnables(unify.py): its functions to run in a pool, and the __main__ guard as "Run file"', () => {
  const source = readFileSync(new URL('../../examples/python/unify.py', import.meta.url), 'utf8');
  const runnables = findPythonRunnables(source);
  assert.deepEqual(runnables.map((r) => [r.name, r.isDefault]), [['get_title', false], ['main', false], ['__main__', true]]);
  assert.match(source.split('\n')[defined(runnables.at(-1)).line], /^if __name__ == '__main__':/);
});

test('pythonFunctionAtLine(source, line): the function the cursor is in', () => {
  const source = ['import os', '', 'def a(x):', '    return x', '', 'LIMIT = 3', '', 'async def b():', '    pass'].join('\n');
  assert.equal(pythonFunctionAtLine(source, 0), undefined);
  assert.equal(pythonFunctionAtLine(source, 3)?.name, 'a');
  assert.equal(pythonFunctionAtLine(source, 4)?.name, 'a');
  assert.equal(pythonFunctionAtLine(source, 5), undefined, 'a top-level statement ends the function');
  assert.equal(pythonFunctionAtLine(source, 8)?.name, 'b');
});
