/**
 * CPU-bound work through a process pool — the seed's `multiprocessing_compute.py`.
 *
 * The three steps of `multiprocessing`: make a `Pool` (one worker per core
 * unless you say otherwise), hand it work, then `close()` (no more work is
 * coming) and `join()` (wait until the workers are done and gone).
 *
 * Run it: `poolscope run examples/compute.ts` (or "PoolScope: Run File").
 * Switch the backend to `event-loop` and the same work takes about as long as
 * running it serially: one thread, one task at a time — the GIL picture.
 */
import { Pool, currentProcess, currentThread } from 'poolscope';

/** Counts the primes below `limit` by trial division: pure CPU, no I/O. */
export function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  // Shows on the timeline as this task's log line.
  console.log(`primes below ${limit}: ${count} (${currentProcess().name} pid ${currentProcess().pid}, ${currentThread().name})`);
  return count;
}

export default async function main(): Promise<void> {
  const pool = new Pool();
  const limits = Array.from({ length: 2 * pool.processes }, (_, i) => 200_000 + i * 10_000);
  console.log(`Pool(${pool.processes}) on the '${pool.backend}' backend: ${limits.length} CPU-bound tasks`);

  const started = performance.now();
  // Fire and forget, as in the Python original: the tasks give nothing back to the main program.
  for (const limit of limits) pool.applyAsync(countPrimes, [limit]);
  pool.close(); // no more work is coming
  await pool.join(); // wait for the workers to finish and exit
  console.log(`all ${limits.length} tasks done in ${Math.round(performance.now() - started)} ms, worker start-up included; the pool is closed and joined`);
}
