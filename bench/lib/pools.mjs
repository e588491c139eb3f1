// One small adapter per pool under test, all with the same shape, so every
// workload runs unchanged on PoolScope's backends and on the peers:
//   open(id, { workers, trace }) → { run(fn, arg): Promise, close(): Promise, info }
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TASKS_URL = new URL('../tasks.mjs', import.meta.url);
const TASKS_PATH = fileURLToPath(TASKS_URL);
const WORKERPOOL_WORKER = fileURLToPath(new URL('../peers/workerpool-worker.mjs', import.meta.url));
const POOLSCOPE_BUNDLE = process.env.POOLSCOPE_BENCH_BUNDLE ?? fileURLToPath(new URL('../../dist/pool.mjs', import.meta.url));

/**
 * Every pool the bench knows. `kind` groups them for the ratios: PoolScope's
 * thread backend is compared with thread pools, its process backend with
 * process pools.
 */
export const POOLS = [
  { id: 'poolscope-thread', label: 'PoolScope thread', kind: 'thread', poolscope: true },
  { id: 'poolscope-process', label: 'PoolScope process', kind: 'process', poolscope: true },
  { id: 'poolscope-event-loop', label: 'PoolScope event-loop', kind: 'event-loop', poolscope: true },
  { id: 'poolscope-serial', label: 'PoolScope serial', kind: 'serial', poolscope: true },
  { id: 'piscina', label: 'piscina (threads)', kind: 'thread' },
  { id: 'tinypool-threads', label: 'tinypool (threads)', kind: 'thread' },
  { id: 'tinypool-process', label: 'tinypool (child_process)', kind: 'process' },
  { id: 'workerpool-threads', label: 'workerpool (threads)', kind: 'thread' },
  { id: 'workerpool-process', label: 'workerpool (process)', kind: 'process' },
];

/**
 * How each pool is set up, as its README recommends for throughput, printed with the results. Every pool runs
 * the same task module (tasks.mjs; workerpool through a two-line adapter that registers its exports, as its
 * README shows) and the same submission pattern: every task submitted at once, one call each, then awaited.
 */
export const POOL_SETUP = {
  'poolscope-thread': 'createPool({ backend: "thread", workers }) — defaults (pipelining 16, tracing on unless the section says otherwise)',
  'poolscope-process': 'createPool({ backend: "process", workers }) — defaults',
  'poolscope-event-loop': 'createPool({ backend: "event-loop", workers }) — defaults',
  'poolscope-serial': 'createPool({ backend: "serial" })',
  piscina: 'new Piscina({ minThreads = maxThreads = workers, idleTimeout: 60 s, taskQueue: new FixedQueue() }) — ' +
    'README "Performance Notes": FixedQueue (up to 6× faster with many queued tasks), minThreads/idleTimeout so threads never churn; atomics on (default)',
  'tinypool-threads': 'new Tinypool({ runtime: "worker_threads", minThreads = maxThreads = workers, idleTimeout: 60 s }) — README: piscina\'s advice; ' +
    'useAtomics and shared workers (isolateWorkers off) are its defaults',
  'tinypool-process': 'new Tinypool({ runtime: "child_process", minThreads = maxThreads = workers, idleTimeout: 60 s })',
  'workerpool-threads': 'workerpool.pool(script, { minWorkers = maxWorkers = workers, workerType: "thread" }) — README defaults (no throughput options)',
  'workerpool-process': 'workerpool.pool(script, { minWorkers = maxWorkers = workers, workerType: "process" })',
};

/** True when PoolScope's engine bundle has been built (it lands in dist/pool.mjs). */
export function poolscopeAvailable() {
  return existsSync(POOLSCOPE_BUNDLE);
}

export function poolById(id) {
  const p = POOLS.find((x) => x.id === id);
  if (!p) throw new Error(`unknown pool ${id}`);
  return p;
}

/** Imports the library behind pool `id`, so that a start-up measurement counts only the pool's own start. */
export async function preloadPool(id) {
  if (id.startsWith('poolscope-')) await import(pathToFileURL(POOLSCOPE_BUNDLE).href);
  else if (id === 'piscina') await import('piscina');
  else if (id.startsWith('tinypool')) await import('tinypool');
  else if (id.startsWith('workerpool')) await import('workerpool');
}

/**
 * Opens pool `id` with `workers` workers (all started eagerly where the pool
 * allows it, so that start-up cost is not billed to the first workload).
 * `trace` (PoolScope only): tracing on with a subscriber that receives every
 * batch — 'columns' as column batches (what the runner subscribes, see
 * src/common/trace-columns.ts), 'listener' as event objects — or 'off'.
 */
export async function openPool(id, { workers = 2, trace = 'listener', options = {} } = {}) {
  switch (id) {
    case 'poolscope-thread':
    case 'poolscope-process':
    case 'poolscope-event-loop':
    case 'poolscope-serial':
      return openPoolScope(id.slice('poolscope-'.length), workers, trace, options);
    case 'piscina': {
      const { Piscina, FixedQueue } = await import('piscina');
      // Its README's advice for throughput: the FixedQueue task queue (the default array queue shifts in O(n),
      // which a pool fed 50 000 tasks at once pays for every task), and threads that never go idle and churn.
      const pool = new Piscina({ filename: TASKS_PATH, minThreads: workers, maxThreads: workers, idleTimeout: 60_000, taskQueue: new FixedQueue() });
      return { run: (fn, arg) => pool.run(arg, { name: fn }), close: () => pool.destroy(), info: {} };
    }
    case 'tinypool-threads':
    case 'tinypool-process': {
      const { default: Tinypool } = await import('tinypool');
      const runtime = id === 'tinypool-threads' ? 'worker_threads' : 'child_process';
      const pool = new Tinypool({ filename: TASKS_PATH, runtime, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
      return { run: (fn, arg) => pool.run(arg, { name: fn }), close: () => pool.destroy(), info: {} };
    }
    case 'workerpool-threads':
    case 'workerpool-process': {
      const { default: workerpool } = await import('workerpool');
      const workerType = id === 'workerpool-threads' ? 'thread' : 'process';
      const pool = workerpool.pool(WORKERPOOL_WORKER, { minWorkers: workers, maxWorkers: workers, workerType });
      return { run: (fn, arg) => pool.exec(fn, [arg]), close: () => pool.terminate(), info: {} };
    }
    default:
      throw new Error(`unknown pool ${id}`);
  }
}

async function openPoolScope(backend, workers, trace, options) {
  const { createPool } = await import(pathToFileURL(POOLSCOPE_BUNDLE).href);
  const pool = createPool({ backend, workers, module: TASKS_URL.href, trace: trace !== 'off', ...options });
  const info = { events: 0, batches: 0 };
  if (trace === 'listener') {
    pool.onTrace((batch) => { info.batches++; info.events += batch.length; });
  } else if (trace === 'columns') {
    pool.onTraceColumns((columns) => { info.batches++; info.events += columns.length; });
  }
  return {
    run: (fn, arg) => pool.submit(fn, [arg]).promise,
    close: () => pool.close(),
    info,
    engine: pool,
  };
}
