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
import { NoTaskModule, PoolInWorker } from './errors.js';
import { workerIdentity } from './current.js';
import { closedError, terminatedError } from './engine-errors.js';
import { backendFromEnv, runtimeConfig, workersFromEnv } from './runtime-config.js';
import { SubmittedTask } from './submitted-task.js';
import { TaskModule, type TaskFunction } from './task-module.js';
import { workerNamer, type PoolFamily } from './worker-names.js';
import { noop } from '../common/noop.js';

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

/**
 * Two waits of the main program this close together (µs) are one continuous waiting period: back-to-back
 * `await f.result()` calls leave gaps of a few microseconds, which are not the program doing work.
 */
const WAIT_MERGE_GAP_US = 100;

/** A submission waiting for the task module check. */
interface Deferred {
  task: SubmittedTask<unknown>;
  fn: TaskFunction | string;
  args: unknown[];
}

export class PoolSession {
  readonly engine: PoolEngine;
  readonly module: TaskModule;
  /**
   * Which rule says a task is running (Future.running(), and so whether cancel() can still succeed): on the
   * process backend CPython's ProcessPoolExecutor rule — a call handed to a worker is running, as a call moved to
   * its call queue is; elsewhere the thread rule — running once the worker has begun it, so a call sent ahead
   * to a busy worker is still pending and can be cancelled (the worker then skips it).
   */
  readonly #sentIsRunning: boolean;
  #lifecycle: Lifecycle = 'running';
  /** Submissions waiting for the module check, in submission order; while any wait, later ones queue behind them. */
  #deferred: Deferred[] = [];
  #draining: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;
  #terminated: Promise<void> | undefined;
  #ended = false;
  // The main lane: waits in progress, and the open span (one per continuous waiting period).
  #waiting = 0;
  #spanStart = -1;
  #spanEnd = 0;
  #spanLabel = '';
  /** Fills the `%s` of `#spanLabel` (see {@link waitLabel}), undefined when it has none. */
  #spanName: string | undefined;
  #spanCalls = 0;
  #spanMixed = false;
  #spanCheck = false;

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
    const ownBeforeRunEnd = options.engine?.beforeRunEnd;
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
      // The last waiting period goes on the main lane before the run (and its lane) ends.
      beforeRunEnd: () => { this.#closeSpan(); this.#ended = true; ownBeforeRunEnd?.(); },
    });
    this.#sentIsRunning = this.engine.backend === 'process';
    // Subscribed right away, before the engine's first (batched, asynchronous) delivery.
    if (config.onTrace) this.engine.onTrace(config.onTrace);
    if (config.onTraceColumns) this.engine.onTraceColumns(config.onTraceColumns);
    if (options.onTrace) this.engine.onTrace(options.onTrace);
    config.onPoolCreated?.(this.engine);
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
   * Nothing follows the task unless asked: its engine promise is made only when someone asks for it, so an
   * ignored failure cannot go unhandled.
   */
  submit<T>(fn: TaskFunction | string, args: unknown[], what = 'submit'): SubmittedTask<T> {
    this.#checkOpen(what);
    const name = this.#deferred.length === 0 ? this.module.nameNow(fn) : undefined;
    if (name !== undefined) return this.#bound<T>(fn, name, args);
    return this.#defer<T>(fn, args);
  }

  /**
   * Submits `fn` once per argument list (map, starmap …): the export name is looked up once, and the tasks'
   * rejections are left to the caller, which awaits them all. All or nothing: if a submission throws, the ones
   * before it are cancelled.
   */
  submitEach<T>(fn: TaskFunction | string, argLists: unknown[][], what: string): SubmittedTask<T>[] {
    this.#checkOpen(what);
    const tasks: SubmittedTask<T>[] = new Array(argLists.length);
    const name = this.#deferred.length === 0 ? this.module.nameNow(fn) : undefined;
    let i = 0;
    try {
      for (; i < argLists.length; i++) {
        tasks[i] = name !== undefined ? this.#bound<T>(fn, name, argLists[i]) : this.#defer<T>(fn, argLists[i]);
      }
    } catch (error) {
      for (let k = 0; k < i; k++) tasks[k].cancel();
      throw error;
    }
    return tasks;
  }

  #checkOpen(what: string): void {
    if (this.#lifecycle !== 'running') throw closedError(`${what}(): pool is not running (it was ${this.#lifecycle === 'terminated' ? 'terminated' : 'closed'})`);
    // Python's BrokenProcessPool: once broken, a pool refuses new work at submit.
    const broken = this.engine.brokenError;
    if (broken) throw broken;
  }

  #bound<T>(fn: TaskFunction | string, name: string, args: unknown[]): SubmittedTask<T> {
    return new SubmittedTask<T>(labelOf(fn), this.engine.submit<T>(name, args), this.#sentIsRunning);
  }

  #defer<T>(fn: TaskFunction | string, args: unknown[]): SubmittedTask<T> {
    const task = new SubmittedTask<T>(labelOf(fn), undefined, this.#sentIsRunning);
    task.promise.catch(noop); // its own promise exists from the start: an ignored failure must not go unhandled
    this.#deferred.push({ task: task as SubmittedTask<unknown>, fn, args });
    if (this.#deferred.length === 1) this.#draining = this.#drainDeferred();
    return task;
  }

  /** Sends the deferred submissions in order, once their export names are known (one module check for all). */
  async #drainDeferred(): Promise<void> {
    const queue = this.#deferred;
    let sent = 0;
    while (sent < queue.length) {
      const { task, fn, args } = queue[sent];
      try {
        const exportName = this.module.nameNow(fn) ?? await this.module.name(fn);
        if (!task.settled) { // not cancelled while its name was being checked
          if (this.#lifecycle === 'terminated') throw terminatedError('the pool was terminated before the task was sent');
          task.attach(this.engine.submit(exportName, args));
        }
      } catch (error) {
        task.fail(error);
      }
      sent++;
    }
    // Everything is sent; later submissions take the direct path.
    this.#deferred = [];
  }

  /**
   * Awaits `promise` on behalf of the main program and, if it really has to wait (`settled` is false),
   * counts the time towards the main lane's current waiting period, labelled `label` ("main blocked here").
   * With `name`, `label` is a template whose `%s` is `name` ({@link waitLabel}).
   */
  waitFor<T>(promise: Promise<T>, label: string, settled = false, name?: string): Promise<T> {
    if (settled || this.#ended) return promise;
    this.beginWait(label, name);
    return promise.then(this.#endWaitValue as (value: T) => T, this.#endWaitError);
  }

  // Shared by every waitFor (a wait per result is common: no closures per call).
  readonly #endWaitValue = (value: unknown): unknown => { this.endWait(); return value; };
  readonly #endWaitError = (error: unknown): never => { this.endWait(); throw error; };

  /**
   * The main program starts waiting on the pool. Overlapping waits, and waits that follow each other within
   * a few microseconds, make one span on the main lane (one per continuous waiting period, not one per call).
   * With `name`, `label` is a template whose `%s` is `name` ({@link waitLabel}).
   */
  beginWait(label: string, name?: string): void {
    if (this.#ended) return;
    if (this.#waiting === 0) {
      const now = this.engine.now();
      if (this.#spanStart < 0 || now - this.#spanEnd > WAIT_MERGE_GAP_US) {
        this.#closeSpan();
        this.#spanStart = now;
        this.#spanLabel = label;
        this.#spanName = name;
        this.#spanCalls = 0;
        this.#spanMixed = false;
      }
    }
    this.#waiting++;
    this.#spanCalls++;
    if (label !== this.#spanLabel || name !== this.#spanName) this.#spanMixed = true;
  }

  /** A wait started with `beginWait` is over. */
  endWait(): void {
    if (this.#waiting === 0 || --this.#waiting !== 0) return;
    this.#spanEnd = this.engine.now();
    if (!this.#spanCheck) {
      this.#spanCheck = true;
      // Once the program is back in the event loop without waiting on the pool, the period is over.
      setImmediate(this.#checkSpan);
    }
  }

  readonly #checkSpan = (): void => {
    this.#spanCheck = false;
    if (this.#waiting === 0) this.#closeSpan();
  };

  /** Records the open waiting period, if any. */
  #closeSpan(): void {
    const start = this.#spanStart;
    if (start < 0) return;
    this.#spanStart = -1;
    const end = this.#waiting === 0 ? this.#spanEnd : this.engine.now();
    if (this.#ended || !(end > start)) return;
    const calls = this.#spanCalls;
    const first = waitLabel(this.#spanLabel, this.#spanName);
    const label = calls === 1 ? first : this.#spanMixed ? `${first} … (${calls} waits)` : `${first} (${calls} waits)`;
    this.engine.recordMainWait(start, end, label);
    if (this.#waiting !== 0) {
      // Closed while waits are still open (the run is ending): what follows is a new period.
      this.#spanStart = end;
      this.#spanCalls = 0;
    }
  }

  /** No new tasks; resolves once every task settled and every worker exited. Idempotent. */
  close(): Promise<void> {
    if (this.#lifecycle === 'running') this.#lifecycle = 'closing';
    this.#closed ??= (async () => {
      // Submissions still checking their module were accepted before close: let them in first.
      await this.#draining;
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

/** A task function's name for labels and the trace (a name given as a string is itself). */
export function labelOf(fn: TaskFunction | string): string {
  return typeof fn === 'string' ? fn : (fn.name || '<anonymous>');
}

/**
 * A wait's label: `label` with its `%s` replaced by `name` (when given). Waits that happen once per result pass a
 * constant template and the function's name, and the string is built only for the spans that are recorded (one
 * per waiting period), not for every call.
 */
export function waitLabel(label: string, name: string | undefined): string {
  return name === undefined ? label : label.replace('%s', () => name);
}
