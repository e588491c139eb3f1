/**
 * I/O-bound work: a task that mostly waits (here a 20 ms timer standing in
 * for a network or disk request). While one task waits, the thread is free to
 * run another, so even the single-threaded event-loop backend overlaps them —
 * concurrency without parallelism, the way Python threads overlap I/O despite
 * the GIL.
 *
 *   poolscope compare examples/io-bound.ts --fn ioTask --inputs 'range(32)' --workers 8
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** How long one simulated request waits. */
export const DEFAULT_WAIT_MS = 20;

/** One demo task: waits `ms` milliseconds, then returns what it did. */
export async function ioTask(taskNo: number, ms: number = DEFAULT_WAIT_MS): Promise<{ taskNo: number; waitedMs: number }> {
  await sleep(ms);
  return { taskNo, waitedMs: ms };
}
