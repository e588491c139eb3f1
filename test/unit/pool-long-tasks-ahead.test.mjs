// Long tasks are sent one ahead to each worker while the pool's queue still holds two per worker, so a worker
// goes from one task to the next without waiting for the pool to answer its result; near the end of the queue
// they go one at a time (a task sent ahead to a worker whose task runs long would wait while another worker
// idles). Observed through ProcessPoolExecutor's CPython rule: a call handed to a worker counts as running.
// The tasks block on gate files the test creates, so each state is checked while it holds, not raced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, tasks, TASKS_URL, until, use } from '../fixtures/api/helpers.mjs';

const { ProcessPoolExecutor } = api;
const { spin, waitForFile } = tasks;

test('long tasks: one handed ahead while the queue holds two per worker, none near its end', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-ahead-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gate = (name) => join(dir, name);
  const release = (name) => writeFileSync(gate(name), '');
  const ex = use(t, new ProcessPoolExecutor({ maxWorkers: 1, module: TASKS_URL }));
  // The first task makes the task length known (well above a short task's millisecond).
  const a = ex.submit(spin, 30, 'a');
  const [b, c, d, e] = ['b', 'c', 'd', 'e'].map((name) => ex.submit(waitForFile, gate(name), name));
  assert.equal(await a.result(), 'a');
  await until(() => b.running(), 20_000, 'b to start');
  // Queue c, d, e (3 ≥ 2 per worker): c is in the worker's hands behind b; d and e wait in the pool.
  assert.equal(c.running(), true, 'c handed ahead to the worker while the queue is long');
  assert.equal(d.running(), false);
  assert.equal(e.running(), false);
  release('b');
  assert.equal(await b.result(), 'b');
  // c runs now; the queue held d, e (2 ≥ 2) when b's result came: d is handed ahead.
  await until(() => d.running(), 20_000, 'd to be handed ahead');
  assert.equal(e.running(), false, 'e waits in the pool');
  release('c');
  assert.equal(await c.result(), 'c');
  // The queue held only e (1 < 2): near the end, nothing is handed ahead of the running d.
  assert.equal(e.running(), false, 'near the end of the queue a long task is not handed ahead');
  assert.equal(e.cancel(), true, 'still the pool\'s: it can be cancelled');
  release('d');
  assert.equal(await d.result(), 'd');
  await assert.rejects(e.result(), { name: 'CancelledError' });
  release('e');
  await ex.shutdown();
});
