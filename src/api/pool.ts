/**
 * `Pool`: Python's `multiprocessing.Pool`, on PoolScope's engine — so every
 * call shows up on the timeline.
 */
import type { NodeBackend, TraceListener } from '../trace/events.js';
import type { PoolOptions as EngineOptions } from '../pool/types.js';
import { AsyncResult } from './async-result.js';
import { InvalidStateError } from './errors.js';
import { labelOf, PoolSession } from './pool-session.js';
import { inCompletionOrder, inOrder, ResultIterator } from './result-iterator.js';
import type { SubmittedTask } from './submitted-task.js';
import type { TaskFunction } from './task-module.js';
import { noop } from '../common/noop.js';

/** The awaited return type of a task function. */
export type TaskResult<F extends TaskFunction> = Awaited<ReturnType<F>>;
/** A function of one argument, for `map` / `imap`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UnaryTask = (arg: any) => unknown;

/** Options of `new Pool(processes, options)`. */
export interface PoolOptions {
  /**
   * Where the tasks run. `'process'` is `multiprocessing.Pool`; `'thread'` is
   * `multiprocessing.pool.ThreadPool`; `'event-loop'` runs all tasks on one
   * thread (the GIL picture); `'serial'` runs them one by one in this process.
   * @default the runtime default (the editor's toggle, via the runner), else `POOLSCOPE_BACKEND`, else `'process'`
   */
  backend?: NodeBackend;
  /**
   * URL or absolute path of the module whose exports are the tasks — usually
   * `import.meta.url`. Workers import it and call exports by name.
   * @default the file being run, when run by PoolScope (Run File / `poolscope run`)
   */
  module?: string;
  /**
   * A worker is replaced by a fresh one after running this many tasks
   * (Python's `maxtasksperchild`); each replacement is a new worker on the timeline.
   * @default undefined (workers live as long as the pool)
   */
  maxtasksperchild?: number;
  /** Per-task timeout in ms: the work is really stopped and the task fails with `TaskTimeout`. @default undefined (none) */
  timeout?: number;
  /** Receives this pool's trace events, in batches (in addition to the runtime's `onTrace`). */
  onTrace?: TraceListener;
  /** Any other engine option (`pipeline`, `maxQueue`, `execArgv`, `resourceLimits`, `runId`, …). */
  engine?: Partial<EngineOptions>;
}

/** Options of `applyAsync`. */
export interface ApplyAsyncOptions<R> {
  /** Called in the main program with the result, once ready. */
  callback?: (result: R) => void;
  /** Called in the main program with the error, if the call fails. */
  errorCallback?: (error: unknown) => void;
}

/** Options of `mapAsync` / `starmapAsync`. */
export interface MapAsyncOptions<R> extends ApplyAsyncOptions<R[]> {
  /** See {@link Pool.map}. @default 1 */
  chunksize?: number;
}

/**
 * A pool of workers running exported functions — Python's `multiprocessing.Pool`.
 *
 * Tasks are functions exported from the pool's `module` (functions travel by
 * reference, like pickle); arguments and results must be structured-cloneable.
 * Blocking Python calls (`apply`, `map`, `starmap`) return promises here; the
 * `…Async` ones return an {@link AsyncResult} at once.
 *
 * Leaving an `await using` block calls {@link Pool.terminate} (as Python's `with Pool()` does):
 * collect your results inside the block, or `close()` + `join()` to let queued work finish.
 *
 * @example
 * ```ts
 * import { Pool } from 'poolscope';
 * export function square(x: number) { return x * x; }
 *
 * export default async function main() {
 *   const pool = new Pool(4, { backend: 'process', module: import.meta.url });
 *   console.log(await pool.map(square, [1, 2, 3]));   // [1, 4, 9]
 *   pool.close();
 *   await pool.join();
 * }
 * ```
 */
export class Pool implements AsyncDisposable {
  readonly #session: PoolSession;

