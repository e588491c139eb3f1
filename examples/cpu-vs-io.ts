/**
 * CPU-bound vs I/O-bound on each backend — why the event loop is Python's GIL
 * in disguise.
 *
 * The same pool runs two batches: tasks that compute (never `await`), and
 * tasks that wait for a timer (standing in for a network request). Each task
 * records when it started and ended, and the program counts how many were in
 * progress at once.
 *
 * - `event-loop`: computing tasks run strictly one after another (one thread,
 *   one piece of JavaScript at a time), but waiting tasks all overlap.
 * - `thread` / `process`: both batches overlap — computing tasks really run in parallel.
 * - `serial`: nothing overlaps; the baseline.
 *
 * Run it: `poolscope run examples/cpu-vs-io.ts --backend event-loop --workers 4`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'poolscope';

/** When a task ran, in milliseconds on the wall clock (comparable across threads and processes). */
export interface Span {
  start: number;
  end: number;
}

function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Busy for `ms` milliseconds of wall time without ever yielding the thread. */
export function compute(ms: number): Span {
  const start = wallNow();
  let x = 0;
  while (wallNow() - start < ms) x += Math.sqrt(x + 1);
  return { start, end: wallNow() + (x < 0 ? 1 : 0) };
}

/** Waits `ms` milliseconds; the thread is free meanwhile. */
export async function waitFor(ms: number): Promise<Span> {
  const start = wallNow();
  await sleep(ms);
  return { start, end: wallNow() };
}

/** The largest number of spans in progress at the same moment (touching ends don't count). */
export function maxOverlap(spans: Span[]): number {
  const edges = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of edges) max = Math.max(max, (now += delta));
  return max;
}

async function batch(pool: Pool, kind: 'CPU-bound' | 'I/O-bound', task: typeof compute | typeof waitFor, n: number, ms: number): Promise<void> {
  const started = performance.now();
  const spans = await pool.map(task, Array<number>(n).fill(ms));
  const wall = performance.now() - started;
  const busy = spans.reduce((sum, s) => sum + (s.end - s.start), 0);
  console.log(`${kind}: ${n} tasks × ${ms} ms → wall ${Math.round(wall)} ms, Σ task time ${Math.round(busy)} ms ` +
    `(${(busy / wall).toFixed(2)}× overlap), at most ${maxOverlap(spans)} running at once`);
}

export default async function main(): Promise<void> {
  await using pool = new Pool();
  const n = Math.max(2, pool.processes);
  console.log(`backend: ${pool.backend}, workers: ${pool.processes}`);
  // Start every worker first, so that start-up time does not count as task time below.
  await pool.map(waitFor, Array<number>(n).fill(0));
  await batch(pool, 'CPU-bound', compute, n, 80);
  await batch(pool, 'I/O-bound', waitFor, n, 150);
}
