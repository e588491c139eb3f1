// The workloads, each a plain async function over the common pool shape from
// pools.mjs. They return raw samples; the orchestrator takes medians.
import { performance } from 'node:perf_hooks';
import { burn } from '../tasks.mjs';
import { percentile } from './stats.mjs';

/** Submits `tasks` trivial tasks all at once (one submission each) and awaits them all: tasks/s. */
export async function trivialThroughput(pool, tasks) {
  const pending = new Array(tasks);
  const t0 = performance.now();
  for (let i = 0; i < tasks; i++) pending[i] = pool.run('identity', i);
  const results = await Promise.all(pending);
  const ms = performance.now() - t0;
  // Cheap proof that the pool really ran every task with its own argument.
  if (results[tasks - 1] !== tasks - 1 || results.length !== tasks) throw new Error('wrong results');
  return tasks / (ms / 1000);
}

/** Sequential round trips: one task in flight at a time. Returns µs samples. */
export async function roundTrips(pool, count) {
  const samples = new Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await pool.run('identity', i);
    samples[i] = (performance.now() - t0) * 1000;
  }
  return { p50Us: percentile(samples, 50), p99Us: percentile(samples, 99) };
}

/** `tasks` CPU-bound tasks of `iterations` each, all submitted at once: wall ms. */
export async function cpuBound(pool, tasks, iterations) {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: tasks }, () => pool.run('burn', iterations)));
  return performance.now() - t0;
}

/** The same CPU work in this thread, one call after another: the serial baseline (wall ms). */
export function cpuBoundInline(tasks, iterations) {
  const t0 = performance.now();
  for (let i = 0; i < tasks; i++) burn(iterations);
  return performance.now() - t0;
}

/** `tasks` tasks awaiting a `ms` timer, all submitted at once: wall ms. */
export async function ioBound(pool, tasks, ms) {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: tasks }, () => pool.run('sleep', ms)));
  return performance.now() - t0;
}

/** Iterations of `burn` that take about `targetMs` on this thread (median of a few probes). */
export function calibrateBurn(targetMs) {
  burn(1e6); // let the JIT settle
  const probes = [];
  for (let i = 0; i < 5; i++) {
    const n = 2e6;
    const t0 = performance.now();
    burn(n);
    probes.push(n / (performance.now() - t0));
  }
  probes.sort((a, b) => a - b);
  return Math.round(probes[2] * targetMs);
}
