/**
 * Executors: Python's `concurrent.futures.ThreadPoolExecutor` and
 * `ProcessPoolExecutor`, plus `PoolExecutor`, whose backend comes from
 * configuration — one program that runs on threads or processes without edits
 * (the seed's "unify" idea).
 */
import type { NodeBackend, TraceListener } from '../trace/events.js';
import type { PoolOptions as EngineOptions } from '../pool/types.js';
import { Future } from './future.js';
import { labelOf, PoolSession } from './pool-session.js';
import type { TaskResult } from './pool.js';
import { Deadline, ResultIterator } from './result-iterator.js';
import type { SubmittedTask } from './submitted-task.js';
import type { TaskFunction } from './task-module.js';
import { checkTimeout } from './timeouts.js';

/** Options of every executor's constructor. */
export interface ExecutorOptions {
  /**
   * Number of workers (event-loop backend: tasks in flight on its one thread).
   * @default the runtime default, else `POOLSCOPE_WORKERS`, else `os.availableParallelism()`
   */
  maxWorkers?: number;
  /**
   * URL or absolute path of the module whose exports are the tasks — usually `import.meta.url`.
   * @default the file being run, when run by PoolScope (Run File / `poolscope run`)
   */
  module?: string;
  /** A worker is replaced after running this many tasks (Python's `max_tasks_per_child`). @default undefined */
  maxTasksPerChild?: number;
  /** Per-task timeout in ms: the work is really stopped and the future fails with `TaskTimeout`. @default undefined */
  timeout?: number;
  /** Receives this executor's trace events, in batches. */
  onTrace?: TraceListener;
  /** Any other engine option (`pipeline`, `maxQueue`, `execArgv`, …). */
  engine?: Partial<EngineOptions>;
}

/** Options of `PoolExecutor`: the executor options plus an optional explicit backend. */
export interface PoolExecutorOptions extends ExecutorOptions {
  /**
   * Where the tasks run.
   * @default the runtime default (the editor's toggle, via the runner), else `POOLSCOPE_BACKEND`, else `'thread'`
   */
  backend?: NodeBackend;
}

/** Options of `Executor.map`, given as the last argument. */
export interface ExecutorMapOptions {
  /** Milliseconds from the call to `map`; a result not ready by then makes the iteration throw `TimeoutError`. @default undefined */
  timeout?: number;
  /** Accepted for compatibility; each item is still one task, visible on the timeline (see `Pool.map`). @default 1 */
  chunksize?: number;
}

/** Options of `Executor.shutdown`. */
export interface ShutdownOptions {
  /** Wait until every pending future ran and the workers exited. @default true */
  wait?: boolean;
  /** Cancel the futures that have not started. @default false */
  cancelFutures?: boolean;
}

/**
 * What every executor can do. Use one of {@link ThreadPoolExecutor},
 * {@link ProcessPoolExecutor}, {@link PoolExecutor}.
 */
export abstract class Executor implements AsyncDisposable {
  readonly #session: PoolSession;
  /**
   * Submitted tasks, for `shutdown({ cancelFutures })`. Settled ones are swept out when the list has doubled
   * since the last sweep (amortised: no per-task bookkeeping when a task settles).
   */
  #tracked: SubmittedTask<unknown>[] = [];
  #sweepAt = 1024;

  /** @internal */
  protected constructor(session: PoolSession) {
    this.#session = session;
  }

  /** The backend the tasks run on. */
  get backend(): NodeBackend {
    return this.#session.backend;
  }

  /** Number of workers. */
  get maxWorkers(): number {
    return this.#session.size;
  }

  /** Id of this executor's run on the timeline. */
  get runId(): string {
    return this.#session.engine.runId;
  }

  /** Subscribes to this executor's trace events (batched). Returns the unsubscribe function. */
  onTrace(listener: TraceListener): () => void {
    return this.#session.engine.onTrace(listener);
  }

