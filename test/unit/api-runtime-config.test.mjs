// configureRuntime() — how the runner makes `new Pool()` in a user's script default to the user's module,
// the toggle's backend and size, one shared clock, and a trace sink.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone } from '../fixtures/api/helpers.mjs';

const { Pool, PoolExecutor, configureRuntime, resetRuntime, runtimeConfig } = api;

afterEach(() => resetRuntime());
after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

test('configureRuntime({ defaultModule, defaultBackend, defaultWorkers, originUs, onTrace }) shapes every new pool', { timeout: 30_000 }, async () => {
  const batches = [];
  const originUs = Math.round(performance.timeOrigin * 1000) % 1e9; // any fixed origin
  configureRuntime({ defaultModule: TASKS_URL, defaultBackend: 'thread', defaultWorkers: 3, onTrace: (b) => batches.push(b) });
  configureRuntime({ originUs }); // merges: the rest stays
  assert.equal(runtimeConfig().defaultBackend, 'thread');
  const pool = new Pool();
  assert.equal(pool.backend, 'thread');
  assert.equal(pool.processes, 3);
  assert.equal(pool.module, TASKS_URL);
  assert.deepEqual(await pool.map(tasks.square, [2, 3]), [4, 9]);
  await pool.terminate();
  const ex = new PoolExecutor();
  assert.equal(await ex.submit(tasks.add, 1, 2).result(), 3);
  await ex.shutdown();
  const events = batches.flat();
  const starts = events.filter((e) => e.type === 'run-start');
  assert.equal(starts.length, 2, 'both runs report to the runtime sink');
  for (const s of starts) assert.equal(s.originUs, originUs);
  assert.equal(new Set(starts.map((s) => s.runId)).size, 2);
  assert.ok(events.some((e) => e.type === 'main-wait' && e.label === 'pool.map(square) × 2'));
});

test('configureRuntime({ engine }) passes engine options to every pool; a pool\'s own engine option wins', { timeout: 30_000 }, async () => {
  configureRuntime({ defaultModule: TASKS_URL, engine: { execArgv: ['--max-old-space-size=123'], runId: 'not-shared' } });
  const pool = new Pool(1, { backend: 'process' });
  const own = new Pool(1, { backend: 'process', engine: { execArgv: ['--max-old-space-size=77'] } });
  try {
    assert.deepEqual(await pool.apply(tasks.nodeFlags), ['--max-old-space-size=123']);
    assert.deepEqual(await own.apply(tasks.nodeFlags), ['--max-old-space-size=77']);
    assert.notEqual(pool.runId, 'not-shared', 'each pool is its own run');
  } finally {
    await Promise.all([pool.terminate(), own.terminate()]);
  }
});

test('configureRuntime rejects an unknown backend or a bad size', () => {
  // @ts-expect-error an unknown backend, on purpose
  assert.throws(() => configureRuntime({ defaultBackend: 'gpu' }), { name: 'RangeError' });
  assert.throws(() => configureRuntime({ defaultWorkers: 0 }), { name: 'RangeError' });
});

test('the settings live on globalThis, so a second copy of the API sees them', async () => {
  configureRuntime({ defaultBackend: 'process' });
  const copy = await import(`../../dist/api.mjs?copy=${Date.now()}`);
  assert.notEqual(copy.Pool, Pool);
  assert.equal(copy.runtimeConfig().defaultBackend, 'process');
});
