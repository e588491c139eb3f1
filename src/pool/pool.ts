/**
 * `createPool(options)`: the queue, task bookkeeping, trace and lifecycle
 * shared by every backend. The backend (serial, event-loop, thread, process)
 * only runs tasks; everything a user can observe about a task — its promise,
 * its state, its trace events — is decided here.
 */
import { availableParallelism } from 'node:os';
import type { NodeBackend, RunStats, TraceListener, UnstampedEvent, WorkerExitReason } from '../trace/events.js';
import type { TraceColumnsListener } from '../common/trace-columns.js';
import type { PoolBackend, PoolHost, ResolvedPoolOptions, WorkerStartInfo } from './backends/backend.js';
import { createEventLoopBackend } from './backends/event-loop.js';
import { createProcessBackend } from './backends/process.js';
import { createSerialBackend } from './backends/serial.js';
import { createSerialThreadBackend, createThreadBackend } from './backends/thread.js';
import { monotonicUs, performanceOffsetUs } from './clock.js';
import { cancelledError, errorToWire, poolClosed, poolTerminated, queueFull, serializationError } from './errors.js';
import { killMarked, poolMark } from './descendants.js';
import { defaultMemoryLimitMb, processHeapLimitMb } from './memory.js';
import { toModuleUrl } from './module-loader.js';
import { TaskQueue } from './queue.js';
import { Task, type TaskOwner } from './task.js';
import type { PoolEngine, PoolOptions, SerializedError, SubmitOptions, TaskHandle } from './types.js';
import { TraceSink } from './trace-sink.js';
import { noop } from '../common/noop.js';

const DEFAULT_PIPELINE = 16;
const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;

type Lifecycle = 'running' | 'closing' | 'broken' | 'terminated';

function resolveOptions(options: PoolOptions): ResolvedPoolOptions {
  const backend: NodeBackend = options.backend ?? 'thread';
  const requested = options.workers ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`workers must be an integer ≥ 1, got ${requested}`);
  // Serial is one worker, whatever size was asked for (run-start, summaries, efficiency say so).
  const workers = backend === 'serial' ? 1 : requested;
  const pipeline = options.pipeline ?? DEFAULT_PIPELINE;
  if (!Number.isInteger(pipeline) || pipeline < 1) throw new RangeError(`pipeline must be an integer ≥ 1, got ${pipeline}`);
  // One thread runs an event-loop pool's tasks (and a serial pool's): the default is that one worker's share.
  const maxMemoryMb = options.maxMemoryMb ?? defaultMemoryLimitMb(backend === 'event-loop' ? 1 : workers);
  if (typeof maxMemoryMb !== 'number' || !(maxMemoryMb >= 0)) throw new RangeError(`maxMemoryMb must be a number ≥ 0, got ${maxMemoryMb}`);
  const heapMb = Number.isFinite(maxMemoryMb) ? Math.ceil(maxMemoryMb) : 0;
  return {
    backend,
    workers,
    moduleUrl: toModuleUrl(options.module),
    timeout: options.timeout ?? 0,
    maxTasksPerWorker: options.maxTasksPerWorker ?? Infinity,
    maxQueue: options.maxQueue ?? Infinity,
    pipeline,
    trace: options.trace ?? true,
    originUs: options.originUs ?? monotonicUs(),
    workerName: options.workerName ?? ((i) => `${backend}-worker-${i}`),
    maxMemoryMb: Number.isFinite(maxMemoryMb) ? maxMemoryMb : 0,
    memoryLimitExplicit: options.maxMemoryMb !== undefined,
    resourceLimits: options.resourceLimits ?? (heapMb > 0 ? { maxOldGenerationSizeMb: heapMb } : undefined),
    // The RSS watch (worker-set.ts) should stop a process worker before V8's own limit makes it abort.
    execArgv: heapMb > 0 && !options.execArgv?.some((arg) => arg.startsWith('--max-old-space-size'))
      ? [...options.execArgv ?? [], `--max-old-space-size=${processHeapLimitMb(heapMb)}`]
      : options.execArgv,
    maxLogBytesPerTask: options.maxLogBytesPerTask ?? DEFAULT_MAX_LOG_BYTES,
    serialThread: options.serialThread ?? false,
  };
}

