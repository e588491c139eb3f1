/**
 * Messages between a runner process and its parent (the extension host or the
 * CLI), over the `child_process.fork` IPC channel. One union per direction.
 * The parent never runs user code; the runner never imports `vscode`.
 */
import type { SourceLocation } from '../common/stack-frames.js';
import type { Backend, DistributedNodeBackend, NodeBackend, TaskError, TraceEvent } from '../trace/events.js';
import type { TraceColumns } from '../common/trace-columns.js';
import type { JsonValue } from './result-json.js';
import type { InputRange } from './inputs.js';

export type RunMode = 'fn' | 'file' | 'compare';

/** What a Node request may name: the engine's backends, or BullMQ jobs on Redis (fn and compare modes). */
export type RunBackend = NodeBackend | DistributedNodeBackend;

/**
 * The engine settings of a run: what the CLI's flags (`RunnerOptions`, src/cli/args.ts) and the
 * extension's settings carry into every {@link RunRequest}. One type, so a new setting is added once.
 */
export interface EngineOptions {
  workers: number;
  /** Per-task timeout in ms. */
  timeout?: number;
  /**
   * Directory for the bundle cache. Bundles in it are executed, so it is
   * checked (src/runner/private-dir.ts) and refused with UnsafeCacheDir when
   * anyone else could change it. @default $XDG_CACHE_HOME/poolscope, else ~/.cache/poolscope
   */
  cacheDir?: string;
  /** Memory limit per worker in MiB (the engine's `maxMemoryMb`; without it the engine's default), so runaway allocation fails one task instead of the machine. */
  maxMemoryMb?: number;
  /** .py files: the Python interpreter. @default 'python3' */
  pythonPath?: string;
  /**
   * On-CPU sampling period in ms (src/runner/cpu-sampler.ts); 0 turns it off.
   * Stretched with many threads so sampling stays under 2 % of one core.
   * @default 5
   */
  cpuSampleMs?: number;
  /** py-dask: address of an existing Dask scheduler (tcp://host:port); without it a LocalCluster runs for the run. */
  scheduler?: string;
  /** py-dask LocalCluster: threads per worker process. @default 1 */
  threadsPerWorker?: number;
  /** bullmq: an existing Redis server (redis://host:port); without it a private redis-server and `workers` local workers run. */
  redis?: string;
  /** bullmq: queue name. @default 'poolscope' with `redis`, else one per run */
  queue?: string;
  /** bullmq: jobs each local worker takes at once. @default 1 */
  concurrency?: number;
}

/** Set ('1') in a runner's environment when its parent keeps a mark sentinel for it (launch.ts): no orphan-guard thread. */
export const PARENT_SENTINEL_ENV = 'POOLSCOPE_PARENT_SENTINEL';

/**
 * Largest values a run request may carry: the CLI refuses more up front with the flag's name, and the runner
 * checks again what it receives (runner-messages.ts), so both say the same limits.
 */
export const RUN_LIMITS = {
  /** workers, and py-dask threads per worker */
  workers: 4096,
  /** per-task timeout, ms: the longest a Node timer can wait */
  timeoutMs: 2 ** 31 - 1,
  maxMemoryMb: 1 << 24,
  repeat: 10_000,
  /** bullmq: jobs each local worker takes at once */
  concurrency: 100_000,
} as const;

