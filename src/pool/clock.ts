/**
 * One monotonic clock for every process and thread of a run.
 *
 * `process.hrtime()` reads CLOCK_MONOTONIC on Linux, which is system-wide, so a
 * timestamp taken in a forked child and one taken in the parent are directly
 * comparable. Workers receive the run's origin and report times relative to
 * it, as plain numbers (microseconds) — no BigInt, no Date, no objects.
 */
export function monotonicUs(): number {
  const t = process.hrtime();
  return t[0] * 1e6 + t[1] / 1e3;
}
