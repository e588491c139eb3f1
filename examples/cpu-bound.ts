/**
 * CPU-bound work: counting primes by trial division. No I/O and no `await`,
 * so a task holds its thread from start to end. On the event-loop backend the
 * tasks therefore run one after another (JavaScript's event loop, like
 * Python's GIL, runs one piece of JavaScript at a time); on threads and
 * processes they run in parallel, one per core.
 *
 *   poolscope compare examples/cpu-bound.ts --fn cpuTask --inputs 'range(8)'
 */

/** Primes below this take ~50 ms to count on one core of a 2020s machine. */
export const DEFAULT_LIMIT = 420_000;

/** Counts the primes below `limit` (fixed work, so timings compare across backends). */
export function countPrimes(limit: number = DEFAULT_LIMIT): number {
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
  return count;
}

/** One demo task: ~50 ms of CPU. Returns the task number and the count, so results can be checked. */
export function cpuTask(taskNo: number): { taskNo: number; primes: number } {
  return { taskNo, primes: countPrimes(DEFAULT_LIMIT) };
}