export interface RunRequest extends EngineOptions {
  type: 'run';
  mode: RunMode;
  /** Absolute path of the user's .ts/.js file. */
  file: string;
  /** Export name of the task function (fn and compare modes). */
  fn?: string;
  /** Argument lists, already parsed (see inputs.ts): one array of arguments per task. */
  inputs?: unknown[][];
  /** Instead of `inputs`: `count` calls with `start`, `start + step` … (a `range()`; see `compactInputs` in inputs.ts). */
  inputRange?: InputRange;
  /** fn / file mode: the backend; file mode: the default backend for `PoolExecutor` / `new Pool()`. */
  backend: RunBackend;
  /** compare mode: backends to run one after another on one clock. @default ['serial','event-loop','thread','process'] */
  backends?: RunBackend[];
  /** compare mode: run the backends this many rounds, interleaved (serial, event-loop, thread, process, serial, …). @default 1 */
  repeat?: number;
  /** `cacheDir` is a default location (the extension's global storage), not the user's choice: if it fails a check, a fresh private directory is used and the reason logged. */
  cacheDirIsDefault?: boolean;
  /** .py files: the Python backend (fn and file modes); without it `backend` maps onto Python (thread → py-thread, …). */
  pythonBackend?: Extract<Backend, `py-${string}`>;
  /** .py files, compare mode: the Python backends to run. @default py-serial, py-thread, py-process (+ py-thread-ft when installed) */
  pythonBackends?: Extract<Backend, `py-${string}`>[];
  /** How the user names the interpreter, for messages (the CLI: '--python'). @default 'the poolscope.pythonPath setting' */
  pythonPathOption?: string;
  /** fn and compare modes: send every task's result value (`results` messages, result-json.ts) — for `--json`. */
  results?: boolean;
}

/**
 * To a spare runner (launch.ts, warm start), before its request: start the pool of `request` ahead — only when
 * the file still bundles to `bundleUrl` (the bundle the last run ran) — and hold it for the request that comes
 * (run-session.ts, PreparedPool). Nothing is sent to the parent for it.
 */
export interface PrepareRequest { type: 'prepare'; request: RunRequest; bundleUrl: string }

export type ToRunner = RunRequest | { type: 'stop' } | PrepareRequest;

/** Where a load error points in the user's file (1-based line/column). */
export type { SourceLocation };

/** CLOCK_MONOTONIC µs of the runner's start-up steps (compare with `run-start.originUs`, `task-start`). */
export interface StartupMarks {
  /** The runner process started (its performance.timeOrigin). */
  runnerStartMonoUs: number;
  /** The run request arrived. */
  requestMonoUs: number;
  /** The bundle was ready. */
  bundledMonoUs: number;
}

/**
 * CLOCK_MONOTONIC µs of a fn-mode run's steps after the bundle, sent with `done` (a click's stages, measured:
 * bench/click.mjs, the extension's debug log). Each is absent when the run did not get there.
 */
export interface RunMarks {
  /** The user's module was imported and checked in the runner. */
  loadedMonoUs?: number;
  /** The pool's events were released (for a pool started ahead, its run's start). */
  releasedMonoUs?: number;
  /** Every worker was ready (for a pool started ahead: when that happened, maybe before the request). */
  warmMonoUs?: number;
  /** The first task was submitted. */
  firstSubmitMonoUs?: number;
  /** The pool was started ahead by this spare runner (PreparedPool) and used. */
  prepared?: boolean;
}

/** What the runner sends its parent. `launchRunner` turns `trace-columns` into `events`: see {@link RunnerMessage}. */
export type FromRunner = RunnerMessage
  /** Trace events of a Node pool, batched as columns (src/common/trace-columns.ts, JSON-safe): a fraction of the bytes of objects. */
  | { type: 'trace-columns'; columns: TraceColumns };

/** What a runner's parent sees (`launchRunner`'s onMessage). */
export type RunnerMessage =
  /** Trace events, batched. */
  | { type: 'events'; batch: TraceEvent[] }
  /** The user's file could not be bundled or loaded, or the fn is missing / not exported / not a function. */
  | { type: 'load-error'; error: TaskError & { location?: SourceLocation } }
  /** The user's file was bundled (or a cached bundle reused): for start-up timing. */
  | { type: 'bundled'; cacheHit: boolean; durationMs: number; marks?: StartupMarks; url?: string }
  /** file mode: the script's `main()` (or its top-level code) threw after loading. */
  | { type: 'main-error'; error: TaskError & { location?: SourceLocation } }
  /** Result values of one run's tasks, as JSON (result-json.ts); only when the request asked for `results`. */
  | { type: 'results'; runId: string; results: [taskId: number, value: JsonValue][] }
  /** The run (or all compare runs) finished; the runner exits right after. */
  | { type: 'done'; ok: boolean; failed: number; runIds: string[]; marks?: RunMarks }
  /** A spare runner's answer to `prepare`: its pool started ahead has every worker ready (`ok`), or none was started. */
  | { type: 'prepared'; ok: boolean };
