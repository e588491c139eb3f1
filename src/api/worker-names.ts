/**
 * Python-like worker names, so the timeline and `currentProcess()` /
 * `currentThread()` read like a `multiprocessing` program's output:
 *
 * | who | process name | thread name |
 * |---|---|---|
 * | main program | `MainProcess` | `MainThread` |
 * | `Pool`, process backend | `SpawnPoolWorker-N` | `MainThread` |
 * | `Pool`, thread backend | `MainProcess` | `Thread-N (worker)` |
 * | `ProcessPoolExecutor` | `SpawnProcess-N` | `MainThread` |
 * | `ThreadPoolExecutor` | `MainProcess` | `ThreadPoolExecutor-K_N` |
 * | event-loop backend | `MainProcess` | `EventLoop-N` |
 * | serial backend | `MainProcess` | `MainThread` |
 *
 * As in Python, process numbers come from one counter for the whole program
 * (a recycled worker gets the next number), thread-pool numbers count per
 * executor from 0, and `K` counts executors from 0.
 */
import type { NodeBackend } from '../trace/events.js';

let processCounter = 0;
let threadCounter = 0;
let eventLoopCounter = 0;
let threadExecutorCounter = 0;

/** Which family of API object the pool belongs to. */
export type PoolFamily = 'pool' | 'executor';

/**
 * A `workerName(i)` function for the engine. The engine may ask for the same
 * worker's name more than once; the answer is remembered per index, and a new
 * index (a replacement or recycled worker) gets the next number.
 */
export function workerNamer(family: PoolFamily, backend: NodeBackend): (i: number) => string {
  const next = nameScheme(family, backend);
  const names = new Map<number, string>();
  return (i: number) => {
    let name = names.get(i);
    if (name === undefined) {
      name = next();
      names.set(i, name);
    }
    return name;
  };
}

function nameScheme(family: PoolFamily, backend: NodeBackend): () => string {
  // Serial runs tasks in the main program itself: its lane is the main thread.
  if (backend === 'serial') return () => 'MainThread';
  if (backend === 'process') {
    const prefix = family === 'pool' ? 'SpawnPoolWorker' : 'SpawnProcess';
    return () => `${prefix}-${++processCounter}`;
  }
  if (backend === 'event-loop') return () => `EventLoop-${++eventLoopCounter}`;
  if (family === 'executor') {
    const k = threadExecutorCounter++;
    let n = 0;
    return () => `ThreadPoolExecutor-${k}_${n++}`;
  }
  return () => `Thread-${++threadCounter} (worker)`;
}
