/**
 * Runs a user's Python function (or script) through a Python pool and turns
 * what happens into PoolScope trace events — the same events as the Node
 * backends, so the timeline, stats and exports need nothing Python-specific.
 *
 * The work runs in `python3 dist/python/poolscope_runner.py` (a child of this
 * process, in its own process group): it writes unstamped trace events as JSON
 * lines on fd 3 and reads the run request from stdin. User prints go to its
 * stdout/stderr and become `log` events here (inside a task, the Python side
 * already attributes them to that task). This side stamps `runId` and `seq`,
 * adds `cpu-sample` events from a {@link CpuSampler} (sampling from outside the
 * interpreter, so the GIL is not perturbed), and on stop or crash settles every
 * task that did not end, so a consumer always sees a complete run.
 */
import { monotonicUs } from '../../pool/clock.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Backend, PythonBackend, TaskError, TraceEvent, TraceListener, UnstampedEvent } from '../../trace/events.js';
import { CpuSampler, type CpuSample } from '../cpu-sampler.js';
import { FREE_THREADED_NOT_AVAILABLE, findDaskPython, findFreeThreadedPython } from './interpreters.js';
import { killMarkedAsync, markVariable, poolMark } from '../../pool/descendants.js';
import { availableParallelism } from 'node:os';
import { defaultMemoryLimitMb } from '../../pool/memory.js';
import { MachineLoadSampler, type MachineSample } from '../machine-load.js';
import { InvalidPythonEvent, parsePythonEventLine } from './event-lines.js';

/** Invalid event lines of one run that are reported on stderr; the rest are only dropped. */
const MAX_INVALID_LINES_SAID = 3;

export interface PythonRunOptions {
  /** Absolute path of the user's .py file. */
  file: string;
  /** 'fn': call `fn` once per input; 'file': run the script (its own pools are traced). @default 'fn' */
  mode?: 'fn' | 'file';
  /** Top-level function name (fn mode). */
  fn?: string;
  /** One argument list per task (fn mode). Must be JSON. */
  inputs?: unknown[][];
  backend: PythonBackend;
  /** Pool size (max_workers / processes). */
  workers: number;
  /**
   * Per-task timeout in ms (0/undefined: none). Process pools and py-serial stop the task in its
   * process (SIGALRM; the worker is killed and replaced if it does not stop within a second);
   * py-thread/py-thread-ft and file mode fail it with TaskTimeout and end the run (a Python thread
   * cannot be stopped). This side also kills the run if Python itself cannot act.
   */
  timeout?: number;
  /**
   * Memory limit per process worker in MiB (py-process, py-mp-pool): its address space may grow this much past
   * what it mapped at start (RLIMIT_AS), so a runaway allocation raises MemoryError in that task. Linux.
   * @default the engine's default for `workers` (src/pool/memory.ts)
   */
  maxMemoryMb?: number;
  /**
   * Interpreter to run. `py-thread-ft` defaults to the first free-threaded one
   * found on PATH (see {@link findFreeThreadedPython}).
   * @default 'python3'
   */
  pythonPath?: string;
  /** How the user chooses the interpreter, named in "not found" messages. @default 'the poolscope.pythonPath setting' */
  pythonPathOption?: string;
  /** @default random */
  runId?: string;
  /** CLOCK_MONOTONIC µs of t = 0, to share one time axis with other runs. @default now */
  originUs?: number;
  /** Shown in the timeline instead of the GIL state. */
  label?: string;
  compareId?: string;
  /** py-dask: address of an existing Dask scheduler (tcp://host:port); without it a LocalCluster is started for the run. */
  scheduler?: string;
  /** py-dask LocalCluster: threads per worker process. @default 1 */
  threadsPerWorker?: number;
  /** multiprocessing start method for py-process / py-mp-pool. @default Python's default */
  startMethod?: 'fork' | 'spawn' | 'forkserver';
  /** CPU sampling period in ms; 0 turns sampling off. @default 5 */
  cpuSampleMs?: number;
  /** Working directory of the Python process. @default the file's directory */
  cwd?: string;
  /** Extra environment for the Python process. */
  env?: Record<string, string>;
  /** Where poolscope_runner.py lives. @default `python/` next to this bundle */
  runnerScript?: string;
}

