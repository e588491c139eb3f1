/**
 * A process worker reports ready once its module is loaded, but its start-up may not be over: V8's background
 * threads can go on compiling and collecting the garbage of that load. Measured on the 2-core machine, 40-100 ms
 * of CPU per worker used to follow ready — most of it a watchdog thread's bootstrap (the pool's mark sentinel
 * replaced that thread: mark-sentinel.ts), so today a few ms — and it left the task threads runnable but off a
 * CPU (compare: process 1.4 cores used against thread 1.85).
 * So compare's warm-up still waits, bounded, until the worker processes are idle before the first task is
 * sent: start-up stays start-up, whatever a user's module leaves running.
 *
 * Linux only (/proc); elsewhere, or when a process is gone, it resolves at once.
 */
import { readFileSync } from 'node:fs';
import { parseCpuUs } from './proc-stat.js';

/** CPU time of all a process's threads (utime + stime, µs in 10 ms steps); undefined when unreadable. */
function processCpuUs(pid: number): number | undefined {
  try {
    return parseCpuUs('stat', readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Poll period: at 100 ticks a second, a period with no tick means the processes used < 20 % of a core in it. */
export const SETTLE_POLL_MS = 50;
/** Never delay the task phase longer than this (a worker that keeps busy on its own is the user's code). */
export const SETTLE_MAX_MS = 1000;

/** Resolves once none of `pids` used CPU during one poll period, or after {@link SETTLE_MAX_MS}. */
export function waitForIdleProcesses(pids: readonly number[], maxMs = SETTLE_MAX_MS): Promise<void> {
  const total = (): number | undefined => {
    let sum = 0;
    for (const pid of pids) {
      const t = processCpuUs(pid);
      if (t === undefined) return undefined;
      sum += t;
    }
    return sum;
  };
  let last = total();
  if (last === undefined || pids.length === 0) return Promise.resolve();
  const deadline = Date.now() + maxMs;
  return new Promise((resolve) => {
    const poll = (): void => {
      const now = total();
      if (now === undefined || now === last || Date.now() >= deadline) {
        resolve();
        return;
      }
      last = now;
      setTimeout(poll, SETTLE_POLL_MS).unref();
    };
    setTimeout(poll, SETTLE_POLL_MS).unref();
  });
}
