/**
 * A watchdog for code that runs on the runner's own main thread — serial
 * tasks and the user module's top-level code. Such code cannot be interrupted
 * from the same thread, and while it spins the runner cannot even answer its
 * parent. So a helper thread watches a heartbeat the main thread bumps on a
 * timer; when the heartbeat stops for longer than the limit, the helper
 * writes why to stderr (a direct write, no event loop needed) and kills the
 * runner with SIGKILL. The parent then sees the runner end and reports it —
 * in bounded time instead of never.
 */
import { Worker } from 'node:worker_threads';

const BEAT_MS = 100;

/** Runs in the helper thread (CommonJS, eval'd). */
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Int32Array(workerData.heartbeat);
let seen = Atomics.load(beat, 0);
let changedAt = performance.now();
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== seen) { seen = now; changedAt = performance.now(); return; }
  if (performance.now() - changedAt > workerData.limitMs) {
    try { writeSync(2, workerData.message); } catch {}
    process.kill(process.pid, 'SIGKILL');
  }
}, ${BEAT_MS});
`;

export interface Watchdog {
  stop(): void;
}

/**
 * Kills this process when its main thread stays blocked longer than `limitMs`.
 * @param reason printed on stderr before the kill, e.g. "a serial task ran past --timeout 500 ms".
 */
export function startMainThreadWatchdog(limitMs: number, reason: string): Watchdog {
  const heartbeat = new SharedArrayBuffer(4);
  const beat = new Int32Array(heartbeat);
  const timer = setInterval(() => Atomics.add(beat, 0, 1), BEAT_MS);
  timer.unref();
  const message = `poolscope runner: the runner's main thread was blocked for more than ${limitMs} ms (${reason}); `
    + 'code on the main thread cannot be interrupted, so the runner was stopped (SIGKILL).\n';
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { heartbeat, limitMs, message } });
  worker.unref();
  return {
    stop(): void {
      clearInterval(timer);
      void worker.terminate();
    },
  };
}
