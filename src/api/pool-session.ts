/**
 * The API's handle on one engine run: builds the engine with the process-wide
 * defaults, turns function values into export names, submits in order, and
 * records on the main program's lane how long the main program waited.
 * `Pool` and the executors are thin Python-shaped faces over this.
 */
import { availableParallelism } from 'node:os';
import type { NodeBackend, TraceListener } from '../trace/events.js';
import type { PoolEngine, PoolOptions } from '../pool/types.js';
import { createPool } from '../pool/index.js';
import { ErrorNames } from '../pool/errors.js';
import { NoTaskModule, PoolInWorker } from './errors.js';
import { workerIdentity } from './current.js';
import { closedError, terminatedError } from './engine-errors.js';
import { backendFromEnv, runtimeConfig, workersFromEnv } from './runtime-config.js';
import { SubmittedTask } from './submitted-task.js';
import { TaskModule, type TaskFunction } from './task-module.js';
import { workerNamer, type PoolFamily } from './worker-names.js';

/** Options shared by `Pool` and the executors (each documents its own face of them). */
export interface SessionOptions {
  family: PoolFamily;
  /** Explicit backend; otherwise runtime default → `POOLSCOPE_BACKEND` → `fallbackBackend`. */
  backend?: NodeBackend;
  fallbackBackend: NodeBackend;
  workers?: number;
  module?: string;
  timeout?: number;
  maxTasksPerWorker?: number;
  onTrace?: TraceListener;
  /** Label of the run on the timeline, e.g. "Pool(4)". */
  label: (backend: NodeBackend, workers: number) => string;
  /** Any other engine option, passed through. */
  engine?: Partial<PoolOptions>;
}

type Lifecycle = 'running' | 'closing' | 'closed' | 'terminated';

export class PoolSession {
  readonly engine: PoolEngine;
  readonly module: TaskModule;
  #lifecycle: Lifecycle = 'running';
  /** Submissions waiting for the module check; later ones queue behind them to keep submission order. */
  #resolving = 0;
  #submitChain: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;
  #terminated: Promise<void> | undefined;
  #ended = false;
  #broken: Error | undefined;

