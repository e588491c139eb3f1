// wait() and asCompleted() — concurrent.futures.wait(return_when=…) and as_completed(timeout).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, tasks, TASKS_URL, childrenGone, rejectsNamed, use } from '../fixtures/api/helpers.mjs';

const { PoolExecutor, wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } = api;
const { sleep, failLater } = tasks;

after(async () => {
  assert.deepEqual(await childrenGone(), []);
});

// One event-loop thread with every task in flight: timers overlap, so finishing order is the timers' order.
// Its worker is up before the test starts timing, and it is shut down when the test ends.
async function executor(t) {
  const ex = use(t, new PoolExecutor({ backend: 'event-loop', maxWorkers: 8, module: TASKS_URL }));
  await ex.submit(sleep, 0).result();
  return ex;
}

test('wait(fs) defaults to ALL_COMPLETED', { timeout: 30_000 }, async (t) => {
  const ex = await executor(t);
  const fs = [30, 10, 60].map((ms) => ex.submit(sleep, ms));
  const { done, notDone } = await wait(fs);
  assert.equal(done.size, 3);
  assert.equal(notDone.size, 0);
  const again = await wait(fs, { returnWhen: ALL_COMPLETED });
  assert.equal(again.done.size, 3);
});

test('wait(fs, { returnWhen: FIRST_COMPLETED }) returns once one is done', { timeout: 30_000 }, async (t) => {
  const ex = await executor(t);
  const fast = ex.submit(sleep, 20);
  const slow = [ex.submit(sleep, 1000), ex.submit(sleep, 1000)];
  const { done, notDone } = await wait([fast, ...slow], { returnWhen: FIRST_COMPLETED });
  assert.deepEqual([...done], [fast]);
  assert.deepEqual(new Set(notDone), new Set(slow));
  for (const f of slow) f.cancel();
});

test('wait(fs, { returnWhen: FIRST_EXCEPTION }) returns at the first failure, or when all are done', { timeout: 30_000 }, async (t) => {
  const ex = await executor(t);
  const failing = ex.submit(failLater, 30, 'boom');
  const ok = ex.submit(sleep, 10);
  const slow = ex.submit(sleep, 1000);
  const { done, notDone } = await wait([failing, ok, slow], { returnWhen: FIRST_EXCEPTION });
  assert.ok(done.has(failing));
  assert.ok(done.has(ok));
  assert.deepEqual([...notDone], [slow]);
  assert.equal((await failing.exception()).name, 'RangeError');
  // Without any failure it is ALL_COMPLETED.
  const fine = [ex.submit(sleep, 10), ex.submit(sleep, 40)];
  const all = await wait(fine, { returnWhen: FIRST_EXCEPTION });
  assert.equal(all.done.size, 2);
  assert.equal(all.notDone.size, 0);
});

test('wait(fs, { timeout }) returns the unfinished ones in notDone, without raising', { timeout: 30_000 }, async (t) => {
  const ex = await executor(t);
  const quick = ex.submit(sleep, 5);
  const long = ex.submit(sleep, 1500);
  const { done, notDone } = await wait([quick, long], { timeout: 600 });
  assert.deepEqual([...done], [quick]);
  assert.deepEqual([...notDone], [long]);
  // @ts-expect-error an unknown returnWhen, on purpose
  await assert.rejects(wait([quick], { returnWhen: 'SOMETIMES' }), { name: 'RangeError' });
});

test('asCompleted(fs) yields futures in the order they finish', { timeout: 30_000 }, async (t) => {
  const ex = await executor(t);
  const fs = [300, 10, 150].map((ms) => ex.submit(sleep, ms));
  const order = [];
  for await (const f of asCompleted(fs)) order.push(await f.result());
  assert.deepEqual(order, [10, 150, 300]);
  // Already finished futures come first, at once.
  const again = [];
  for await (const f of asCompleted([...fs].reverse())) again.push(await f.result());
  assert.equal(again.length, 3);
});

test('asCompleted(fs, timeout) raises TimeoutError when some are unfinished by then', { timeout: 30_000 }, async (t) => {
  const ex = await executor(t);
  const fs = [ex.submit(sleep, 10), ex.submit(sleep, 1500)];
  const seen = [];
  const error = await rejectsNamed((async () => {
    for await (const f of asCompleted(fs, 600)) seen.push(await f.result());
  })(), 'TimeoutError');
  assert.deepEqual(seen, [10]);
  assert.match(error.message, /1 \(of 2\) futures unfinished/);
  fs[1].cancel();
});
