// Scenario 21: the process that owns the workers dies without cleaning up
// (SIGKILL: no exit handlers run). Its workers must notice and exit — no
// orphans keep running (and burning CPU) after an editor or CLI crash.
// Two cases: a plain process owning a pool, and the real chain
// parent → dist/runner.js → pool workers, killing the runner's parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { leakCheck, assertNoLeaks, waitFor, isAlive, within } from './harness.mjs';

const fixturePath = (name) => fileURLToPath(new URL(`../fixtures/faults/${name}`, import.meta.url));
const RUNNER = fileURLToPath(new URL('../../dist/runner.js', import.meta.url));

/** Forks `script backend ...args`, waits for its 'running' report, SIGKILLs it, returns the report. */
async function killOwnerWhenRunning(script, backend, ...args) {
  const owner = fork(fixturePath(script), [backend, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const report = await within(new Promise((resolve, reject) => {
      owner.on('message', (/** @type {any} */ m) => (m.type === 'running' ? resolve(m) : reject(new Error(JSON.stringify(m)))));
      owner.on('exit', (code) => reject(new Error(`${script} exited early (${code})`)));
    }), 60_000, `${script} to start its tasks`);
    owner.kill('SIGKILL');
    return report;
  } catch (err) {
    owner.kill('SIGKILL');
    throw err;
  }
}

for (const backend of ['process', 'thread']) {
  test(`${backend}: the pool's owner is SIGKILLed → its workers exit, no orphans`, async () => {
    const snapshot = leakCheck();
    const report = await killOwnerWhenRunning('pool-owner.mjs', backend);
    assert.equal(report.workerPids.length, backend === 'process' ? 2 : 1);
    const gone = await waitFor(() => report.workerPids.every((pid) => !isAlive(pid)), 15_000);
    assert.ok(gone, `workers still running: ${report.workerPids.filter(isAlive).join(', ')}`);
    await assertNoLeaks(snapshot);
  });
}

// A worker whose task never yields cannot hear its IPC channel close: only the pool's sentinel (Linux) or the
// worker's own watchdog thread (elsewhere) can end it.
test('process: the pool\'s owner is SIGKILLed while every task spins → its workers exit, no orphans', async () => {
  const snapshot = leakCheck();
  const report = await killOwnerWhenRunning('pool-owner.mjs', 'process', 'spin');
  assert.equal(report.workerPids.length, 2);
  const gone = await waitFor(() => report.workerPids.every((pid) => !isAlive(pid)), 15_000);
  const spinning = report.workerPids.filter(isAlive);
  // A failing case must not leave two cores busy for the tests after it.
  for (const pid of spinning) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  assert.ok(gone, `workers still spinning: ${spinning.join(', ')}`);
  await assertNoLeaks(snapshot);
});

for (const backend of ['process', 'thread']) {
  test(`${backend}: the runner's parent is SIGKILLed → the runner and its workers exit`, { skip: !existsSync(RUNNER) && 'dist/runner.js not built' }, async () => {
    const snapshot = leakCheck();
    const report = await killOwnerWhenRunning('runner-parent.mjs', backend);
    const pids = [report.runnerPid, ...report.workerPids];
    const gone = await waitFor(() => pids.every((pid) => !isAlive(pid)), 15_000);
    assert.ok(gone, `still running: ${pids.filter(isAlive).join(', ')} (runner ${report.runnerPid})`);
    await assertNoLeaks(snapshot);
  });
}
