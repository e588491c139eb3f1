// A Python task starts a child in a session of its own (start_new_session=True: out of every process
// group of the run). Holding the run's stdout it used to keep the run from ending; with its output
// redirected it used to be orphaned. Every process of the run carries the run's mark in its
// environment, so at the end it is found in /proc and killed: the run ends, nothing is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alive, runPy } from './py-helpers.mjs';

for (const backend of ['py-process', 'py-mp-pool', 'py-thread', 'py-serial']) {
  for (const hold of [true, false]) {
    test(`${backend}: a start_new_session child ${hold ? 'holding stdout' : 'with stdout redirected'} → the run ends, the child is killed`, async () => {
      const r = await runPy('escaping_child', [[0, hold]], backend, ['--workers', '1'], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      const pid = Number(r.tasks.get(1).result ?? r.tasks.get(1).preview);
      assert.ok(pid > 0, JSON.stringify(r.tasks.get(1)));
      assert.equal(alive(pid), false, `child ${pid} outlived the run`);
      assert.deepEqual(r.leftover, []);
    });
  }
}
