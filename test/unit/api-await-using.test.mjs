// `await using` in a user's TypeScript file, bundled by esbuild as the runner does: leaving the block
// disposes the pool (terminate, like Python's with Pool()) and the executor (shutdown(wait=True)).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { api, childrenGone, recorder, until } from '../fixtures/api/helpers.mjs';

const apiUrl = new URL('../../dist/api.mjs', import.meta.url).href;
const outDir = mkdtempSync(join(tmpdir(), 'poolscope-await-using-'));

after(async () => {
  rmSync(outDir, { recursive: true, force: true });
  assert.deepEqual(await childrenGone(), []);
});

test('await using pool / executor in a bundled .ts file: both disposed at the end of the block', { timeout: 60_000 }, async () => {
  const outfile = join(outDir, 'await-using.mjs');
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../fixtures/api/await-using.mts', import.meta.url))],
    outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error',
    plugins: [{ name: 'poolscope', setup: (b) => b.onResolve({ filter: /^poolscope$/ }, () => ({ path: apiUrl, external: true })) }],
  });
  await esbuild.stop(); // esbuild's service is a child process of ours
  const trace = recorder();
  const url = pathToFileURL(outfile).href;
  api.configureRuntime({ defaultModule: url, onTrace: trace.onTrace });
  const { default: main } = await import(url);
  const out = await main();
  assert.deepEqual(out, { resultsInside: [1, 4, 9], poolAfterBlock: 'PoolClosed', executorAfterBlock: 'PoolClosed' });
  // Both runs ended inside the block; the unawaited submit ran to completion before the executor's run ended.
  await until(() => trace.of('run-end').length >= 2, 10_000, 'both runs to deliver run-end');
  const ends = trace.of('run-end');
  assert.equal(ends.length, 2);
  const squares = trace.of('task-end').filter((e) => e.ok).map((e) => e.resultPreview);
  assert.ok(squares.includes('81'), `results: ${squares}`);
});
