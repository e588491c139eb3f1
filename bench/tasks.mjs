// The benchmark's task module. Every pool under test runs these same exports:
// PoolScope and piscina/tinypool call them by name, workerpool through
// peers/workerpool-worker.mjs. Each task takes one argument so that every
// pool's calling convention fits.

/** The trivial task: measures pure pool overhead. */
export function identity(x) {
  return x;
}

/**
 * CPU-bound: a fixed amount of work (not a fixed wall time), so that two tasks
 * sharing one core really take twice as long. The parent calibrates `iterations`
 * to ~50 ms on this machine.
 */
export function burn(iterations) {
  let x = 0x9e3779b9;
  for (let i = 0; i < iterations; i++) {
    // xorshift32: cheap, not optimisable away, no allocation.
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  }
  return x >>> 0;
}

/** I/O-bound: awaits a timer, holding no CPU. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(ms), ms));
}

/**
 * Soak task: `[value, crash]` — when the parent's seeded draw said so, the
 * worker dies (`process.exit` ends a worker thread, or a forked child); on the
 * serial backend, which runs in the caller, it throws instead.
 */
export function maybeCrash(arg) {
  const [value, crash] = arg;
  if (crash === 'exit') process.exit(3);
  if (crash === 'throw') throw new Error('soak: injected failure');
  return value;
}
