/**
 * One runner request, start to finish: bundle the user's file, load it, then
 * run it in the requested mode —
 * - `fn`: one export over the inputs, on one backend;
 * - `compare`: the same export and inputs on each backend, one after another,
 *   on one shared clock (same `originUs`, one `compareId`, labels "compare i/n");
 * - `file`: the script's default export `main()`, with the API configured so
 *   `new Pool()` / `PoolExecutor` default to the chosen backend, size and the
 *   user's own module, and its trace events come here.
 * Every trace event goes to the parent as it arrives; the session counts
 * failures and run ids for the final `done`.
 */
import { compareRuns } from './compare-runs.js';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPool } from '../pool/pool.js';
import { monotonicUs } from '../pool/clock.js';
import type { PoolEngine, PoolOptions, TaskHandle } from '../pool/types.js';
import type { NodeBackend, TraceEvent } from '../trace/events.js';
import { columnsToJson, type TraceColumns } from '../common/trace-columns.js';
import { NODE_BACKENDS } from '../trace/events.js';
import { bundleUserFile, defaultApiPath, BundleError, type BundleResult } from './bundle.js';
import { inputSource, type InputSource } from './inputs.js';
import { RunnerError, type RunnerErrorName } from './errors.js';
import { DEFAULT_CPU_SAMPLE_MS, sampleEngine } from './cpu-sampler.js';
import { locationFromStack, toTaskError } from './error-location.js';
import type { FromRunner, RunMarks, RunRequest, StartupMarks } from './protocol.js';
import { checkTaskExport, importUserModule, LoadFailure, type LoadError } from './user-module.js';
import { encodeResult, type JsonValue } from './result-json.js';
import { startMainThreadWatchdog, type Watchdog } from './main-thread-watchdog.js';
import { waitForIdleProcesses } from './startup-settle.js';
import type { RuntimeConfig } from '../api/runtime-config.js';
import type { BullmqRun } from './bullmq/bullmq-run.js';
import { loadBullmq } from './bullmq/load.js';

/** Result values per `results` message. */
const RESULTS_BATCH = 1000;

/** Slack on top of --timeout before a blocked runner main thread is killed. */
const WATCHDOG_GRACE_MS = 2000;
/** Unsettled tasks the runner keeps submitted (fn and compare modes); more inputs are sent as they settle. */
const MAX_IN_FLIGHT = 16_384;
/**
 * Messages waiting to be written to the parent above which no more inputs are submitted until the backlog
 * drains: a parent slower than the pool (the CLI storing a million tasks) sets the pace, instead of the
 * runner queueing hundreds of MB of trace for it.
 */
const MAX_IPC_BACKLOG = 32;

/** The runner's IPC backlog (runner.ts). */
export interface IpcBacklog {
  unsent(): number;
  /** Resolves once the backlog is low again (or the parent is gone). */
  drained(): Promise<void>;
}

type DoneMessage = Extract<FromRunner, { type: 'done' }>;

/**
 * A pool whose trace events are held until `release()` (a load error shows no run; a spare runner's pool shows
 * nothing until a request claims it), with a warm-up signal from its start.
 */
class HeldPool {
  readonly pool: PoolEngine;
  /** Every worker is ready (or the pool could not start them). */
  readonly warm: Promise<void>;
  /** When `warm` resolved. */
  warmMonoUs: number | undefined;
  #held: TraceColumns[] | undefined = [];
  #forward: ((columns: TraceColumns) => void) | undefined;
  #retime: ((columns: TraceColumns) => TraceColumns) | undefined;
  #stopSampling: () => void = () => undefined;

