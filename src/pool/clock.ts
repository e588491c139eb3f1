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

/** A bracket this narrow (ms) is as good as it gets: stop looking. */
const TIGHT_BRACKET_MS = 0.02;
const BRACKET_TRIES = 8;

/**
 * What to add to `performance.now() × 1000` to read {@link monotonicUs}: performance.now() reads the same
 * monotonic clock without allocating, but from another origin. The two clocks are read one after the other,
 * and a thread preempted between the two reads (10–25 ms on a busy machine) would put that gap into every
 * time stamped from then on — a task queued on one thread then looks started before it was queued on
 * another, and a short run's task phase reads 0. So the hrtime read is bracketed by two performance.now()
 * reads, a few times, and the narrowest bracket wins.
 *
 * @example
 * const base = performanceOffsetUs() - originUs;
 * const now = () => performance.now() * 1000 + base; // µs since the run's origin
 */
export function performanceOffsetUs(): number {
  let width = Infinity;
  let offset = 0;
  for (let i = 0; i < BRACKET_TRIES && width > TIGHT_BRACKET_MS; i++) {
    const before = performance.now();
    const mono = monotonicUs();
    const after = performance.now();
    if (after - before < width) {
      width = after - before;
      offset = mono - (before + after) * 500;
    }
  }
  return offset;
}
