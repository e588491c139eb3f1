/**
 * `poolscope demo` (what `npm start` runs): the bundled CPU-bound and
 * I/O-bound examples through every backend: each printed as `compare` prints it
 * (busy-machine warning, table, verdict from the measured numbers), then why.
 */
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

/**
 * Why the comparison comes out as it does: the mechanism, not a measurement. The measured statement is the compare
 * verdict printed above it (cores used, tasks at once: true on a busy machine too); a wall-time speed-up quoted
 * here could contradict it when other programs took the CPU.
 */
export function demoLesson(kind: DemoStep['kind']): string {
  if (kind === 'cpu') {
    return 'Why: one event-loop thread runs one piece of JavaScript at a time (like Python\'s GIL), so CPU-bound tasks take turns '
      + 'there; worker threads and processes each run their own, one core each.';
  }
  return 'Why: a task that waits holds no thread, so the one event-loop thread overlaps all the waits (concurrency, not '
    + 'parallelism); threads and processes overlap them too, and pay to start.';
}