  /**
   * Starts the workers.
   * @param processes number of workers (event-loop backend: tasks in flight on its one thread).
   *   @default the runtime default, else `POOLSCOPE_WORKERS`, else `os.availableParallelism()`
   * @throws NoTaskModule when no `module` is given and none is configured.
   */
  constructor(processes?: number | null, options?: PoolOptions);
  constructor(options?: PoolOptions);
  constructor(processesOrOptions?: number | null | PoolOptions, maybeOptions: PoolOptions = {}) {
    const processes = typeof processesOrOptions === 'number' ? processesOrOptions : undefined;
    const options = typeof processesOrOptions === 'object' && processesOrOptions !== null ? processesOrOptions : maybeOptions;
    if (processes !== undefined && !(Number.isInteger(processes) && processes >= 1)) {
      throw new RangeError(`Number of processes must be an integer ≥ 1, got ${processes}`);
    }
    const max = options.maxtasksperchild;
    if (max !== undefined && max !== null && !(Number.isInteger(max) && max >= 1)) {
      throw new RangeError(`maxtasksperchild must be an integer ≥ 1, got ${max}`);
    }
    this.#session = new PoolSession({
      family: 'pool',
      backend: options.backend,
      fallbackBackend: 'process',
      workers: processes,
      module: options.module,
      timeout: options.timeout,
      maxTasksPerWorker: max ?? undefined,
      onTrace: options.onTrace,
      engine: options.engine,
      label: (backend, workers) => `Pool(${workers}) ${backend}`,
    });
  }

  /** The backend the tasks run on. */
  get backend(): NodeBackend {
    return this.#session.backend;
  }

  /** Number of workers (1 on serial, whatever was asked for). */
  get processes(): number {
    return this.#session.size;
  }

  /** Id of this pool's run on the timeline (stamped on its trace events). */
  get runId(): string {
    return this.#session.engine.runId;
  }

  /** URL of the task module. */
  get module(): string {
    return this.#session.module.url;
  }

  /** Subscribes to this pool's trace events (batched). Returns the unsubscribe function. */
  onTrace(listener: TraceListener): () => void {
    return this.#session.engine.onTrace(listener);
  }

  /**
   * Runs `fn(...args)` on a worker and resolves with its result (Python's blocking `apply`).
   * @throws PoolClosed after `close()` / `terminate()`; NotExported if `fn` is not exported by the task module.
   * @example
   * ```ts
   * const y = await pool.apply(add, [2, 3]); // 5
   * ```
   */
  apply<F extends TaskFunction>(fn: F, args?: Parameters<F>): Promise<TaskResult<F>>;
  /** `apply` by export name: `await pool.apply<number>('add', [2, 3])`. */
  apply<R = unknown>(fn: string, args?: unknown[]): Promise<R>;
  async apply(fn: TaskFunction | string, args: unknown[] = []): Promise<unknown> {
    const task = this.#submit<unknown>(fn, args, 'apply');
    return this.#session.waitFor(task.promise, 'pool.apply(%s)', task.settled, task.label);
  }

  /**
   * Calls `fn(item)` for each item and resolves with the results **in input order**,
   * whatever order they finish in. Fails with the first failing item's error.
   * @param chunksize accepted for compatibility with Python. Every item is still its own
   *   task, so each one is visible on the timeline; the engine's pipelining already batches
   *   the messages that Python's chunking saves. @default 1
   * @example
   * ```ts
   * await pool.map(square, [1, 2, 3]); // [1, 4, 9]
   * ```
   */
  async map<F extends UnaryTask>(fn: F | string, iterable: Iterable<Parameters<F>[0]>, chunksize?: number): Promise<TaskResult<F>[]> {
    const tasks = this.#submitEach<TaskResult<F>>(fn, Array.from(iterable, (x) => [x]), chunksize, 'map');
    return this.#session.waitFor(this.#all(tasks), `pool.map(${labelOf(fn)}) × ${tasks.length}`);
  }

  /**
   * Like `map`, but each item is an argument list: `starmap(add, [[1, 2], [3, 4]])` → `[3, 7]`.
   * @param chunksize see {@link Pool.map}. @default 1
   */
  async starmap<F extends TaskFunction>(fn: F | string, iterable: Iterable<Parameters<F>>, chunksize?: number): Promise<TaskResult<F>[]> {
    const tasks = this.#submitEach<TaskResult<F>>(fn, Array.from(iterable, (args) => [...args]), chunksize, 'starmap');
    return this.#session.waitFor(this.#all(tasks), `pool.starmap(${labelOf(fn)}) × ${tasks.length}`);
  }

  /**
   * Like `map`, but yields results one by one, in input order, as soon as each
   * (and every one before it) is ready. All items are submitted at once.
   * @param chunksize see {@link Pool.map}. @default 1
   * @example
   * ```ts
   * for await (const y of pool.imap(square, [1, 2, 3])) console.log(y);
   * ```
   */
  imap<F extends UnaryTask>(fn: F | string, iterable: Iterable<Parameters<F>[0]>, chunksize?: number): ResultIterator<TaskResult<F>> {
    // A loop left early never asks for the rest's promises, so their failures cannot go unhandled.
    const tasks = this.#submitEach<TaskResult<F>>(fn, Array.from(iterable, (x) => [x]), chunksize, 'imap');
    return new ResultIterator(inOrder(tasks, this.#session, `pool.imap(${labelOf(fn)}) × ${tasks.length}`));
  }

  /**
   * Like `imap`, but yields results in the order they **finish** (Python's `imap_unordered`).
   * @param chunksize see {@link Pool.map}. @default 1
   */
  imapUnordered<F extends UnaryTask>(fn: F | string, iterable: Iterable<Parameters<F>[0]>, chunksize?: number): ResultIterator<TaskResult<F>> {
    const tasks = this.#submitEach<TaskResult<F>>(fn, Array.from(iterable, (x) => [x]), chunksize, 'imapUnordered');
    return new ResultIterator(inCompletionOrder(tasks, this.#session, `pool.imapUnordered(${labelOf(fn)}) × ${tasks.length}`));
  }

  /**
   * Submits `fn(...args)` and returns at once with an {@link AsyncResult}.
   * @throws PoolClosed after `close()` / `terminate()`; NotExported when `fn` is known not to be exported.
   * @example
   * ```ts
   * const r = pool.applyAsync(square, [7]);
   * console.log(r.ready(), await r.get({ timeout: 1000 }), r.successful()); // false 49 true
   * ```
   */
  applyAsync<F extends TaskFunction>(fn: F, args?: Parameters<F>, options?: ApplyAsyncOptions<TaskResult<F>>): AsyncResult<TaskResult<F>>;
  /** `applyAsync` by export name. */
  applyAsync<R = unknown>(fn: string, args?: unknown[], options?: ApplyAsyncOptions<R>): AsyncResult<R>;
  applyAsync(fn: TaskFunction | string, args: unknown[] = [], options: ApplyAsyncOptions<unknown> = {}): AsyncResult<unknown> {
    const task = this.#submit<unknown>(fn, args, 'applyAsync');
    return new AsyncResult(task, this.#session, 'applyAsync(%s)', options.callback, options.errorCallback, task.label);
  }

  /**
   * `map` without waiting: returns an {@link AsyncResult} of the whole result list (in input order).
   * @param options `chunksize` (see {@link Pool.map}) or `{ chunksize, callback, errorCallback }`.
   */
  mapAsync<F extends UnaryTask>(fn: F | string, iterable: Iterable<Parameters<F>[0]>,
    options: number | MapAsyncOptions<TaskResult<F>> = {}): AsyncResult<TaskResult<F>[]> {
    const opts = typeof options === 'number' ? { chunksize: options } : options;
    const tasks = this.#submitEach<TaskResult<F>>(fn, Array.from(iterable, (x) => [x]), opts.chunksize, 'mapAsync');
    return new AsyncResult(this.#all(tasks), this.#session,
      `mapAsync(${labelOf(fn)}) × ${tasks.length}`, opts.callback, opts.errorCallback);
  }

  /** `starmap` without waiting: returns an {@link AsyncResult} of the result list. */
  starmapAsync<F extends TaskFunction>(fn: F | string, iterable: Iterable<Parameters<F>>,
    options: number | MapAsyncOptions<TaskResult<F>> = {}): AsyncResult<TaskResult<F>[]> {
    const opts = typeof options === 'number' ? { chunksize: options } : options;
    const tasks = this.#submitEach<TaskResult<F>>(fn, Array.from(iterable, (args) => [...args]), opts.chunksize, 'starmapAsync');
    return new AsyncResult(this.#all(tasks), this.#session,
      `starmapAsync(${labelOf(fn)}) × ${tasks.length}`, opts.callback, opts.errorCallback);
  }

  /**
   * No more work is coming: queued tasks still run, then the workers exit.
   * Call `join()` to wait for that. Further submissions throw `PoolClosed`.
   */
  close(): void {
    this.#session.close().catch(() => undefined); // join() reports the outcome
  }

  /**
   * Waits for the workers to exit, after `close()` or `terminate()`.
   * @throws InvalidStateError if the pool is still running (Python raises `ValueError`).
   */
  async join(): Promise<void> {
    const lifecycle = this.#session.lifecycle;
    if (lifecycle === 'running') throw new InvalidStateError('join(): the pool is still running; call close() or terminate() first');
    if (lifecycle === 'terminated') return this.#session.terminate();
    // No main-wait span for join: the run ends (run-end) while we wait, and its lane with it.
    await this.#session.close();
  }

  /**
   * Stops the workers now, without finishing outstanding work: queued and
   * running tasks fail with `PoolTerminated`. Resolves once every worker exited.
   */
  terminate(): Promise<void> {
    return this.#session.terminate();
  }

  /** `await using pool = new Pool(…)`: terminates the pool when the block ends, as Python's `with Pool()` does. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  #submit<R>(fn: TaskFunction | string, args: unknown, what: string): SubmittedTask<R> {
    if (!Array.isArray(args)) throw new TypeError(`${what}(): args must be an array of arguments, got ${typeof args}`);
    return this.#session.submit<R>(fn, args, what);
  }

  /**
   * Submits one task per argument list, all or nothing (like one Python map call: a submission that throws
   * cancels the ones before it).
   */
  #submitEach<R>(fn: TaskFunction | string, argLists: unknown[][], chunksize: number | undefined, what: string): SubmittedTask<R>[] {
    if (chunksize !== undefined && chunksize !== null && !(Number.isInteger(chunksize) && chunksize >= 1)) {
      throw new RangeError(`${what}(): chunksize must be an integer ≥ 1, got ${chunksize}`);
    }
    return this.#session.submitEach<R>(fn, argLists, what);
  }

  /** Every task's result, in order; the first failure rejects. */
  #all<R>(tasks: SubmittedTask<R>[]): Promise<R[]> {
    const promises = new Array<Promise<R>>(tasks.length);
    for (let i = 0; i < tasks.length; i++) promises[i] = tasks[i].promise;
    const all = Promise.all(promises);
    all.catch(noop); // as before the lazy promises: a map whose result is dropped does not crash the program
    return all;
  }
}
