/**
 * `poolscope demo` (what `npm start` runs): the bundled CPU-bound and
 * I/O-bound examples through every backend, and the one-line lesson each
 * comparison teaches, computed from the measured numbers.
 */
import type { RunSummary } from '../trace/stats.js';

export interface DemoStep {
  kind: 'cpu' | 'io';
  title: string;
  /** Example file under examples/. */
  file: string;
  fn: string;
  /** Pool size, from the --workers the user gave (default: CPUs). */
  workers: (requested: number) => number;
  inputs: (workers: number) => unknown[][];
}

export const DEMO_STEPS: readonly DemoStep[] = [
  {
    kind: 'cpu',
    title: 'CPU-bound (~50 ms of prime counting per task)',
    file: 'cpu-bound.ts',
    fn: 'cpuTask',
    workers: (requested) => Math.max(2, requested),
    // Eight tasks per worker: enough work that the workers' start-up (a new Node process costs
    // ~60–150 ms) does not hide the parallel speed-up the comparison is about.
    inputs: (workers) => Array.from({ length: 8 * workers }, (_, i) => [i]),
  },
  {
    kind: 'io',
    title: 'I/O-bound (a 20 ms wait per task)',
    file: 'io-bound.ts',
    fn: 'ioTask',
    workers: () => 8,
    inputs: () => Array.from({ length: 32 }, (_, i) => [i]),
  },
];

/** The lesson of one comparison, from its numbers. */
export function demoTakeaway(kind: DemoStep['kind'], summaries: readonly RunSummary[]): string {
  const by = (backend: string): RunSummary | undefined => summaries.find((s) => s.backend === backend);
  const x = (backend: string): string => `${(by(backend)?.speedupVsSerial ?? NaN).toFixed(1)}×`;
  if (kind === 'cpu') {
    return `event-loop ${x('event-loop')} — no real gain over serial: one thread runs one piece of JavaScript at a time (like Python's GIL); `
      + `thread ${x('thread')} and process ${x('process')}: parallel across cores (the wall time includes starting the workers, which costs processes the most).`;
  }
  return `event-loop ${x('event-loop')} on one thread: waits overlap without extra threads (concurrency, not parallelism); `
    + `thread ${x('thread')}, process ${x('process')} — and processes pay the most to start.`;
}
