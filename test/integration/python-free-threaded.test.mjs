// Free-threaded CPython: detected and offered as py-thread-ft where installed; elsewhere a clear, named
// "not available" — never a silent fallback to a GIL build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probePython, findFreeThreadedPython } from '../../dist/python.mjs';
import { runCollect } from '../fixtures/python/run-helpers.mjs';

test('probePython("python3") reports a regular CPython 3 with the GIL enabled', async () => {
  const info = await probePython('python3');
  assert.ok(info, 'python3 runs');
  assert.match(info.version, /^3\.\d+\.\d+$/);
  assert.equal(info.freeThreadedBuild, false);
  assert.equal(info.gilEnabled, true);
  assert.equal(await probePython('/nonexistent/python3t'), undefined);
});

test('py-thread-ft: runs on a free-threaded build labelled "GIL disabled", or fails as FreeThreadedPythonNotFound', async () => {
  const ft = await findFreeThreadedPython();
  const { result, runStart, runEnd } = await runCollect({ backend: 'py-thread-ft', fn: 'count', inputs: [[100_000], [100_000]] });
  if (ft) {
    assert.equal(result.ok, true);
    assert.equal(runStart.label, 'free-threaded (GIL disabled)');
    assert.match(runStart.node, /free-threaded/);
  } else {
    assert.equal(result.ok, false);
    assert.equal(result.error.name, 'FreeThreadedPythonNotFound');
    assert.equal(runEnd.error.name, 'FreeThreadedPythonNotFound');
    assert.match(runEnd.error.message, /python3\.13t/);
  }
});
