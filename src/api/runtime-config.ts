/**
 * Process-wide defaults for every pool and executor the API creates.
 *
 * The runner (Run File) calls `configureRuntime()` before it calls the user's
 * `main()`, so that `new Pool()` / `new PoolExecutor()` in the user's script
 * default to the user's own bundled module, the backend and size chosen in the
 * editor (the toggle), share the run's clock and stream their trace events to
 * the runner. Plain-Node users can call it too, or pass the same things per
 * pool.
 *
 * The settings live on `globalThis` under a registered symbol rather than in a
 * module variable, so that two copies of this library in one process (say, one
 * bundled into a user's file and the runner's own) still agree.
 */
import type { NodeBackend, TraceListener } from '../trace/events.js';
import type { TraceColumnsListener } from '../common/trace-columns.js';
import type { PoolEngine, PoolOptions } from '../pool/types.js';
import { NODE_BACKENDS } from '../trace/events.js';

/** What `configureRuntime()` accepts. Every field is optional; `undefined` leaves a setting unchanged. */
export interface RuntimeConfig {
  /** Receives the trace events of every pool and executor created afterwards (batched). */
  onTrace?: TraceListener;
  /** The same, as columns (src/common/trace-columns.ts): the cheap way to follow large runs (the runner uses it). */
  onTraceColumns?: TraceColumnsListener;
  /** URL (or absolute path) of the module whose exports are the tasks, when a pool is given none. */
  defaultModule?: string;
  /** Backend for pools and `PoolExecutor`s created without an explicit `backend`. */
  defaultBackend?: NodeBackend;
  /** Size of pools and executors created without an explicit size. */
  defaultWorkers?: number;
  /** Clock origin (CLOCK_MONOTONIC µs) shared by every pool, so that all runs sit on one time axis. */
  originUs?: number;
  /**
   * Engine options for every pool (e.g. `execArgv: ['--enable-source-maps']`, `resourceLimits`);
   * a pool's own `engine` option overrides them field by field.
   */
  engine?: Partial<PoolOptions>;
  /**
   * Called with the engine when a pool or executor is created (the runner: a script without `main()` that
   * made a pool did run something; it also samples the pool's worker threads' CPU time).
   */
  onPoolCreated?: (engine: PoolEngine) => void;
}

const CONFIG_KEY = Symbol.for('poolscope.runtime-config');

type GlobalWithConfig = typeof globalThis & { [CONFIG_KEY]?: RuntimeConfig };

/**
 * Sets process-wide defaults for pools and executors created afterwards.
 * Fields left `undefined` keep their current value; calling it again merges.
 *
 * @example
 * ```ts
 * import { configureRuntime, PoolExecutor } from 'poolscope';
 * configureRuntime({ defaultModule: import.meta.url, defaultBackend: 'process',
 *                    onTrace: (batch) => console.error(batch.length, 'events') });
 * ```
 */
export function configureRuntime(config: RuntimeConfig): void {
  if (config.defaultBackend !== undefined && !(NODE_BACKENDS as readonly string[]).includes(config.defaultBackend)) {
    throw new RangeError(`Unknown backend '${config.defaultBackend}'; expected one of ${NODE_BACKENDS.join(', ')}`);
  }
  if (config.defaultWorkers !== undefined && !(Number.isInteger(config.defaultWorkers) && config.defaultWorkers >= 1)) {
    throw new RangeError(`defaultWorkers must be an integer ≥ 1, got ${config.defaultWorkers}`);
  }
  const g = globalThis as GlobalWithConfig;
  const merged: RuntimeConfig = { ...g[CONFIG_KEY] };
  for (const [key, value] of Object.entries(config) as [keyof RuntimeConfig, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  g[CONFIG_KEY] = merged;
}

/** Clears everything `configureRuntime()` set (tests; a runner that runs several files). */
export function resetRuntime(): void {
  delete (globalThis as GlobalWithConfig)[CONFIG_KEY];
}

/** The current process-wide defaults (a copy). */
export function runtimeConfig(): Readonly<RuntimeConfig> {
  return { ...(globalThis as GlobalWithConfig)[CONFIG_KEY] };
}

/**
 * The backend from the environment (`POOLSCOPE_BACKEND`), for plain Node and
 * the CLI — the seed's "one program, threads or processes, no edits".
 * Throws `RangeError` on an unknown value rather than silently ignoring it.
 */
export function backendFromEnv(): NodeBackend | undefined {
  const value = process.env.POOLSCOPE_BACKEND?.trim();
  if (!value) return undefined;
  if (!(NODE_BACKENDS as readonly string[]).includes(value)) {
    throw new RangeError(`POOLSCOPE_BACKEND='${value}' is not a backend; expected one of ${NODE_BACKENDS.join(', ')}`);
  }
  return value as NodeBackend;
}

/** The pool size from the environment (`POOLSCOPE_WORKERS`), when set to a positive integer. */
export function workersFromEnv(): number | undefined {
  const value = process.env.POOLSCOPE_WORKERS?.trim();
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`POOLSCOPE_WORKERS='${value}' is not an integer ≥ 1`);
  return n;
}