  /** @param settle wait for process workers' start-up to go quiet too (startup-settle.ts): for timed phases. */
  constructor(options: PoolOptions, settle: boolean) {
    this.pool = createPool(options);
    this.warm = warmSignal(this.pool, options.backend ?? 'thread', settle).then(() => { this.warmMonoUs = monotonicUs(); });
    this.pool.onTraceColumns((lent) => {
      // Made JSON-ready (a copy) right away: the engine reuses the lent columns for its next batch.
      const columns = columnsToJson(lent);
      if (this.#held) this.#held.push(columns);
      else this.#forward?.(this.#retime ? this.#retime(columns) : columns);
    });
  }

  /** The events emitted so far and held. */
  heldEvents(): TraceEvent[] {
    return (this.#held ?? []).flatMap((c) => c.events);
  }

  /**
   * On-CPU lanes from now (src/runner/cpu-sampler.ts): each worker thread's CPU time (and the other threads of
   * the run's processes), sampled from this thread; the machine's CPU use too, for the busy-machine check.
   */
  startSampling(sampleMs: number, emitted: readonly TraceEvent[] = this.heldEvents()): void {
    if (sampleMs > 0) this.#stopSampling = sampleEngine(this.pool, { intervalMs: sampleMs, emitted });
  }

  stopSampling(): void {
    this.#stopSampling();
  }

  /** Sends what was held and everything from now on to `forward`, each batch through `retime` when given. */
  release(forward: (columns: TraceColumns) => void, retime?: (columns: TraceColumns) => TraceColumns): void {
    const batches = this.#held ?? [];
    this.#held = undefined;
    this.#forward = forward;
    this.#retime = retime;
    for (const batch of batches) forward(retime ? retime(batch) : batch);
  }
}

/**
 * Resolves once every worker of the pool reported ready (so the timed task phase starts on a warm pool),
 * or a worker failed to start, or the pool ended (then submit reports why). Subscribe right after creation.
 * With `settle`, process workers must also have gone quiet (startup-settle.ts).
 */
function warmSignal(pool: PoolEngine, backend: NodeBackend, settle: boolean): Promise<void> {
  const expected = backend === 'serial' || backend === 'event-loop' ? 1 : pool.size;
  return new Promise<void>((resolve) => {
    let ready = 0;
    const pids: number[] = [];
    const unsubscribe = pool.onTraceColumns((columns) => {
      for (const e of columns.events) {
        if (e.type === 'worker-start') {
          ready++;
          pids.push(e.pid);
        }
        if (e.type === 'worker-exit' || e.type === 'run-end' || ready >= expected) {
          unsubscribe();
          // Process workers: V8's background threads may go on with their start-up after ready (startup-settle.ts).
          if (settle && backend === 'process' && e.type === 'worker-start') void waitForIdleProcesses(pids).then(resolve);
          else resolve();
          return;
        }
      }
    });
  });
}

/** The API's runtime hook, as the runner uses it (see src/api/runtime-config.ts). */
interface ApiRuntime {
  configureRuntime(config: RuntimeConfig): void;
}

export class RunSession {
  readonly #request: RunRequest;
  readonly #send: (message: FromRunner) => void;
  readonly #pools = new Set<PoolEngine>();
  readonly #runIds: string[] = [];
  #failed = 0;
  #stopped = false;
  /** Pools the script created through the API (file mode). */
  #poolsCreated = 0;
  /** The bullmq run in progress, if any. */
  #bullmq: BullmqRun | undefined;

  readonly #startup: Omit<StartupMarks, 'bundledMonoUs'> | undefined;

  readonly #ipc: IpcBacklog | undefined;
  /** A spare runner's pool started ahead (PreparedPool), used when it fits the request. */
  #prepared: PreparedPool | undefined;
  /** The first fn-mode pool's steps (sent with `done`). */
  readonly #marks: RunMarks = {};

  /**
   * @param startup when the runner started and got the request, reported with `bundled` for start-up timing.
   * @param ipc the parent channel's backlog, which paces the input stream (fn and compare modes).
   * @param prepared a pool this (spare) runner started ahead for the request it expected; ended if it does not fit.
   */
  constructor(request: RunRequest, send: (message: FromRunner) => void, startup?: Omit<StartupMarks, 'bundledMonoUs'>, ipc?: IpcBacklog,
    prepared?: PreparedPool) {
    this.#request = request;
    this.#send = send;
    this.#startup = startup;
    this.#ipc = ipc;
    this.#prepared = prepared;
  }

  /** Runs the request; resolves with the `done` message (also after a load error or a stop). */
  async run(): Promise<DoneMessage> {
    const request = this.#request;
    let bundle: BundleResult;
    try {
      if (request.mode === 'file') await this.#prepared?.stop();
      bundle = await bundleUserFile({ file: request.file, cacheDir: request.cacheDir, cacheDirIsDefault: request.cacheDirIsDefault });
      // The default cache directory failed a check and a fresh one was used: say why (the parent shows the runner's stderr).
      if (bundle.note) process.stderr.write(`poolscope: ${bundle.note}\n`);
      this.#send({
        type: 'bundled', cacheHit: bundle.cacheHit, durationMs: bundle.durationMs, url: bundle.url,
        marks: this.#startup && { ...this.#startup, bundledMonoUs: monotonicUs() },
      });
      if (request.mode === 'file') await this.#runFile(bundle);
      else await this.#runFunction(bundle);
    } catch (e) {
      if (e instanceof LoadFailure) this.#send({ type: 'load-error', error: e.error });
      else if (e instanceof BundleError) this.#send({ type: 'load-error', error: { name: e.name, message: e.message, location: e.location } });
      else if (e instanceof RunnerError) this.#send({ type: 'load-error', error: { name: e.name, message: e.message } });
      else throw e;
      return this.#done(false);
    }
    return this.#done(this.#failed === 0 && !this.#stopped);
  }