  constructor(options: SessionOptions) {
    const worker = workerIdentity();
    if (worker !== undefined) {
      throw new PoolInWorker(`Cannot create a pool inside pool worker '${worker.name}': workers import the task module, so ` +
        'top-level code that creates a pool would start pools in every worker. Guard it with `if (!workerIdentity())` ' +
        "(Python's `if __name__ == '__main__'`) or move it into `export default async function main()`.");
    }
    const config = runtimeConfig();
    const backend = options.backend ?? config.defaultBackend ?? backendFromEnv() ?? options.fallbackBackend;
    const workers = options.workers ?? config.defaultWorkers ?? workersFromEnv() ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`Number of workers must be an integer ≥ 1, got ${workers}`);
    const moduleUrl = options.module ?? config.defaultModule;
    if (moduleUrl === undefined) {
      throw new NoTaskModule('No task module: pass { module: import.meta.url } (the module whose exports are the tasks), ' +
        'or run the file with PoolScope (Run File / `poolscope run file.ts`), which sets it for you.');
    }
    this.module = new TaskModule(moduleUrl);
    // A shared runId would merge every pool into one run: runs get their own.
    const { runId: _sharedRunId, ...engineDefaults } = config.engine ?? {};
    this.engine = createPool({
      ...engineDefaults,
      ...options.engine,
      backend,
      workers,
      module: this.module.url,
      // The pool's own timeout, else the runtime's (Run File's --timeout), else none.
      timeout: options.timeout ?? options.engine?.timeout ?? engineDefaults.timeout,
      maxTasksPerWorker: options.maxTasksPerWorker,
      originUs: options.engine?.originUs ?? config.originUs,
      workerName: workerNamer(options.family, backend),
      runInfo: { label: options.label(backend, workers), ...options.engine?.runInfo },
    });
    // Subscribed right away, before the engine's first (batched, asynchronous) delivery.
    if (config.onTrace) this.engine.onTrace(config.onTrace);
    if (config.onTraceColumns) this.engine.onTraceColumns(config.onTraceColumns);
    if (options.onTrace) this.engine.onTrace(options.onTrace);
    config.onPoolCreated?.();
  }

  get backend(): NodeBackend {
    return this.engine.backend;
  }

  get size(): number {
    return this.engine.size;
  }

  /** True until `close()` or `terminate()`. */
  get running(): boolean {
    return this.#lifecycle === 'running';
  }

  get lifecycle(): Lifecycle {
    return this.#lifecycle;
  }

  /**
   * Submits `fn(...args)`. Throws at once (not in the result) when the pool is
   * closed or when `fn` is known not to be exported, as Python does at submit.
   */
  submit<T>(fn: TaskFunction | string, args: unknown[], what = 'submit'): SubmittedTask<T> {
    if (this.#lifecycle !== 'running') throw closedError(`${what}(): pool is not running (it was ${this.#lifecycle === 'terminated' ? 'terminated' : 'closed'})`);
    // Python's BrokenProcessPool: once broken, a pool refuses new work at submit.
    if (this.#broken) throw this.#broken;
    const task = new SubmittedTask<T>(labelOf(fn));
    task.promise.catch((error: unknown) => {
      if ((error as Error | undefined)?.name === ErrorNames.PoolBroken) this.#broken ??= error as Error;
    });
    const name = this.#resolving === 0 ? this.module.nameNow(fn) : undefined;
    if (name !== undefined) {
      task.attach(this.engine.submit<T>(name, args));
      return task;
    }
    this.#resolving++;
    const previous = this.#submitChain;
    const submitted = (async () => {
      try {
        const exportName = await this.module.name(fn);
        await previous;
        if (task.settled) return; // cancelled while its name was being checked
        if (this.#lifecycle === 'terminated') throw terminatedError('the pool was terminated before the task was sent');
        task.attach(this.engine.submit<T>(exportName, args));
      } catch (error) {
        task.fail(error);
      } finally {
        this.#resolving--;
      }
    })();
    this.#submitChain = submitted;
    return task;
  }

  /**
   * Awaits `promise` on behalf of the main program and, if it really had to wait,
   * records the span on the main lane with `label` ("main blocked here").
   */
  async waitFor<T>(promise: Promise<T>, label: string): Promise<T> {
    const start = this.engine.now();
    let done = false;
    promise.then(() => { done = true; }, () => { done = true; });
    // One microtask turn lets an already-settled promise mark itself done: no zero-length spans.
    await Promise.resolve();
    if (done) return promise;
    try {
      return await promise;
    } finally {
      this.recordWait(start, label);
    }
  }

  /** Records a main-lane span from `start` (this run's clock) to now. */
  recordWait(start: number, label: string): void {
    if (this.#ended) return; // after run-end the run's lane is closed
    const end = this.engine.now();
    if (end > start) this.engine.recordMainWait(start, end, label);
  }

  /** No new tasks; resolves once every task settled and every worker exited. Idempotent. */
  close(): Promise<void> {
    if (this.#lifecycle === 'running') this.#lifecycle = 'closing';
    this.#closed ??= (async () => {
      // Submissions still checking their module were accepted before close: let them in first.
      await this.#submitChain;
      await this.engine.close();
      if (this.#lifecycle === 'closing') this.#lifecycle = 'closed';
      this.#ended = true;
    })();
    return this.#closed;
  }

  /** Stops now: queued and running tasks fail with the engine's `PoolTerminated`; workers are killed. */
  terminate(): Promise<void> {
    this.#lifecycle = 'terminated';
    this.#terminated ??= this.engine.terminate().finally(() => { this.#ended = true; });
    return this.#terminated;
  }
}

function labelOf(fn: TaskFunction | string): string {
  return typeof fn === 'string' ? fn : (fn.name || '<anonymous>');
}
