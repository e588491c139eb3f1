// Workers load the task module once, with require() where this Node can require ES modules (faster start)
// and with import() where it cannot (top-level await): either way the module runs once per worker and
// sees its own import.meta.url.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engine, assertNothingLeft } from '../fixtures/pool/harness.mjs';

const fixture = (name) => new URL(`../fixtures/pool/${name}`, import.meta.url).href;

for (const backend of ['thread', 'process', 'event-loop']) {
  for (const name of ['plain-tasks.mjs', 'tla-tasks.mjs']) {
    test(`${backend}: ${name} is evaluated once per worker and knows its own URL`, async () => {
      const pool = engine.createPool({ backend, workers: 1, module: fixture(name) });
      const events = [];
      pool.onTrace((batch) => events.push(...batch));
      const counts = await Promise.all([1, 2, 3].map(() => pool.submit('evaluations', []).promise));
      assert.deepEqual(counts, [1, 1, 1]);
      assert.equal(await pool.submit('moduleUrl', []).promise, fixture(name));
      await pool.close();
      await assertNothingLeft(events);
    });
  }
}