  /** Stops every pool now (queued and running tasks fail with PoolTerminated). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#prepared?.stop();
    await this.#bullmq?.stop();
    await Promise.allSettled([...this.#pools].map((p) => p.terminate()));
  }

  /** A `done` message for what happened so far. */
  doneMessage(): DoneMessage {
    return this.#done(false);
  }

  #done(ok: boolean): DoneMessage {
    const done: DoneMessage = { type: 'done', ok, failed: this.#failed, runIds: [...this.#runIds] };
    if (this.#request.mode === 'fn' && this.#startup) done.marks = { ...this.#marks };
    return done;
  }

  /** fn and compare modes. */
  async #runFunction(bundle: BundleResult): Promise<void> {
    const request = this.#request;
    const fn = request.fn;
    if (!fn) throw new RunnerError('FunctionNotExported', `mode '${request.mode}' needs the name of an exported function (fn)`);
    // The static export list catches a missing export before any user code runs.
    checkTaskExport(fn, request.file, bundle.exports);
    const inputs = inputSource(request.inputs, request.inputRange);

    const backend = request.backend;
    if (request.mode !== 'fn' || backend === 'bullmq') await this.#prepared?.stop();
    if (request.mode === 'fn' && backend === 'bullmq') {
      await this.#loadAndCheck(bundle, fn);
      await this.#runBullmq(fn, inputs, {});
      return;
    }
    if (request.mode === 'fn' && backend !== 'bullmq') {
      // A spare runner may hold this pool already, its workers ready (PreparedPool).
      const prepared = await this.#prepared?.claim(request, bundle);
      this.#prepared = undefined;
      if (prepared) {
        this.#marks.prepared = true;
        this.#pools.add(prepared.pool);
      }
      // Workers start while the runner imports the module to check it: start-up costs overlap.
      // Their events are held back until the module is known to load, so a load error shows no run.
      const started = prepared ?? this.#startPool(bundle, fn, inputs.length, backend, {});
      try {
        await this.#loadAndCheck(bundle, fn);
      } catch (e) {
        started.stopSampling();
        await started.pool.terminate().catch(() => undefined);
        this.#pools.delete(started.pool);
        throw e;
      }
      this.#marks.loadedMonoUs = monotonicUs();
      const startedAhead = prepared?.heldEvents();
      started.release((columns) => this.#forward(columns), prepared && claimedRun(prepared.pool.now(), fn, inputs.length));
      this.#marks.releasedMonoUs = monotonicUs();
      // A pool started ahead is sampled from its run's start (sampling it while idle would only fill the held events).
      prepared?.startSampling(request.cpuSampleMs ?? DEFAULT_CPU_SAMPLE_MS, startedAhead);
      void started.warm.then(() => { this.#marks.warmMonoUs ??= started.warmMonoUs; });
      await this.#drive(started, fn, inputs);
      return;
    }

    await this.#loadAndCheck(bundle, fn);
    const backends = request.backends ?? [...NODE_BACKENDS];
    // --repeat: rounds interleaved (serial, event-loop, thread, process, serial, …), each its own compare id.
    for (const { backend, shared } of compareRuns(backends, request.repeat)) {
      if (this.#stopped) break;
      if (backend === 'bullmq') {
        await this.#runBullmq(fn, inputs, shared);
        continue;
      }
      const started = this.#startPool(bundle, fn, inputs.length, backend, shared);
      started.release((columns) => this.#forward(columns));
      await this.#drive(started, fn, inputs);
    }
  }

  /** The bullmq backend: jobs on Redis, taken by PoolScope workers (src/runner/bullmq/). */
  async #runBullmq(fn: string, source: InputSource, shared: { originUs?: number; compareId?: string; label?: string }): Promise<void> {
    const r = this.#request;
    const inputs = Array.from({ length: source.length }, (_, i) => source.at(i));
    const { BullmqRun } = loadBullmq();
    const run = new BullmqRun({
      file: r.file, fn, inputs, workers: r.workers, concurrency: r.concurrency, redis: r.redis, queue: r.queue, cacheDir: r.cacheDir,
      results: r.results, sampleMachine: (r.cpuSampleMs ?? DEFAULT_CPU_SAMPLE_MS) > 0, send: (m) => {
        if (m.type === 'events') for (const e of m.batch) if (e.type === 'run-start') this.#runIds.push(e.runId);
        this.#send(m);
      }, ...shared,
    });
    this.#bullmq = run;
    try {
      await run.run();
    } catch (e) {
      // The run side is its own bundle: its RunnerError is another class; keep the name, make it ours.
      const err = e as Error;
      if (['RedisNotInstalled', 'RedisStartFailed', 'RedisUnreachable'].includes(err.name)) throw new RunnerError(err.name as RunnerErrorName, err.message);
      throw e;
    } finally {
      this.#bullmq = undefined;
      this.#failed += run.failed;
    }
  }

  /** Imports the user's module in the runner (import-time errors, NotAFunction) under the watchdog. */
  async #loadAndCheck(bundle: BundleResult, fn: string): Promise<void> {
    const file = this.#request.file;
    const namespace = await this.#watched('the module\'s top-level code ran past --timeout', () => importUserModule(bundle, file));
    checkTaskExport(fn, file, bundle.exports, namespace);
  }

  /** Creates a pool whose trace events wait until `release()`, with CPU sampling and a warm-up signal from its start. */
  #startPool(bundle: BundleResult, fn: string, inputsCount: number, backend: NodeBackend,
    shared: { originUs?: number; compareId?: string; label?: string }): HeldPool {
    // Compare times each backend's task phase against serial's: a process pool's start-up, still compiling in
    // the background after ready, must not be in it. A single run shows its first task as soon as it can.
    const started = new HeldPool(poolOptions(this.#request, bundle, fn, inputsCount, backend, shared), this.#request.mode === 'compare');
    this.#pools.add(started.pool);
    started.startSampling(this.#request.cpuSampleMs ?? DEFAULT_CPU_SAMPLE_MS);
    return started;
  }

  /**
   * Waits for a warm pool, submits the inputs as the pool takes them — at most {@link MAX_IN_FLIGHT} unsettled,
   * refilled from half of that — waits for all to settle, closes the pool. Streaming, not queueing everything
   * first: the first tasks start while later inputs are still to come, and a million inputs never sit in the
   * queue (or in memory) at once.
   */
  async #drive(started: HeldPool, fn: string, inputs: InputSource): Promise<void> {
    const { pool } = started;
    // --json: every result value, encoded as the caller received it (after the copy), sent in batches.
    const results: [number, JsonValue][] | undefined = this.#request.results ? [] : undefined;
    const sendResults = (): void => {
      if (results?.length) this.#send({ type: 'results', runId: pool.runId, results: results.splice(0) });
    };
    const ipc = this.#ipc;
    try {
      await started.warm;
      let inFlight = 0;
      let target = 0;
      let wake: (() => void) | undefined;
      const settled = (): void => {
        inFlight--;
        if (wake !== undefined && inFlight <= target) { const w = wake; wake = undefined; w(); }
      };
      const onSettled = (tag: unknown, outcome: unknown, failed: boolean): void => {
        try {
          if (results !== undefined && !failed) {
            results.push([(tag as TaskHandle).taskId, encodeResult(outcome)]);
            if (results.length >= RESULTS_BATCH) sendResults();
          }
        } finally {
          settled();
        }
      };
      const below = (n: number): Promise<void> => (inFlight <= n ? Promise.resolve()
        : new Promise((resolve) => { target = n; wake = resolve; }));
      for (let i = 0; i < inputs.length; i++) {
        if (inFlight >= MAX_IN_FLIGHT) await below(MAX_IN_FLIGHT >> 1);
        if (ipc !== undefined && (i & 1023) === 0 && ipc.unsent() > MAX_IPC_BACKLOG) await ipc.drained();
        if (this.#stopped) break;
        inFlight++;
        if (i === 0) this.#marks.firstSubmitMonoUs ??= monotonicUs();
        const handle = pool.submit(fn, inputs.at(i));
        // The outcome travels in the trace; the runner only counts (one observer for every task: no promise,
        // no reaction), or with --json also collects the value.
        if (!handle.observeSettle(onSettled, handle)) { // settled at submit (refused)
          handle.promise.then((value) => onSettled(handle, value, false), (error: unknown) => onSettled(handle, error, true));
        }
      }
      while (inFlight > 0) await below(0);
      sendResults();
    } finally {
      started.stopSampling();
      await pool.close().catch(() => undefined);
      this.#pools.delete(pool);
    }
  }

  /** A main-thread watchdog when a timeout was asked for (see main-thread-watchdog.ts). */
  #watchdog(reason: string): Watchdog | undefined {
    const timeout = this.#request.timeout;
    return timeout ? startMainThreadWatchdog(timeout + WATCHDOG_GRACE_MS, reason) : undefined;
  }

  async #watched<T>(reason: string, work: () => Promise<T>): Promise<T> {
    const watchdog = this.#watchdog(reason);
    try {
      return await work();
    } finally {
      watchdog?.stop();
    }
  }

  /**
   * Memory limit per worker (--max-memory; without it the engine's default, memory.ts), so runaway allocation
   * fails one task (MemoryLimitExceeded) instead of the machine. Process workers get source maps on.
   */
  #poolLimits(backend: NodeBackend): Partial<PoolOptions> {
    return poolLimits(this.#request, backend);
  }

  /** file mode: configure the API, import the script, await its default export. */
  async #runFile(bundle: BundleResult): Promise<void> {
    const request = this.#request;
    const defaultBackend = request.backend;
    if (defaultBackend === 'bullmq') {
      throw new RunnerError('BackendNotSupported', 'Run File runs a script\'s own pools; the bullmq backend runs one exported function (--fn) as jobs');
    }
    const apiPath = defaultApiPath();
    if (existsSync(apiPath)) {
      const api = await import(pathToFileURL(apiPath).href) as Partial<ApiRuntime>;
      if (typeof api.configureRuntime === 'function') {
        api.configureRuntime({
          onTraceColumns: (lent) => this.#forward(columnsToJson(lent)),
          defaultModule: bundle.url,
          defaultBackend,
          defaultWorkers: request.workers,
          originUs: monotonicUs(),
          // --timeout and --max-memory reach the pools the script makes, as they do Run Function's.
          engine: { timeout: request.timeout, ...this.#poolLimits('thread'), ...this.#poolLimits('process') },
          onPoolCreated: (engine) => {
            this.#poolsCreated++;
            // The script's own pools get on-CPU samples too (each task's cpuFraction, bars drawn as they ran);
            // sampling stops when the pool's run ends.
            const sampleMs = request.cpuSampleMs ?? DEFAULT_CPU_SAMPLE_MS;
            if (sampleMs <= 0 || typeof engine.emit !== 'function') return;
            const stop = sampleEngine(engine, { intervalMs: sampleMs });
            const unsubscribe = engine.onTraceColumns((columns) => {
              if (columns.events.some((e) => e.type === 'run-end')) { unsubscribe(); stop(); }
            });
          },
        });
      }
    }
    const namespace = await this.#watched('the script\'s top-level code ran past --timeout', () => importUserModule(bundle, request.file));
    const main = namespace.default;
    // A script without a default export ran its top-level code on import: that was the run — if it made a pool,
    // or is a plain script (no exports). A module of exported functions without main() would do nothing at all.
    // (A CommonJS script's default export is its module.exports.)
    if (main === undefined || (bundle.commonJs && typeof main !== 'function')) {
      const exported = bundle.commonJs
        ? (typeof main === 'object' && main !== null ? Object.keys(main) : [])
        : (bundle.exports ?? Object.keys(namespace)).filter((name) => name !== 'default');
      if (exported.length > 0 && this.#poolsCreated === 0) throw new LoadFailure(noMainFunction(request.file, exported, namespace, main));
      return;
    }
    if (typeof main !== 'function') {
      throw new LoadFailure({ name: 'NotAFunction', message: `the default export of ${request.file} is a ${typeof main}, not a function (Run File calls export default function main())` });
    }
    try {
      // main() runs on this thread: only the watchdog stops one that spins (the runner is killed, its parent reports it).
      await this.#watched('the script\'s main() ran past --timeout', async () => { await (main as () => unknown)(); });
    } catch (e) {
      const error = toTaskError(e);
      this.#failed++;
      this.#send({ type: 'main-error', error: { ...error, location: locationFromStack(error.stack, bundle.inputs) } });
    }
  }

  /** Sends a batch (JSON-ready, from columnsToJson) to the parent as columns: far fewer bytes than event objects. */
  #forward(columns: TraceColumns): void {
    // run-start and failed task-ends are never rows: they are among the batch's objects.
    for (const event of columns.events) {
      if (event.type === 'run-start') this.#runIds.push(event.runId);
      else if (event.type === 'task-end' && !event.ok) this.#failed++;
    }
    this.#send({ type: 'trace-columns', columns });
  }
}

/** The options of a run's pool: the user's bundle, the request's size, limits and timeout. */
function poolOptions(request: RunRequest, bundle: BundleResult, fn: string, inputsCount: number, backend: NodeBackend,
  shared: { originUs?: number; compareId?: string; label?: string }): PoolOptions {
  return {
    ...poolLimits(request, backend),
    backend,
    workers: request.workers,
    module: bundle.url,
    timeout: request.timeout,
    originUs: shared.originUs,
    // A fair baseline: serial tasks run like one pool worker, on a thread of their own, not on this
    // thread (which feeds IPC and trace, and samples CPU).
    serialThread: true,
    runInfo: { fn, file: request.file, inputsCount, label: shared.label, compareId: shared.compareId },
  };
}

/**
 * Memory limit per worker (--max-memory; without it the engine's default, memory.ts), so runaway allocation
 * fails one task (MemoryLimitExceeded) instead of the machine. Process workers get source maps on.
 */
function poolLimits(request: RunRequest, backend: NodeBackend): Partial<PoolOptions> {
  const mb = request.maxMemoryMb;
  return { ...(mb ? { maxMemoryMb: mb } : {}), ...(backend === 'process' ? { execArgv: ['--enable-source-maps'] } : {}) };
}

/** Backends whose workers a spare runner starts ahead: threads, cheap to hold (process workers are not). */
const PREPARED_BACKENDS: ReadonlySet<string> = new Set(['thread', 'event-loop', 'serial']);

/**
 * Warm click (a spare runner, launch.ts): the pool of the run the spare expects next — the last run's file,
 * function, backend and size — started ahead, its workers ready and its events held. The request that comes
 * claims it when it fits: the same bundle (the content hash of the file and everything it imports: a file
 * changed since is a different bundle, and the pool is ended, never used), backend, size, memory limit and
 * timeout. A spare prepares only the bundle the last run ran (`bundleUrl`), so the workers import code that
 * just ran at the user's request, not an edit nobody ran yet. Holding idle threads costs memory only; the spare
 * ends them with itself (idle timeout, disposal, its parent gone).
 */
export class PreparedPool {
  readonly #request: RunRequest;
  readonly #ready: Promise<void>;
  #bundle: BundleResult | undefined;
  #held: HeldPool | undefined;
  #stopped = false;

  /** Can a spare start this request's pool ahead? fn mode on a thread-based Node backend. */
  static fits(request: RunRequest): boolean {
    return request.mode === 'fn' && request.fn !== undefined && PREPARED_BACKENDS.has(request.backend) && !/\.py$/i.test(request.file);
  }

  /** @param onReady told once: true when every worker of the pool started ahead is ready, false when none was started (or it failed). */
  constructor(request: RunRequest, bundleUrl: string | undefined, onReady?: (ok: boolean) => void) {
    this.#request = request;
    this.#ready = this.#prepare(bundleUrl).catch(() => undefined);
    void this.#ready.then(async () => {
      const held = this.#held;
      if (held) await held.warm;
      onReady?.(this.#held !== undefined && !held?.heldEvents().some((e) => e.type === 'worker-exit' || e.type === 'run-end'));
    });
  }

  async #prepare(bundleUrl: string | undefined): Promise<void> {
    const request = this.#request;
    if (!PreparedPool.fits(request)) return;
    const bundle = await bundleUserFile({ file: request.file, cacheDir: request.cacheDir, cacheDirIsDefault: request.cacheDirIsDefault });
    // Changed since the last run (or never ran): nothing is started ahead.
    if (this.#stopped || bundleUrl === undefined || bundle.url !== bundleUrl) return;
    checkTaskExport(request.fn!, request.file, bundle.exports);
    this.#bundle = bundle;
    // Started ahead of a click: time passes before it is used anyway, so it says ready only once settled.
    this.#held = new HeldPool(poolOptions(request, bundle, request.fn!, 0, request.backend as NodeBackend, {}), true);
    // The runner imports the module too (RunSession checks the export's value): done ahead, the request's import
    // is the loader's cached module. It is the module the last run imported here without trouble.
    try {
      checkTaskExport(request.fn!, request.file, bundle.exports, await importUserModule(bundle, request.file));
    } catch {
      await this.stop();
    }
  }

  /** The pool for `request` if it fits and every worker is still up; otherwise it is ended and undefined returned. */
  async claim(request: RunRequest, bundle: BundleResult): Promise<HeldPool | undefined> {
    await this.#ready;
    const held = this.#held;
    const prepared = this.#request;
    this.#held = undefined;
    if (!held) return undefined;
    const fits = this.#bundle?.url === bundle.url && request.mode === 'fn' && request.backend === prepared.backend
      && request.workers === prepared.workers && request.maxMemoryMb === prepared.maxMemoryMb && request.timeout === prepared.timeout
      && !held.heldEvents().some((e) => e.type === 'worker-exit' || e.type === 'run-end');
    if (fits) return held;
    void held.pool.terminate().catch(() => undefined);
    return undefined;
  }

  /** Ends the pool started ahead, if any (no request came, or it was not this one). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ready;
    const held = this.#held;
    this.#held = undefined;
    await held?.pool.terminate().catch(() => undefined);
  }
}

/**
 * The run of a pool a spare started ahead begins when the request claims it (`claimT`, the pool's clock): the
 * held run-start is stamped then, with the request's function and input count, and so are the workers' starts
 * (their start-up happened before the run: startupUs counts only what was left of it after `claimT`); run-end's
 * wall time is from `claimT`. Times after `claimT` are as measured.
 */
function claimedRun(claimT: number, fn: string, inputsCount: number): (columns: TraceColumns) => TraceColumns {
  return (columns) => {
    if (!columns.events.some((e) => e.type === 'run-start' || e.type === 'worker-start' || e.type === 'run-end' || ('t' in e && e.t < claimT))) return columns;
    const events = columns.events.map((e): TraceEvent => {
      switch (e.type) {
        case 'run-start': return { ...e, t: claimT, fn, inputsCount };
        case 'worker-start': return { ...e, t: Math.max(e.t, claimT), startupUs: Math.max(0, Math.min(e.startupUs, e.t - claimT)) };
        case 'run-end': return { ...e, stats: { ...e.stats, wallUs: Math.max(0, e.t - claimT) } };
        default: return 't' in e && e.t < claimT ? { ...e, t: claimT } : e;
      }
    });
    return { ...columns, events };
  };
}

/** `run` without --fn on a module that has no default export main(): say what it has and what to do. */
function noMainFunction(file: string, exported: string[], namespace: Record<string, unknown>, cjsExports: unknown): LoadError {
  const values = (typeof cjsExports === 'object' && cjsExports !== null ? cjsExports : namespace) as Record<string, unknown>;
  const functions = exported.filter((name) => typeof values[name] === 'function');
  const name = basename(file);
  const hasMain = exported.includes('main') && typeof values.main === 'function';
  const hint = hasMain
    ? ` It exports a function named main: did you mean \`export default async function main()\`? (Run File calls the default export.)`
    : '';
  const callable = functions.filter((f) => f !== 'main');
  const example = callable[0] ?? functions[0];
  const suggestion = example ? ` To call a function once per input, name it with --fn: poolscope run ${name} --fn ${example} --inputs 'range(4)'.` : '';
  return {
    name: 'NoMainFunction',
    message: `${name} has no default export main(), so \`run\` without --fn has nothing to call. Exports: ${exported.join(', ')}.${hint}${suggestion}`,
  };
}
