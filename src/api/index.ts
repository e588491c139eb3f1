/**
 * PoolScope's library entry — `import { Pool, PoolExecutor, … } from 'poolscope'`:
 * Python's `multiprocessing.Pool` and `concurrent.futures` executors in
 * TypeScript, on PoolScope's engine, so every task can be seen on a timeline.
 * Re-exports only.
 */
export { Pool } from './pool.js';
export type { PoolOptions, ApplyAsyncOptions, MapAsyncOptions, TaskResult, UnaryTask } from './pool.js';
export { AsyncResult } from './async-result.js';
export type { GetOptions } from './async-result.js';
export { Executor, ThreadPoolExecutor, ProcessPoolExecutor, PoolExecutor } from './executor.js';
export type { ExecutorOptions, PoolExecutorOptions, ExecutorMapOptions, ShutdownOptions } from './executor.js';
export { Future } from './future.js';
export type { ResultOptions } from './future.js';
export { wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from './wait.js';
export type { ReturnWhen, WaitOptions, DoneAndNotDone } from './wait.js';
export { ResultIterator } from './result-iterator.js';
export { currentProcess, currentThread, workerIdentity } from './current.js';
export type { ProcessInfo, ThreadInfo, WorkerIdentity } from './current.js';
export { configureRuntime, resetRuntime, runtimeConfig } from './runtime-config.js';
export type { RuntimeConfig } from './runtime-config.js';
export { TimeoutError, CancelledError, InvalidStateError, NotExported, NoTaskModule, PoolInWorker, PoolScopeApiError } from './errors.js';
export { PoolError, ErrorNames } from '../pool/errors.js';
export type { EngineErrorName } from '../pool/errors.js';
export type { TaskFunction } from './task-module.js';
export type { NodeBackend, TraceEvent, TraceListener } from '../trace/events.js';