function createBackend(host: PoolHost): PoolBackend {
  switch (host.options.backend) {
    case 'serial': return host.options.serialThread ? createSerialThreadBackend(host) : createSerialBackend(host);
    case 'event-loop': return createEventLoopBackend(host);
    case 'thread': return createThreadBackend(host);
    case 'process': return createProcessBackend(host);
    default: throw new RangeError(`Unknown backend '${String(host.options.backend)}'`);
  }
}

/** A value that can never be structured-cloned, visible without cloning (deeper ones are caught at send). */
function unclonableArgument(args: unknown[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const t = typeof args[i];
    if (t === 'function' || t === 'symbol') return `argument ${i} is a ${t}`;
  }
  return undefined;
}

class Pool implements PoolEngine, PoolHost, TaskOwner {
  readonly runId: string;
  readonly originUs: number;
  readonly backend: NodeBackend;
  readonly size: number;
  readonly options: ResolvedPoolOptions;
  readonly tracing: boolean;
  readonly #sink: TraceSink;
  readonly #queue = new TaskQueue<Task>(256);
  readonly #backend: PoolBackend;
  readonly #clockBase: number;
  /** The `performance` global is an accessor on globalThis: read once, not on every submit. */
  readonly #performance = performance;
  readonly #beforeRunEnd: (() => void) | undefined;
  /** Epoch ms when the pool was made: nothing older can carry its mark (descendants.ts). */
  readonly #createdAtMs = Date.now();
  #lifecycle: Lifecycle = 'running';
  #brokenError: Error | undefined;
  #nextTaskId = 1;
  #unsettled = 0;
  #pumpScheduled = false;
  #drainWaiters: (() => void)[] = [];
  #closing: Promise<void> | undefined;
  #terminating: Promise<void> | undefined;
  #runEnded = false;
  #runStartT = 0;
  /** Workers' delayed mark sweeps not yet run (sweepWorkerMark); the pool's end sweep makes them needless. */
  readonly #workerSweeps = new Set<ReturnType<typeof setTimeout>>();
  /** onTaskEnded listeners (the CPU sampler), usually none or one. */
  #taskEndedListeners: ((workerId: number) => void)[] = [];
  /** What a task's end calls: undefined without listeners, so the per-task path pays one optional call. */
  #taskEnded: ((workerId: number) => void) | undefined;
  readonly #stats: RunStats = { wallUs: 0, tasks: 0, ok: 0, failed: 0, taskUs: 0, pids: [], threadIds: [], workersStarted: 0 };

