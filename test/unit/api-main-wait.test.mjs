// The main program's lane: many waits on the pool make one span per continuous waiting period, not one per
// call (50 000 get()/result() calls would otherwise be 50 000 spans), and the last period is recorded before
// the run ends.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone, recorder } from '../fixtures/api/helpers.mjs';

const { Pool, ThreadPoolExecutor, wait, asCompleted } = api;
const { square, sleep } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

const N = 3000;

test('concurrent get() calls on many results: one main-wait span for the whole waiting period', { timeout: 60_000 }, async () => {
  const trace = recorder();
  const pool = new Pool(2, { backend: 'thread', module: TASKS_URL, onTrace: trace.onTrace });
  const rs = Array.from({ length: N }, (_, i) => pool.applyAsync(square, [i]));
  const values = await Promise.all(rs.map((r) => r.get()));
  assert.equal(values[N - 1], (N - 1) ** 2);
  pool.close();
  await pool.join();
  const waits = trace.of('main-wait');
  assert.equal(waits.length, 1, `spans: ${waits.map((w) => w.label).join(' | ')}`);
  assert.equal(waits[0].label, `applyAsync(square).get() (${N} waits)`);
  assert.ok(waits[0].end > waits[0].start);
});

test('sequential result() calls: spans merge across back-to-back waits (far fewer spans than calls)', { timeout: 60_000 }, async () => {
  const trace = recorder();
  const ex = new ThreadPoolExecutor({ maxWorkers: 2, module: TASKS_URL, onTrace: trace.onTrace });
  const fs = Array.from({ length: N }, (_, i) => ex.submit(square, i));
  let sum = 0;
  for (const f of fs) sum += await f.result();
  assert.equal(sum, fs.reduce((s, _, i) => s + i * i, 0));
  await ex.shutdown();
  const waits = trace.of('main-wait');
  assert.ok(waits.length >= 1 && waits.length < N / 10, `${waits.length} spans for ${N} result() calls`);
  // Spans never overlap: each is one waiting period of the one main program.
  for (let i = 1; i < waits.length; i++) assert.ok(waits[i].start >= waits[i - 1].end, 'spans in order, disjoint');
});

test('a wait still open when the run ends is recorded before run-end; wait() and asCompleted() share the lane', { timeout: 60_000 }, async () => {
  const trace = recorder();
  const ex = new ThreadPoolExecutor({ maxWorkers: 2, module: TASKS_URL, onTrace: trace.onTrace });
  const fs = [ex.submit(sleep, 150, 'a'), ex.submit(sleep, 150, 'b')];
  const { done } = await wait(fs);
  assert.equal(done.size, 2);
  const more = [ex.submit(sleep, 100, 'c'), ex.submit(sleep, 120, 'd')];
  const order = [];
  for await (const f of asCompleted(more)) order.push(await f.result());
  assert.deepEqual(order.sort(), ['c', 'd']);
  await ex.shutdown();
  const labels = trace.of('main-wait').map((w) => w.label);
  assert.ok(labels.some((l) => l.startsWith('wait(2 futures, ALL_COMPLETED)')), labels.join(' | '));
  assert.ok(labels.some((l) => l.startsWith('asCompleted(2 futures)')), labels.join(' | '));
  const types = trace.events.map((e) => e.type);
  assert.ok(types.lastIndexOf('main-wait') < types.indexOf('run-end'), 'every span comes before run-end');
});

test("a span's label names the call and the function it waited on (future.result, pool.apply, get, wait; mixed waits)", { timeout: 60_000 }, async () => {
  const trace = recorder();
  const ex = new ThreadPoolExecutor({ maxWorkers: 1, module: TASKS_URL, onTrace: trace.onTrace });
  assert.equal(await ex.submit(sleep, 60, 'a').result(), 'a');
  await ex.shutdown();
  const pool = new Pool(1, { backend: 'thread', module: TASKS_URL, onTrace: trace.onTrace });
  assert.equal(await pool.apply(sleep, [60, 'b']), 'b');
  const r = pool.applyAsync(sleep, [60, 'c']);
  await r.wait();
  assert.equal(await r.get(), 'c', 'ready: no wait');
  // Two different calls in one waiting period: the span says the first and that others joined it.
  const [x, y] = [pool.applyAsync(sleep, [80, 'x']), pool.applyAsync(square, [3])];
  assert.deepEqual(await Promise.all([x.get(), y.get()]), ['x', 9]);
  pool.close();
  await pool.join();
  const labels = trace.of('main-wait').map((w) => w.label);
  assert.deepEqual(labels, [
    'future.result(sleep)',
    'pool.apply(sleep)',
    'applyAsync(sleep).wait()',
    'applyAsync(sleep).get() … (2 waits)',
  ]);
});