  /**
   * Schedules `fn(...args)` and returns a {@link Future} for it.
   * @throws PoolClosed after `shutdown()` (Python: `RuntimeError`); NotExported if `fn` is known not to be exported.
   * @example
   * ```ts
   * const f = executor.submit(add, 2, 3);
   * console.log(await f.result()); // 5
   * ```
   */
  submit<F extends TaskFunction>(fn: F, ...args: Parameters<F>): Future<TaskResult<F>>;
  /** `submit` by export name: `executor.submit<number>('add', 2, 3)`. */
  submit<R = unknown>(fn: string, ...args: unknown[]): Future<R>;
  submit(fn: TaskFunction | string, ...args: unknown[]): Future<unknown> {
    const task = this.#session.submit<unknown>(fn, args, 'submit');
    this.#track(task as SubmittedTask<unknown>);
    return new Future(task, this.#session);
  }

  /**
   * Calls `fn` with one item from each iterable (zipped, shortest wins) and yields
   * the results in input order. Everything is submitted at once; leaving the loop
   * early cancels the calls that have not started. An options object may come last.
   * @example
   * ```ts
   * for await (const y of executor.map(add, [1, 2], [10, 20], { timeout: 5000 })) console.log(y); // 11, 22
   * ```
   */
  map<F extends TaskFunction>(fn: F | string, ...iterablesAndOptions: (Iterable<unknown> | ExecutorMapOptions)[]): ResultIterator<TaskResult<F>> {
    const last = iterablesAndOptions.at(-1);
    const hasOptions = typeof last === 'object' && last !== null && !isIterable(last);
    const options = hasOptions ? iterablesAndOptions.pop() as ExecutorMapOptions : {};
    const iterables = iterablesAndOptions as Iterable<unknown>[];
    if (iterables.length === 0) throw new TypeError('map(): needs at least one iterable');
    const timeout = checkTimeout(options.timeout);
    if (options.chunksize !== undefined && !(Number.isInteger(options.chunksize) && options.chunksize >= 1)) {
      throw new RangeError(`map(): chunksize must be an integer ≥ 1, got ${options.chunksize}`);
    }
    const deadline = timeout === undefined ? undefined : new Deadline(timeout, 'executor.map()');
    // A loop left early never asks for the rest's promises, so their failures cannot go unhandled.
    const tasks = this.#session.submitEach<TaskResult<F>>(fn, [...zip(iterables)], 'map');
    for (const task of tasks) this.#track(task as SubmittedTask<unknown>);
    const label = `executor.map(${labelOf(fn)}) × ${tasks.length}`;
    const session = this.#session;
    async function* results(): AsyncGenerator<TaskResult<F>, void, undefined> {
      try {
        for (const task of tasks) {
          if (task.settled) yield await task.promise;
          else yield await session.waitFor(deadline ? deadline.race(task.promise) : task.promise, label);
        }
      } finally {
        // Python cancels what has not started when the result iterator is abandoned or fails.
        for (const t of tasks) t.cancel();
      }
    }
    return new ResultIterator(results());
  }

  /**
   * Signals that no more work is coming. With `wait` (default), resolves once
   * every pending future is done and the workers exited; `cancelFutures`
   * cancels the futures that have not started. Further `submit`s throw `PoolClosed`.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options;
    if (cancelFutures) for (const task of this.#tracked) task.cancel();
    const closed = this.#session.close();
    if (wait) await closed;
    else closed.catch(() => undefined);
  }

  /** `await using ex = new PoolExecutor()`: `shutdown({ wait: true })` when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  #track(task: SubmittedTask<unknown>): void {
    const tracked = this.#tracked;
    tracked.push(task);
    if (tracked.length < this.#sweepAt) return;
    this.#tracked = tracked.filter((t) => !t.settled);
    this.#sweepAt = Math.max(1024, this.#tracked.length * 2);
  }
}

/**
 * Runs calls on worker threads of this process — Python's `ThreadPoolExecutor`.
 * Unlike Python's threads, each worker has its own event loop and V8 isolate, so
 * CPU-bound work does run in parallel. Workers are named `ThreadPoolExecutor-K_N`.
 *
 * @example
 * ```ts
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 4, module: import.meta.url });
 * console.log(await ex.submit(square, 3).result()); // 9
 * ```
 */
export class ThreadPoolExecutor extends Executor {
  constructor(options: ExecutorOptions = {}) {
    super(sessionFor('thread', options));
  }
}

/**
 * Runs calls in child processes — Python's `ProcessPoolExecutor`. Workers are
 * named `SpawnProcess-N`; each has its own PID.
 *
 * @example
 * ```ts
 * await using ex = new ProcessPoolExecutor({ maxWorkers: 2, module: import.meta.url });
 * const f = ex.submit(square, 3);
 * ```
 */
export class ProcessPoolExecutor extends Executor {
  constructor(options: ExecutorOptions = {}) {
    super(sessionFor('process', options));
  }
}

/**
 * An executor whose backend comes from configuration: the editor's toggle (via
 * the runner), else the `POOLSCOPE_BACKEND` environment variable, else threads.
 * The same program then runs on threads or processes without edits.
 *
 * @example
 * ```ts
 * // POOLSCOPE_BACKEND=process node app.mjs   → many PIDs
 * // POOLSCOPE_BACKEND=thread  node app.mjs   → one PID
 * await using ex = new PoolExecutor({ module: import.meta.url });
 * const futures = urls.map((u) => ex.submit(title, u));
 * for await (const f of asCompleted(futures)) console.log(await f.result());
 * ```
 */
export class PoolExecutor extends Executor {
  constructor(options: PoolExecutorOptions = {}) {
    super(sessionFor(options.backend, options, 'thread'));
  }
}

function sessionFor(backend: NodeBackend | undefined, options: ExecutorOptions, fallback: NodeBackend = 'thread'): PoolSession {
  const max = options.maxTasksPerChild;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1)) {
    throw new RangeError(`maxTasksPerChild must be an integer ≥ 1, got ${max}`);
  }
  if (options.maxWorkers !== undefined && !(Number.isInteger(options.maxWorkers) && options.maxWorkers >= 1)) {
    throw new RangeError(`maxWorkers must be an integer ≥ 1, got ${options.maxWorkers}`);
  }
  return new PoolSession({
    family: 'executor',
    backend,
    fallbackBackend: fallback,
    workers: options.maxWorkers,
    module: options.module,
    timeout: options.timeout,
    maxTasksPerWorker: max,
    onTrace: options.onTrace,
    engine: options.engine,
    label: (b, n) => `${b === 'process' ? 'ProcessPoolExecutor' : b === 'thread' ? 'ThreadPoolExecutor' : 'PoolExecutor'}(${n}) ${b}`,
  });
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (typeof value === 'string') || (value !== null && typeof value === 'object' && Symbol.iterator in value);
}

function* zip(iterables: Iterable<unknown>[]): Generator<unknown[]> {
  const iterators = iterables.map((it) => it[Symbol.iterator]());
  for (;;) {
    const args: unknown[] = [];
    for (const it of iterators) {
      const step = it.next();
      if (step.done) return;
      args.push(step.value);
    }
    yield args;
  }
}