export interface PythonRunResult {
  runId: string;
  /** No task failed and the run ended normally. */
  ok: boolean;
  failed: number;
  /** Set when the file or function could not be loaded (SyntaxError, FunctionNotFound, …). */
  loadError?: TaskError;
  /** Set when the run ended abnormally (stopped, Python crashed or could not start). */
  error?: TaskError;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}


/** dist/python/poolscope_runner.py next to this bundle, or the source copy when run from src. */
export function defaultRunnerScript(): string {
  const candidates = [join(__dirname, 'python', 'poolscope_runner.py'), join(__dirname, '..', 'python', 'poolscope_runner.py'),
    resolve(__dirname, '..', 'src', 'runner', 'python', 'poolscope_runner.py')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** After Python exited and its descendants were killed, pipes still open this long are closed from this side. */
const DRAIN_AFTER_EXIT_MS = 2000;
/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 1000;
/** cpu-sample events are passed on at most this often (they are many). */
const SAMPLE_FLUSH_MS = 50;

/**
 * One Python run. Subscribe with {@link PythonRun.onTrace} right after
 * {@link runPython} returns (events are delivered asynchronously, in batches).
 */
export class PythonRun {
  readonly runId: string;
  /** CLOCK_MONOTONIC µs of t = 0: the caller's, or else the moment Python was ready (known from run-start). */
  #originUs: number;
  /** Settles when the run is over and the Python process tree is gone. Never rejects. */
  readonly done: Promise<PythonRunResult>;
  #listeners = new Set<TraceListener>();
  #seq = 0;
  #child: ChildProcess | undefined;
  #sampler: CpuSampler | undefined;
  #machine: MachineLoadSampler | undefined;
  #pendingSamples: (CpuSample | MachineSample)[] = [];
  #sampleTimer: NodeJS.Timeout | undefined;
  #openTasks = new Map<number, number>(); // taskId -> workerId (0 = not started)
  #liveWorkers = new Map<number, { pid: number; tid: number }>();
  #sawRunStart = false;
  #earlyOutput: UnstampedEvent[] = [];
  /** Lines of the events pipe that were not well-formed events (InvalidPythonEvent): dropped, the first few said on stderr. */
  #invalidLines = 0;
  #runEnd: TraceEvent | undefined;
  /** Python's own run-end, held until its stdout/stderr are drained: fd 3 and stdout are separate pipes, so the
   * script's last prints can be read after run-end, and nothing may be emitted after run-end. */
  #heldRunEnd: Extract<UnstampedEvent, { type: 'run-end' }> | undefined;
  #failed = 0;
  #loadError: TaskError | undefined;
  #stopRequested = false;
  #resolveDone!: (r: PythonRunResult) => void;
  #options: PythonRunOptions;
  /** Tasks whose task-end arrived (fn mode: the others of 1..inputs.length are settled at the end). */
  #endedTasks = new Set<number>();
  /** Python itself sent run-start (so it had the inputs; a failed start settles no tasks). */
  #sawPythonRunStart = false;
  /** The runner's faulthandler backstop fired: a task held the GIL past --timeout (then Python exits). */
  #gilBackstop = false;
  /** The run's environment mark (src/pool/descendants.ts). */
  readonly #mark: string;

  constructor(options: PythonRunOptions) {
    this.#options = options;
    this.runId = options.runId ?? randomUUID();
    this.#mark = poolMark(this.runId);
    this.#originUs = options.originUs ?? monotonicUs();
    this.done = new Promise((r) => { this.#resolveDone = r; });
  }

  /** Subscribe to trace events (batched). Returns an unsubscribe function. */
  onTrace(listener: TraceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get originUs(): number {
    return this.#originUs;
  }

  /** Current time on this run's clock (µs since origin). */
  now(): number {
    return monotonicUs() - this.#originUs;
  }

  /** Stop the run: SIGTERM the Python process group, SIGKILL after a grace period. Resolves when it is gone. */
  async stop(): Promise<void> {
    this.#stopRequested = true;
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await this.done;
      clearTimeout(timer);
    }
    await this.done;
  }

  /** @internal Started by runPython(). */
  async start(): Promise<void> {
    const o = this.#options;
    let python = o.pythonPath ?? 'python3';
    if (o.backend === 'py-thread-ft' && !o.pythonPath) {
      const ft = await findFreeThreadedPython();
      if (!ft) {
        const message = FREE_THREADED_NOT_AVAILABLE.replace('poolscope.pythonPath', o.pythonPathOption ?? 'the poolscope.pythonPath setting');
        this.#failStart(python, Object.assign(new Error(message), { code: 'NO_FREE_THREADED' }));
        return;
      }
      python = ft.path;
    }
    if (o.backend === 'py-dask' && !o.pythonPath) {
      // Dask is often installed for another interpreter than the first python3 on PATH (e.g. the system's).
      python = (await findDaskPython())?.path ?? python;
    }
    if (this.#stopRequested) {
      this.#failStart(python, Object.assign(new Error('stopped before it started'), { code: 'STOPPED' }));
      return;
    }
    const sampleMs = o.cpuSampleMs ?? 5;
    if (sampleMs > 0) {
      this.#sampler = new CpuSampler({ intervalMs: sampleMs, now: () => this.now(), onSamples: (s) => this.#queueSamples(s) });
    }
    let child: ChildProcess;
    try {
      child = spawn(python, ['-u', o.runnerScript ?? defaultRunnerScript()], {
        cwd: o.cwd ?? resolve(o.file, '..'),
        // Own process group: stop() and a crash take every worker down with one kill(-pgid).
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        env: {
          ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8', ...o.env,
          // Inherited by every process of the run, whatever it does to leave the process group (see descendants.ts).
          [markVariable(this.#mark)]: '1',
        },
      });
    } catch (e) {
      this.#failStart(python, e as Error);
      return;
    }
    this.#child = child;
    if (sampleMs > 0) {
      // The machine's CPU use and this run's share (the runner, its parent, Python and its worker processes).
      this.#machine = new MachineLoadSampler({
        now: () => this.now(), onSample: (sample) => this.#queueSamples([sample]),
        pids: [process.pid, process.ppid, ...(child.pid ? [child.pid] : [])],
      });
    }
    child.on('error', (e) => this.#failStart(python, e));
    const request = {
      mode: o.mode ?? 'fn', file: resolve(o.file), fn: o.fn, inputs: o.inputs ?? [], backend: o.backend,
      workers: o.workers, originUs: o.originUs, label: o.label, compareId: o.compareId, startMethod: o.startMethod,
      scheduler: o.scheduler, threadsPerWorker: o.threadsPerWorker,
      timeout: o.timeout && o.timeout > 0 ? Math.ceil(o.timeout) : undefined,
      maxMemoryMb: o.maxMemoryMb ?? defaultMemoryLimitMb(o.workers),
      eventsFd: 3,
    };
    child.stdin!.on('error', () => { /* Python exited first; 'exit' reports it */ });
    // The request, then stdin stays open: its EOF tells Python that this process died.
    child.stdin!.write(JSON.stringify(request) + '\n');
    readLines(child.stdio[3] as Readable, (lines) => this.#onPythonLines(lines));
    readLines(child.stdout!, (lines) => this.#onOutput('stdout', lines));
    readLines(child.stderr!, (lines) => this.#onOutput('stderr', lines));
    let streamsOpen = 3;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let descendantsKilled = false;
    const streams = [child.stdio[3] as Readable, child.stdout!, child.stderr!];
    const finishWhenDrained = () => {
      if (exit && descendantsKilled && streamsOpen === 0) this.#finish(exit.code, exit.signal);
    };
    for (const stream of streams) {
      stream.on('close', () => { streamsOpen--; finishWhenDrained(); });
    }
    child.on('exit', (code, signal) => {
      // Workers forked by the runner hold the pipes open too: take the group down so the streams close.
      killGroup(child, 'SIGKILL');
      exit = { code, signal };
      // Tasks' children that left the group (start_new_session=True, setsid, double fork) still carry
      // the run's mark in their environment: find them in /proc and kill them, so none outlives the run
      // or holds its stdout open.
      void killMarkedAsync(this.#mark).catch(() => []).then(() => {
        descendantsKilled = true;
        finishWhenDrained();
        // Whatever still holds a pipe (a descendant that dropped our environment) does not keep the run open.
        setTimeout(() => {
          for (const stream of streams) if (!stream.destroyed) stream.destroy();
        }, DRAIN_AFTER_EXIT_MS).unref();
      });
    });
    this.#sampler?.start();
    this.#machine?.start();
  }

  #failStart(python: string, e: Error): void {
    if (this.#runEnd) return;
    const code = (e as NodeJS.ErrnoException).code;
    const error: TaskError = code === 'ENOENT'
      ? { name: 'PythonNotFound', message: pythonNotFound(python, this.#options) }
      : code === 'NO_FREE_THREADED' ? { name: 'FreeThreadedPythonNotFound', message: e.message }
        : code === 'STOPPED' ? { name: 'RunStopped', message: 'the run was stopped' }
          : { name: 'PythonStartFailed', message: `could not start '${python}': ${e.message}` };
    this.#ensureRunStart();
    this.#emit([{ type: 'run-end', t: this.now(), stats: emptyStats(), error }]);
    this.#finish(null, null, error);
  }

  #onPythonLines(lines: string[]): void {
    const batch: UnstampedEvent[] = [];
    for (const line of lines) {
      let event: UnstampedEvent;
      try {
        event = parsePythonEventLine(line);
      } catch (e) {
        // User code shares the Python process and can write to the pipe: a bad line is dropped, never acted on.
        if (!(e instanceof InvalidPythonEvent)) throw e;
        if (++this.#invalidLines <= MAX_INVALID_LINES_SAID) {
          const more = this.#invalidLines === MAX_INVALID_LINES_SAID ? ' (further invalid lines are dropped without a word)' : '';
          const said: UnstampedEvent = { type: 'log', t: this.now(), stream: 'stderr', text: `PoolScope dropped a line of the Python events pipe: ${e.name}: ${e.message}${more}\n` };
          if (this.#sawRunStart) batch.push(said);
          else this.#earlyOutput.push(said);
        }
        continue;
      }
      this.#observe(event);
      batch.push(event);
      if (event.type === 'run-start') batch.push(...this.#earlyOutput.splice(0));
    }
    const end = batch.findIndex((e) => e.type === 'run-end');
    if (end >= 0) {
      // The run is ending: last samples of the threads still alive, so the end of the last tasks keeps its
      // on-CPU truth; none after this (nothing is stamped later than run-end).
      this.#sampler?.stop();
      this.#machine?.stop();
      this.#heldRunEnd ??= batch[end] as Extract<UnstampedEvent, { type: 'run-end' }>;
      batch.length = end; // emitted by #finish once stdout and stderr are closed
    }
    // Samples go after run-start when this batch holds it (run-start is always a run's first event).
    const samples = this.#takeSamples();
    const start = batch.findIndex((e) => e.type === 'run-start');
    this.#emit(start >= 0 ? [...batch.slice(0, start + 1), ...samples, ...batch.slice(start + 1)] : samples.concat(batch));
  }

  #observe(event: UnstampedEvent): void {
    switch (event.type) {
      case 'run-start':
        this.#sawRunStart = true;
        this.#sawPythonRunStart = true;
        this.#originUs = event.originUs; // Python picked t = 0 unless the caller gave one
        event.cores ??= availableParallelism();
        if (this.#sampler && !this.#sampler.supported) {
          queueMicrotask(() => this.#emit([{ type: 'log', t: this.now(), stream: 'stderr', text: this.#sampler!.unavailableReason! }]));
        }
        break;
      case 'task-queued':
        this.#openTasks.set(event.taskId, 0);
        break;
      case 'task-start':
        this.#openTasks.set(event.taskId, event.workerId);
        break;
      case 'task-end':
        this.#endedTasks.add(event.taskId);
        this.#openTasks.delete(event.taskId);
        if (!event.ok) this.#failed++;
        break;
      case 'worker-start':
        this.#liveWorkers.set(event.workerId, { pid: event.pid, tid: event.tid ?? event.threadId });
        this.#machine?.addPid(event.pid);
        this.#sampler?.track(event.pid, event.tid ?? event.threadId);
        break;
      case 'worker-exit': {
        const w = this.#liveWorkers.get(event.workerId);
        this.#liveWorkers.delete(event.workerId);
        if (w) this.#sampler?.untrack(w.pid, w.tid);
        break;
      }
      case 'run-end':
        if (event.error?.data?.load) this.#loadError = event.error;
        break;
      default:
        break;
    }
  }

  #onOutput(stream: 'stdout' | 'stderr', lines: string[]): void {
    // The runner's GIL backstop (faulthandler, see poolscope_runner.py) heads its stack dump with this line.
    if (stream === 'stderr' && this.#options.timeout && lines.some((l) => /^Timeout \(\d+:\d\d:\d\d(?:\.\d+)?\)!$/.test(l))) {
      this.#gilBackstop = true;
    }
    // Read after Python's run-end (a separate pipe): the text was written before it, so it is stamped no later.
    const t = Math.min(this.now(), this.#heldRunEnd?.t ?? Infinity);
    const events = lines.map((text) => ({ type: 'log' as const, t, stream, text: text + '\n' }));
    // stdout and fd 3 are separate pipes: output read before run-start waits for it (or for the exit).
    if (this.#sawRunStart) this.#emit(events);
    else this.#earlyOutput.push(...events);
  }

  /** Output can arrive before run-start (e.g. an interpreter that fails at once): keep run-start first. */
  #ensureRunStart(): void {
    if (this.#sawRunStart) return;
    this.#sawRunStart = true;
    const o = this.#options;
    this.#emit([{ type: 'run-start', t: 0, backend: o.backend as Backend, workers: o.workers, fn: o.fn, file: resolve(o.file),
      inputsCount: o.inputs?.length ?? 0, node: 'Python', pid: this.#child?.pid ?? 0, originUs: this.originUs, label: o.label }]);
    this.#emit(this.#earlyOutput.splice(0));
  }

  #queueSamples(samples: (CpuSample | MachineSample)[]): void {
    if (this.#heldRunEnd) return; // a second stop()'s readings, after the run's end
    this.#pendingSamples.push(...samples);
    this.#sampleTimer ??= setTimeout(() => {
      this.#sampleTimer = undefined;
      if (!this.#runEnd) this.#emit(this.#takeSamples());
    }, SAMPLE_FLUSH_MS);
  }

  #takeSamples(): UnstampedEvent[] {
    if (!this.#sawRunStart || this.#runEnd) return [];
    const samples = this.#pendingSamples;
    this.#pendingSamples = [];
    return samples;
  }

  #emit(events: UnstampedEvent[]): void {
    if (events.length === 0 || this.#runEnd) return;
    const batch: TraceEvent[] = [];
    for (const e of events) {
      const stamped = { ...e, runId: this.runId, seq: this.#seq++ } as TraceEvent;
      batch.push(stamped);
      if (stamped.type === 'run-end') {
        this.#runEnd = stamped;
        break;
      }
    }
    for (const listener of this.#listeners) {
      try {
        listener(batch);
      } catch {
        // a failing subscriber must not break the run or the other subscribers
      }
    }
  }

  #finish(code: number | null, signal: NodeJS.Signals | null, startError?: TaskError): void {
    if (this.#sampleTimer) clearTimeout(this.#sampleTimer);
    this.#sampleTimer = undefined;
    this.#sampler?.stop();
    this.#machine?.stop();
    let error = startError;
    if (!this.#runEnd && this.#heldRunEnd) this.#emit([...this.#takeSamples(), this.#heldRunEnd]);
    if (!this.#runEnd) {
      // Python did not finish the run itself: it was stopped or it crashed. Settle everything.
      error ??= this.#stopRequested
        ? { name: 'RunStopped', message: 'the run was stopped' }
        : this.#gilBackstop
          ? {
            name: 'TaskTimeout',
            message: `a task held the GIL past the ${this.#options.timeout} ms timeout (C code that never lets other threads run), `
              + 'so not even the timeout watchdog could act: the Python runner was stopped (its threads\' stacks are in the output above)',
            data: { timeoutMs: this.#options.timeout },
          }
          : { name: 'PythonRunnerCrashed', message: `the Python runner exited unexpectedly (${signal ?? `exit code ${code}`})`, data: { code, signal } };
      this.#ensureRunStart();
      const t = this.now();
      const closing: UnstampedEvent[] = [...this.#takeSamples()];
      for (const [taskId, workerId] of this.#openTasks) {
        // GIL backstop: a task not seen starting cannot be blamed (it may even have finished unreported).
        const own = this.#gilBackstop && workerId === 0
          ? { name: 'PoolTerminated', message: `the Python runner was stopped because a task held the GIL past the ${this.#options.timeout} ms timeout (not seen starting, so not known to be this one: the stacks in the output show which)` }
          : error;
        closing.push({ type: 'task-end', t, taskId, workerId, ok: false, error: own });
        this.#failed++;
      }
      if ((this.#options.mode ?? 'fn') === 'fn' && this.#sawPythonRunStart) {
        // Tasks Python queued but could not report before it died (its event thread never got to run): every input settles.
        const n = this.#options.inputs?.length ?? 0;
        for (let taskId = 1; taskId <= n; taskId++) {
          if (this.#endedTasks.has(taskId) || this.#openTasks.has(taskId)) continue;
          closing.push({ type: 'task-queued', t, taskId, fn: this.#options.fn ?? '', inputPreview: '' });
          closing.push({ type: 'task-end', t, taskId, workerId: 0, ok: false, error: this.#gilBackstop
            ? { name: 'PoolTerminated', message: `the Python runner was stopped because a task held the GIL past the ${this.#options.timeout} ms timeout (not seen starting, so not known to be this one: the stacks in the output show which)` }
            : error });
          this.#failed++;
        }
      }
      for (const [workerId] of this.#liveWorkers) {
        closing.push({ type: 'worker-exit', t, workerId, code: null, signal: signal ?? 'SIGKILL', reason: 'killed' });
      }
      closing.push({ type: 'run-end', t, stats: emptyStats(), error });
      this.#emit(closing);
    } else if (this.#runEnd.type === 'run-end' && this.#runEnd.error && !this.#loadError) {
      error = this.#runEnd.error;
    }
    this.#openTasks.clear();
    this.#resolveDone({
      runId: this.runId, ok: !error && !this.#loadError && this.#failed === 0, failed: this.#failed,
      loadError: this.#loadError, error: this.#loadError ? undefined : error, exitCode: code, signal,
    });
  }
}

function emptyStats() {
  return { wallUs: 0, tasks: 0, ok: 0, failed: 0, taskUs: 0, pids: [], threadIds: [], workersStarted: 0 };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Calls `onLines` with every complete line of a stream, one call per chunk. */
function readLines(stream: Readable, onLines: (lines: string[]) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const text = rest + chunk;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      rest = text;
      return;
    }
    rest = text.slice(cut + 1);
    onLines(text.slice(0, cut).split('\n'));
  });
  stream.on('end', () => {
    if (rest) onLines([rest]);
    rest = '';
  });
}

/**
 * Start a Python run. Events flow to {@link PythonRun.onTrace} subscribers;
 * `run.done` settles when it is over.
 *
 * @example
 * const run = runPython({ file: '/abs/tasks.py', fn: 'spin', inputs: [[150], [150]], backend: 'py-process', workers: 2 });
 * run.onTrace((batch) => console.log(batch));
 * const result = await run.done;
 */
export function runPython(options: PythonRunOptions): PythonRun {
  const run = new PythonRun(options);
  // Start on the next tick so the caller can subscribe before the first event.
  queueMicrotask(() => void run.start());
  return run;
}

/** "Python interpreter 'x' not found …", naming the way this user chose it (--python, or the setting). */
function pythonNotFound(python: string, o: Pick<PythonRunOptions, 'pythonPath' | 'pythonPathOption'>): string {
  const option = o.pythonPathOption ?? 'the poolscope.pythonPath setting';
  return o.pythonPath
    ? `Python interpreter '${python}' (from ${option}) not found: check the path, or install Python 3 there`
    : `Python interpreter '${python}' not found on PATH: install Python 3, or name an interpreter with ${option}`;
}
