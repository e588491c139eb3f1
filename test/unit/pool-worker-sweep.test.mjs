// When a worker exits, the pool later scans /proc for anything still carrying that worker's mark (whatever
// escaped its process group). When the whole pool ends, its own sweep (the pool's mark, which every worker's
// descendants carry too) makes those per-worker scans needless — and left to run, half a second after the exit,
// each cost ~10 ms of CPU inside whatever ran next: in `compare`, the next backend's timed task phase.
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { assertNothingLeft, eventually, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

// Every /proc scan starts with a listing of /proc. The engine imports readdirSync by name: syncBuiltinESMExports()
// carries the counting wrapper into those bindings.
let procListings = 0;
const readdirSync = fs.readdirSync;
fs.readdirSync = function countingReaddirSync(path, ...rest) {
  if (path === '/proc') procListings++;
  return Reflect.apply(readdirSync, fs, [path, ...rest]);
};
syncBuiltinESMExports();

// The timers a test's pool sets, by async id → delay. A sweep is due after a grace period (500 ms); the exit
// paths also leave long fallbacks (10 s) that are not sweeps. `_idleTimeout` is a Timeout's delay.
const SWEEP_DELAY_LIMIT_MS = 2000;
const pendingTimers = new Map();
createHook({
  init(id, type, _trigger, resource) {
    if (type === 'Timeout') pendingTimers.set(id, /** @type {{ _idleTimeout: number }} */ (resource)._idleTimeout);
  },
  destroy(id) { pendingTimers.delete(id); },
}).enable();

/** Resolves once no timer that could be a sweep is pending (each fired, or was cleared). */
async function shortTimersDone() {
  while ([...pendingTimers.values()].some((ms) => ms > 0 && ms <= SWEEP_DELAY_LIMIT_MS)) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Polls `condition` until it holds, up to `ms` (for state that is not a trace event: `eventually` waits for those). */
async function waitFor(condition, ms = 10_000) {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

for (const backend of ['thread', 'process']) {
  test(`${backend}: after close(), the pool's own sweep is the last /proc scan (no per-worker scan follows)`, { skip: process.platform !== 'linux' && '/proc is Linux only' }, async () => {
    const { pool, events } = tracedPool({ backend, workers: 2 });
    const results = await Promise.all([1, 2, 3, 4].map((x) => pool.submit('square', [x]).promise));
    assert.deepEqual(results, [1, 4, 9, 16]);
    const before = procListings;
    await pool.close();
    const afterClose = procListings;
    assert.ok(afterClose > before, 'close() swept the pool\'s mark');
    await shortTimersDone();
    assert.equal(procListings, afterClose, 'a per-worker scan ran after the pool had swept');
    assert.equal(ofType(events, 'worker-exit').length, 2);
    await assertNothingLeft(events);
  });

  test(`${backend}: a worker that exits while the pool goes on is still swept after its grace period`, { skip: process.platform !== 'linux' && '/proc is Linux only' }, async () => {
    const { pool, events } = tracedPool({ backend, workers: 1, maxTasksPerWorker: 1 });
    assert.equal(await pool.submit('square', [3]).promise, 9);
    const before = procListings;
    // The worker retires after its one task; a second task needs its replacement.
    assert.equal(await pool.submit('square', [4]).promise, 16);
    await eventually(events, (e) => e.type === 'worker-exit', 10_000); // the first worker retired
    assert.ok(await waitFor(() => procListings > before), 'the retired worker\'s mark was swept while the pool ran');
    await pool.close();
    await assertNothingLeft(events);
  });
}