  constructor(options: PoolOptions) {
    this.options = resolveOptions(options);
    this.backend = this.options.backend;
    this.size = this.options.workers;
    this.originUs = this.options.originUs;
    this.tracing = this.options.trace;
    this.runId = options.runId ?? newRunId();
    this.#beforeRunEnd = options.beforeRunEnd;
    this.#sink = new TraceSink(this.runId);
    // performance.now() reads the same monotonic clock as hrtime without allocating.
    this.#clockBase = performanceOffsetUs() - this.originUs;
    this.#runStartT = this.now();
    const info = options.runInfo ?? {};
    // run-start is always the first event (seq 0), even with tracing off: consumers key runs on it.
    this.#sink.emit({
      type: 'run-start', t: this.#runStartT, backend: this.backend, workers: this.size,
      fn: info.fn, file: info.file, inputsCount: info.inputsCount ?? 0, node: process.version,
      pid: process.pid, originUs: this.originUs, label: info.label, compareId: info.compareId, cores: availableParallelism(),
    });
    this.#backend = createBackend(this);
    this.#backend.start();
  }

  // ── PoolEngine ────────────────────────────────────────────────────────────

  get brokenError(): Error | undefined {
    return this.#brokenError;
  }

  now(): number {
    return this.#performance.now() * 1000 + this.#clockBase;
  }

  onTrace(listener: TraceListener): () => void {
    return this.#sink.subscribe(listener);
  }

  onTraceColumns(listener: TraceColumnsListener): () => void {
    return this.#sink.subscribeColumns(listener);
  }

  onTaskEnded(listener: (workerId: number) => void): () => void {
    this.#setTaskEndedListeners([...this.#taskEndedListeners, listener]);
    return () => this.#setTaskEndedListeners(this.#taskEndedListeners.filter((l) => l !== listener));
  }

  #setTaskEndedListeners(listeners: ((workerId: number) => void)[]): void {
    this.#taskEndedListeners = listeners;
    this.#taskEnded = listeners.length === 0 ? undefined : (workerId) => {
      // A listener that throws must not fail the task whose end it was told of.
      for (const listener of listeners) {
        try {
          listener(workerId);
        } catch {
          // the sampler's own problem; the task's result stands
        }
      }
    };
  }

  recordMainWait(startUs: number, endUs: number, label: string): void {
    if (this.tracing) this.#sink.emit({ type: 'main-wait', start: startUs, end: endUs, label });
  }

  submit<T = unknown>(fn: string, args: unknown[], options?: SubmitOptions): TaskHandle<T> {
    if (this.#lifecycle === 'closing' || this.#lifecycle === 'terminated') throw poolClosed();
    const task = new Task<T>(this.#nextTaskId++, fn, args, options?.timeout ?? this.options.timeout, this);
    this.#stats.tasks++;
    if (this.#unsettled++ === 0) this.#backend.keepAlive?.(true);
    if (this.tracing) this.#sink.queued(this.now(), task.taskId, fn, args);
    if (this.#lifecycle === 'broken') {
      this.failed(task as Task, -1, -1, this.now(), this.#brokenError!);
      return task;
    }
    if (this.#queue.length >= this.options.maxQueue) {
      this.failed(task as Task, -1, -1, this.now(), queueFull(this.options.maxQueue));
      return task;
    }
    if (this.backend !== 'serial') {
      const problem = unclonableArgument(args);
      if (problem) {
        this.failed(task as Task, -1, -1, this.now(), serializationError('argument', problem));
        return task;
      }
    }
    const signal = options?.signal;
    if (signal) {
      if (signal.aborted) {
        this.cancelTask(task as Task);
        return task;
      }
      const onAbort = (): void => { task.cancel(); };
      signal.addEventListener('abort', onAbort, { once: true });
      task.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    this.#queue.push(task as Task);
    this.schedulePump();
    return task;
  }

  close(): Promise<void> {
    if (this.#terminating) return this.#terminating;
    if (this.#closing) return this.#closing;
    if (this.#lifecycle === 'running') this.#lifecycle = 'closing';
    // Until the workers are gone: `await pool.close()` as a script's last line must not see the process end first.
    this.#backend.keepAlive?.(true);
    this.#closing = (async () => {
      await this.#drained();
      await this.#backend.shutdown();
      this.#killDescendants();
      this.#endRun();
    })();
    return this.#closing;
  }

  terminate(): Promise<void> {
    if (this.#terminating) return this.#terminating;
    this.#lifecycle = 'terminated';
    this.#backend.keepAlive?.(true);
    const error = poolTerminated();
    for (const task of this.#queue.drain()) {
      task.markHandled(); // mass rejection: a dropped handle must not crash the process
      this.failed(task, -1, -1, this.now(), error);
    }
    this.#terminating = (async () => {
      await this.#backend.terminate(error);
      await this.#closing?.catch(noop);
      this.#killDescendants();
      this.#endRun();
    })();
    return this.#terminating;
  }

  // ── PoolHost (called by the backend) ────────────────────────────────────────

  get queued(): number {
    return this.#queue.length;
  }

  emit(event: UnstampedEvent): void {
    this.#sink.emit(event);
  }

  sweepWorkerMark(mark: string, sinceMs: number, graceMs: number): void {
    const timer = setTimeout(() => {
      this.#workerSweeps.delete(timer);
      try { killMarked(mark, sinceMs); } catch { /* best effort */ }
    }, graceMs);
    timer.unref();
    this.#workerSweeps.add(timer);
  }

  take(): Task | undefined {
    const task = this.#queue.shift();
    if (task) task.state = 'running';
    return task;
  }

  requeue(tasks: Task[]): void {
    for (let i = tasks.length - 1; i >= 0; i--) {
      const task = tasks[i];
      if (task.settled) continue;
      if (task.timer) { clearTimeout(task.timer); task.timer = undefined; }
      task.state = 'queued';
      task.started = false;
      this.#queue.unshift(task);
    }
    this.schedulePump();
  }

  started(task: Task, workerId: number, t: number): void {
    if (task.startEmitted) return;
    task.startEmitted = true;
    if (this.tracing && !task.settled) this.#sink.started(t, task.taskId, workerId);
  }

  succeeded(task: Task, workerId: number, start: number, end: number, value: unknown, preview: string): void {
    if (task.settled) return;
    if (!task.startEmitted) this.started(task, workerId, start);
    task.state = 'done';
    this.#stats.ok++;
    this.#stats.taskUs += end - start;
    if (this.tracing) this.#sink.endedOk(end, task.taskId, workerId, value, preview);
    this.#taskEnded?.(workerId);
    this.#afterSettle(task);
    task.resolve(value);
  }

  failed(task: Task, workerId: number, start: number, end: number, error: Error, wire?: SerializedError): void {
    if (task.settled) return;
    if (start >= 0) {
      if (!task.startEmitted) this.started(task, workerId, start);
      this.#stats.taskUs += end - start;
      if (workerId >= 0) this.#taskEnded?.(workerId);
    }
    task.state = error.name === 'CancelledError' ? 'cancelled' : 'failed';
    this.#stats.failed++;
    if (this.tracing) {
      this.#sink.emit({ type: 'task-end', t: end, taskId: task.taskId, workerId, ok: false, error: wire ?? errorToWire(error) });
    }
    this.#afterSettle(task);
    task.reject(error);
  }

  workerStarted(info: WorkerStartInfo): void {
    this.#stats.workersStarted++;
    if (!this.#stats.pids.includes(info.pid)) this.#stats.pids.push(info.pid);
    if (!this.#stats.threadIds.includes(info.threadId)) this.#stats.threadIds.push(info.threadId);
    if (this.tracing) {
      this.#sink.emit({
        type: 'worker-start', t: info.t, workerId: info.workerId, name: info.name, pid: info.pid,
        threadId: info.threadId, tid: info.tid >= 0 ? info.tid : undefined, startupUs: info.startupUs,
      });
    }
  }

  workerExited(workerId: number, code: number | null, signal: string | null, reason: WorkerExitReason): void {
    if (this.tracing) this.#sink.emit({ type: 'worker-exit', t: this.now(), workerId, code, signal, reason });
  }

  log(taskId: number, workerId: number, stream: 1 | 2, t: number, text: string): void {
    if (!this.tracing) return;
    this.#sink.emit({
      type: 'log', t, taskId: taskId >= 0 ? taskId : undefined, workerId: workerId >= 0 ? workerId : undefined,
      stream: stream === 1 ? 'stdout' : 'stderr', text,
    });
  }

  slice(taskId: number, workerId: number, start: number, end: number): void {
    if (this.tracing) this.#sink.emit({ type: 'task-slice', taskId, workerId, start, end });
  }

  broken(error: Error): void {
    if (this.#lifecycle === 'terminated' || this.#lifecycle === 'broken') return;
    // A closing pool also breaks: close() then finds nothing left to drain.
    this.#lifecycle = this.#lifecycle === 'closing' ? 'closing' : 'broken';
    this.#brokenError = error;
    for (const task of this.#queue.drain()) {
      task.markHandled();
      this.failed(task, -1, -1, this.now(), error);
    }
  }

  schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(this.#pump);
  }

  // ── internals ─────────────────────────────────────────────────────────────

  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    if (this.#lifecycle === 'terminated' || this.#queue.length === 0) return;
    this.#backend.pump();
  };

  /** TaskOwner: `handle.cancel()`. */
  cancelTask(task: Task, reason?: Error): boolean {
    if (task.settled) return false;
    if (task.state === 'queued') {
      this.#queue.remove(task);
    } else {
      this.#backend.cancel(task);
    }
    this.failed(task, -1, -1, this.now(), reason ?? cancelledError());
    return true;
  }

  /**
   * TaskOwner: `handle.cancelPending()` — only a task that has not started: queued, or sent ahead to a worker
   * whose backend can take it back for sure (thread workers' claim cells); never stops a running task.
   */
  cancelPendingTask(task: Task, reason?: Error): boolean {
    if (task.settled || task.started) return false;
    if (task.state === 'queued') {
      this.#queue.remove(task);
    } else if (!this.#backend.cancelPending?.(task)) {
      return false;
    }
    this.failed(task, -1, -1, this.now(), reason ?? cancelledError());
    return true;
  }

  #afterSettle(task: Task): void {
    if (task.timer) { clearTimeout(task.timer); task.timer = undefined; }
    if (task.detachSignal) { task.detachSignal(); task.detachSignal = undefined; }
    if (--this.#unsettled === 0 && this.#lifecycle === 'running') this.#backend.keepAlive?.(false);
    if (this.#unsettled === 0 && this.#drainWaiters.length) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * The workers are gone: so is everything they started, also what escaped their process group or was never
   * tracked (descendants.ts: every worker's environment carries the pool's mark; Linux). Serial tasks run in the
   * caller's process: their children are the runner's to find (its run mark).
   */
  #killDescendants(): void {
    if (this.backend === 'serial') return;
    // Every worker's descendants carry the pool's mark too, so this one scan covers the workers' own pending
    // sweeps. Left to run, each would cost a /proc scan (~10 ms of CPU on a 2-core VM) half a second after its
    // worker's exit — in compare, inside the next backend's timed phase.
    for (const timer of this.#workerSweeps) clearTimeout(timer);
    this.#workerSweeps.clear();
    try { killMarked(poolMark(this.runId), this.#createdAtMs); } catch { /* best effort */ }
  }

  #drained(): Promise<void> {
    if (this.#unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #endRun(): void {
    if (this.#runEnded) return;
    this.#runEnded = true;
    try {
      this.#beforeRunEnd?.();
    } catch { /* a hook's failure must not keep the run from ending */ }
    const t = this.now();
    this.#stats.wallUs = t - this.#runStartT;
    const error = this.#brokenError ? errorToWire(this.#brokenError)
      : this.#lifecycle === 'terminated' ? errorToWire(poolTerminated()) : undefined;
    this.#sink.emit({ type: 'run-end', t, stats: { ...this.#stats, pids: [...this.#stats.pids], threadIds: [...this.#stats.threadIds] }, error });
    this.#sink.flush();
  }

}

/**
 * A random UUID (v4 layout) naming a run. Not crypto.randomUUID(): its first call seeds an entropy cache
 * (~0.5 ms, paid by every pool's start), and a run id needs uniqueness, not secrecy.
 */
function newRunId(): string {
  const hex = (n: number): string => Math.floor(Math.random() * 16 ** n).toString(16).padStart(n, '0');
  const variant = (8 + Math.floor(Math.random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(6)}${hex(6)}`;
}

/**
 * Creates a pool and spawns its workers right away (start-up cost is part of
 * the run and shows on the timeline). Subscribe with `onTrace` right after
 * creating it: events are delivered asynchronously, from the first one.
 *
 * @example
 * const pool = createPool({ backend: 'thread', workers: 2, module: import.meta.url });
 * pool.onTrace((batch) => console.log(batch.length, 'events'));
 * const sq = await pool.submit('square', [7]).promise; // 49
 * await pool.close();
 */
export function createPool(options: PoolOptions): PoolEngine {
  return new Pool(options);
}
