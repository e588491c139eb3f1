// A process worker reports ready once its start-up is over. A watchdog thread (it ends the worker when the
// pool's process is gone, even while a task spins) is a Node thread whose bootstrap takes 60–100 ms of CPU on
// the project's 2-core VM. Started after ready, that ran on the cores of the first tasks — and in compare, inside
// the timed task phase. On Linux the pool's mark sentinel (mark-sentinel.ts) does that job and the worker starts
// no such thread; elsewhere the worker waits for its thread before it reports ready (worker-runtime.ts).
//
// What is asserted is CPU time, not wall time: the worker's threads' CPU from ready until a task that only waits
// has ended. A load on the machine stretches the wall time but hardly the CPU a bootstrap needs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertNothingLeft, ofType, tracedPool } from '../fixtures/pool/harness.mjs';

/** CPU ms of every thread of `pid` so far (/proc schedstat, ns resolution). */
function processCpuMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch { /* the thread ended */ }
  }
  return ns / 1e6;
}

/** Far below a Node thread's bootstrap (≥ 40 ms measured), far above an idle worker's timers and one small task. */
const QUIET_AFTER_READY_MS = 25;

test('process: a worker\'s start-up is over when it reports ready (no watchdog thread boots after it)', { skip: process.platform !== 'linux' && '/proc is Linux only' }, async () => {
  const { pool, events } = tracedPool({ backend: 'process', workers: 1 });
  const atReady = new Promise((resolve) => {
    const off = pool.onTrace((batch) => {
      const start = batch.find((e) => e.type === 'worker-start');
      if (start) { off(); resolve({ pid: start.pid, cpuMs: processCpuMs(start.pid) }); }
    });
  });
  // A task that only waits: the worker's CPU from ready to its end is what its start-up left over.
  const waited = pool.submit('sleep', [400]).promise;
  const ready = await atReady;
  await waited;
  const after = processCpuMs(ready.pid) - ready.cpuMs;
  assert.ok(after < QUIET_AFTER_READY_MS, `the worker used ${after.toFixed(1)} ms of CPU after it reported ready`);
  await pool.close();
  assert.equal(ofType(events, 'worker-start').length, 1);
  await assertNothingLeft(events);
});
