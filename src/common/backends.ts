/**
 * The backend catalogue: every backend's name, one-line description and
 * language, and the order the status-bar toggle walks them in. The names are
 * the trace contract's (src/trace/events.ts); the extension, the CLI and the
 * webview take their lists from here. Pure: no Node, DOM or vscode APIs.
 */
import { DISTRIBUTED_NODE_BACKENDS, NODE_BACKENDS, PYTHON_BACKENDS, type Backend, type DistributedNodeBackend, type NodeBackend, type PythonBackend } from '../trace/events.js';

export { DISTRIBUTED_NODE_BACKENDS, NODE_BACKENDS, PYTHON_BACKENDS };
export type { Backend, DistributedNodeBackend, NodeBackend, PythonBackend };

/** What a .ts/.js run may name: the engine's backends, or a distributed engine (BullMQ on Redis). */
export type NodeRunBackend = NodeBackend | DistributedNodeBackend;

/** One-line explanation of each Node backend, shown in the quick pick and the status bar tooltip. */
export const NODE_BACKEND_EXPLANATIONS: Record<NodeBackend, string> = {
  'event-loop': 'one thread, N tasks in flight — concurrency, not parallelism (the GIL picture)',
  thread: 'N worker_threads in one process — parallel CPU, one PID',
  process: 'N child processes — parallel CPU, isolated, costlier start',
  serial: 'one task at a time in the runner — the baseline for speedup',
};

/** One-line explanation of each Python backend (quick pick, status bar tooltip, CLI help). */
export const PYTHON_BACKEND_EXPLANATIONS: Record<PythonBackend, string> = {
  'py-serial': 'one task at a time on the main thread — the baseline for speedup',
  'py-thread': 'ThreadPoolExecutor: N threads, one PID, one GIL — CPU-bound work takes turns',
  'py-process': 'ProcessPoolExecutor: N processes, each with its own GIL — parallel CPU',
  'py-mp-pool': 'multiprocessing.Pool: N processes (Pool.apply_async), each with its own GIL',
  'py-thread-ft': 'ThreadPoolExecutor on a free-threaded CPython (3.13t+): threads without the GIL',
  'py-dask': 'Dask distributed futures: a LocalCluster of N worker processes, or an existing cluster on other machines',
};

/** One-line explanation of each distributed Node backend. */
export const DISTRIBUTED_NODE_BACKEND_EXPLANATIONS: Record<DistributedNodeBackend, string> = {
  bullmq: 'BullMQ jobs on a Redis server, taken by PoolScope workers on this or other machines',
};

/**
 * The Node toggle's order, from "one thing at a time" to "most isolated". A click on the status bar cycles
 * these; the distributed engines, which need a server (Redis) or a cluster, are picked by name (quick pick,
 * the timeline's dropdown), never landed on by a click.
 */
export const NODE_BACKEND_TOGGLE_ORDER: readonly NodeBackend[] = ['event-loop', 'thread', 'process', 'serial'];
const PYTHON_BACKEND_TOGGLE_ORDER: readonly PythonBackend[] = ['py-thread', 'py-process', 'py-mp-pool', 'py-serial'];

/** The quick pick's and the timeline dropdown's Node choices: the toggle's, then the distributed engines. */
export const NODE_RUN_BACKENDS: readonly NodeRunBackend[] = [...NODE_BACKEND_TOGGLE_ORDER, ...DISTRIBUTED_NODE_BACKENDS];

/** Every Node choice's one-liner, in {@link NODE_RUN_BACKENDS} order. */
export const NODE_RUN_BACKEND_EXPLANATIONS: Record<NodeRunBackend, string> = {
  ...NODE_BACKEND_EXPLANATIONS,
  ...DISTRIBUTED_NODE_BACKEND_EXPLANATIONS,
};

/** Backends that run on a distributed engine (other machines possible): picked by name, with an engine check. */
export function isDistributedBackend(value: unknown): value is DistributedNodeBackend | 'py-dask' {
  return value === 'py-dask' || (typeof value === 'string' && (DISTRIBUTED_NODE_BACKENDS as readonly string[]).includes(value));
}

export function isNodeRunBackend(value: unknown): value is NodeRunBackend {
  return isNodeBackend(value) || (typeof value === 'string' && (DISTRIBUTED_NODE_BACKENDS as readonly string[]).includes(value));
}

export function isNodeBackend(value: unknown): value is NodeBackend {
  return typeof value === 'string' && (NODE_BACKENDS as readonly string[]).includes(value);
}

export function isPythonBackend(value: unknown): value is PythonBackend {
  return typeof value === 'string' && (PYTHON_BACKENDS as readonly string[]).includes(value);
}

/** The backend after `current` in the Node toggle (from a distributed engine: the toggle's first). */
export function nextNodeBackend(current: NodeRunBackend): NodeBackend {
  return NODE_BACKEND_TOGGLE_ORDER[(NODE_BACKEND_TOGGLE_ORDER.indexOf(current as NodeBackend) + 1) % NODE_BACKEND_TOGGLE_ORDER.length];
}

/** The backend after `current` in the Python toggle. */
export function nextPythonBackend(current: string): PythonBackend {
  const i = PYTHON_BACKEND_TOGGLE_ORDER.indexOf(current as PythonBackend);
  return PYTHON_BACKEND_TOGGLE_ORDER[(i + 1) % PYTHON_BACKEND_TOGGLE_ORDER.length];
}
