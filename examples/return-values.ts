/**
 * Getting results back — the seed's `multiprocessing_return.py`.
 *
 * `applyAsync` returns at once with an `AsyncResult` (Python's `apply_async`);
 * keep them in a list and `get()` each one afterwards. `ready()` says whether a
 * result is in; `successful()` whether it went well — and, like Python's,
 * refuses to answer before it is ready.
 *
 * Run it: `poolscope run examples/return-values.ts`.
 */
import { Pool, currentProcess } from 'poolscope';

/** Squares `x` after a bit of CPU work, and says where it ran. Results must be structured-cloneable: plain objects are. */
export function square(x: number): { x: number; square: number; pid: number; worker: string } {
  const until = performance.now() + 20;
  while (performance.now() < until) { /* busy: make the task visible on the timeline */ }
  return { x, square: x * x, pid: currentProcess().pid, worker: currentProcess().name };
}

/** Fails for zero — to show how an error comes back through `get()`. */
export function reciprocal(x: number): number {
  if (x === 0) throw new RangeError('reciprocal of zero');
  return 1 / x;
}

export default async function main(): Promise<void> {
  await using pool = new Pool(); // leaving the block terminates the pool, as Python's `with Pool()` does

  const results = [];
  for (let x = 0; x < 8; x++) results.push(pool.applyAsync(square, [x]));

  // Straight after submitting, nothing can be in yet.
  console.log(`ready() right after applyAsync: ${results[0].ready()}`);
  try {
    results[0].successful();
  } catch (error) {
    console.log(`successful() before ready: ${(error as Error).name}`);
  }

  const squares: number[] = [];
  for (const r of results) squares.push((await r.get({ timeout: 30_000 })).square);
  console.log(`squares: ${squares.join(' ')}`);
  console.log(`ready: ${results.every((r) => r.ready())}, successful: ${results.every((r) => r.successful())}`);

  const failing = pool.applyAsync(reciprocal, [0]);
  await failing.wait();
  console.log(`reciprocal(0): ready ${failing.ready()}, successful ${failing.successful()}`);
  try {
    await failing.get();
  } catch (error) {
    console.log(`get() raised ${(error as Error).name}: ${(error as Error).message}`);
  }
}
