// A plain-Node script that is its own task module (module: import.meta.url) and awaits the pool at
// top level: its own import cannot finish meanwhile, so the API must not wait for it forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../fixtures/api/self-module.mjs', import.meta.url));

for (const backend of ['thread', 'process']) {
  test(`node self-module.mjs (${backend}): top-level await on its own pool works; unexported functions are still refused`, { timeout: 60_000 }, async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, backend], { timeout: 30_000 });
    const out = JSON.parse(stdout);
    assert.deepEqual(out.squares, [1, 4, 9]);
    // The main side could not check (module still evaluating); the worker refused the name.
    assert.equal(out.refused, 'NotExported');
  });
}

for (const backend of ['thread', 'process']) {
  test(`an unguarded script that creates its pool at top level (${backend}): PoolInWorker in the workers, PoolBroken in main, no runaway`, { timeout: 60_000 }, async () => {
    const script = fileURLToPath(new URL('../fixtures/api/unguarded-module.mjs', import.meta.url));
    const error = await run(process.execPath, [script, backend], { timeout: 30_000 }).then(() => undefined, (e) => e);
    assert.ok(error, 'the script must fail');
    assert.notEqual(error.killed, true, 'it ended by itself, in bounded time');
    assert.match(error.stderr, /PoolBroken/);
    assert.match(error.stderr, /PoolInWorker: Cannot create a pool inside pool worker/);
  });
}

test('a task that creates a pool fails with PoolInWorker', { timeout: 30_000 }, async () => {
  const { api, tasks, TASKS_URL } = await import('../fixtures/api/helpers.mjs');
  const pool = new api.Pool(1, { backend: 'thread', module: TASKS_URL });
  try {
    await assert.rejects(pool.apply(tasks.makePool), { name: 'PoolInWorker' });
  } finally {
    await pool.terminate();
  }
});
