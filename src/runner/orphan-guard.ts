/**
 * The runner must not outlive its parent. Normally the IPC 'disconnect'
 * event takes care of that (runner.ts), but only while the runner's main
 * thread is free: a serial task or top-level code that never returns blocks
 * it for good. So a small helper thread polls the parent PID — when the
 * runner has been re-parented (its parent died), it kills the runner's own
 * child processes (process-backend workers lead their own process groups) and
 * then the runner itself. Linux and macOS; elsewhere `ppid` never changes
 * and the guard simply never fires.
 *
 * Only where the parent keeps no mark sentinel for the runner (launch.ts, mark-sentinel.ts: Linux with `sh`): a
 * sentinel does the same from outside at ~1 ms, where this thread's bootstrap costs 60–100 ms of CPU.
 */
import { Worker } from 'node:worker_threads';
import { KILL_MARKED_SOURCE, markVariable } from '../pool/descendants.js';

const POLL_MS = 500;

/** Runs in the helper thread (CommonJS, eval'd). */
const GUARD_SOURCE = `
const { workerData } = require('node:worker_threads');
const { readdirSync, readFileSync } = require('node:fs');
function childPids() {
  const pids = new Set();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const text = readFileSync('/proc/self/task/' + tid + '/children', 'utf8').trim();
      for (const pid of text.split(/\\s+/)) if (pid) pids.add(Number(pid));
    }
  } catch {}
  return [...pids];
}
${KILL_MARKED_SOURCE}
setInterval(() => {
  if (process.ppid === workerData.parentPid) return;
  for (const pid of childPids()) {
    try { process.kill(-pid, 'SIGKILL'); } catch {}
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  // Whatever of the run left our children's groups still carries the run's mark.
  if (workerData.mark) killMarkedSync(workerData.mark);
  process.kill(process.pid, 'SIGKILL');
}, ${POLL_MS});
`;

/** Starts the guard for the current parent; it never keeps the process alive. */
export function startOrphanGuard(): void {
  const runMark = process.env.POOLSCOPE_RUN_MARK;
  const mark = runMark ? markVariable(runMark) : undefined;
  const worker = new Worker(GUARD_SOURCE, { eval: true, workerData: { parentPid: process.ppid, mark } });
  worker.unref();
}
