/**
 * On-CPU truth: how much CPU each worker thread actually got, sampled from
 * outside the sampled threads.
 *
 * Runs in the process that owns the pool (the runner — the parent of Python
 * workers; for Node's thread backends the owner of the worker threads), never
 * inside a sampled interpreter, so it cannot perturb a GIL. Every few ms it
 * reads each tracked thread's cumulative CPU time and reports the difference
 * as `cpu-sample` events: with Python threads they show the GIL hand-off (all
 * threads together ≤ one core), with processes N cores busy, with Node's
 * event loop one thread busy.
 *
 * Source, best first:
 * - `/proc/<pid>/task/<tid>/schedstat`: first field is on-CPU ns, exact. One
 *   file descriptor per thread stays open and is re-read with `pread` at
 *   offset 0 (a seq_file regenerates on every read), which costs a third of an
 *   open+read+close.
 * - `/proc/<pid>/task/<tid>/stat`: utime + stime in clock ticks (10 ms):
 *   coarse, but present on kernels built without schedstats.
 * - neither (macOS, Windows, a locked-down /proc): `source` is 'none', nothing
 *   is sampled, and the caller emits a `log` event saying so.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import type { CpuSampleEvent, TraceEvent, TraceListener, UnstampedEvent } from '../trace/events.js';
import type { TraceColumnsListener } from '../common/trace-columns.js';
import { MachineLoadSampler, type MachineSample } from './machine-load.js';
import { parseCpuUs, parseWaitUs } from './proc-stat.js';

export { parseCpuUs, parseWaitUs };

/** Where CPU times come from. */
export type CpuSource = 'schedstat' | 'stat' | 'none';

/** One sample of one OS thread: a `cpu-sample` event before the run stamps runId and seq. */
export type CpuSample = Omit<CpuSampleEvent, 'runId' | 'seq'>;

export interface CpuSamplerOptions {
  /** Sampling period. @default 5 */
  intervalMs?: number;
  /** Current time on the run's clock, µs (e.g. `engine.now()`). */
  now: () => number;
  /** Receives the samples of one tick (only threads that used CPU since their previous sample). */
  onSamples: (samples: CpuSample[]) => void;
  /** Report zero-CPU samples too (idle threads). @default false */
  includeIdle?: boolean;
  /**
   * A thread that used no CPU since its last read is read again only after this long (ms), then every tick
   * again once it used some. Nothing is lost (CPU times are cumulative): a thread waking up has its first
   * sample span the longer interval. Many mostly idle threads (V8's and libuv's helpers) then cost a few
   * reads a second instead of one a tick. @default intervalMs (every thread every tick)
   */
  idleIntervalMs?: number;
  /**
   * A thread that stayed runnable (on a CPU, or waiting for one) through its last interval is read at doubling
   * intervals, up to this (ms); any other reading brings it back to `intervalMs`. Nothing is lost (CPU times are
   * cumulative) and nothing is blurred while the thread stays runnable: it spent the longer interval the same
   * way. What a longer interval could blur is the thread going idle inside it, so the owner calls
   * {@link CpuSampler.poke} when it learns a task on the thread ended. Each read is a wake-up of the sampling
   * process taken from the very cores it measures: two workers busy at 5 ms cost 400 a second, and on a 2-core
   * machine a pool's speed-up measured 0.04–0.07 lower for them. @default intervalMs (every busy thread every tick)
   */
  steadyMaxMs?: number;
  /** For tests: the proc file system's root. @default '/proc' */
  procRoot?: string;
}

/** The default sampling period (the `poolscope.cpuSampleMs` setting, `--cpu-sample-ms`). */
export const DEFAULT_CPU_SAMPLE_MS = 5;

/** Sampling may use at most this share of one core; beyond it the period stretches. */
export const MAX_SAMPLER_SHARE = 0.02;

/** What one pread of a schedstat file costs (measured: ~12 µs on an idle core). */
const READ_COST_MS = 0.015;

/** A reading this runnable (on-CPU + run-queue wait ÷ interval) counts as steady: the thread never went idle. */
const STEADY_SHARE = 0.9;


interface TrackedThread {
  pid: number;
  tid: number;
  fd: number;
  /** When (run clock, ms) the thread is next due: a tick reads the threads due by then. */
  nextReadMs: number;
  /** The current period of a steady thread (ms): intervalMs, doubling up to steadyMaxMs. */
  periodMs: number;
  lastCpuUs: number;
  lastWaitUs: number;
  lastT: number;
}

/** Picks the best available source for this machine. */
export function detectCpuSource(procRoot = '/proc'): CpuSource {
  for (const source of ['schedstat', 'stat'] as const) {
    try {
      const fd = openSync(`${procRoot}/thread-self/${source}`, 'r');
      try {
        const text = readAt0(fd);
        if (parseCpuUs(source, text) !== undefined) return source;
      } finally {
        closeSync(fd);
      }
    } catch {
      // try the next source
    }
  }
  return 'none';
}

const readBuffer = Buffer.alloc(1024);

function readAt0(fd: number): string {
  const n = readSync(fd, readBuffer, 0, readBuffer.length, 0);
  return readBuffer.toString('latin1', 0, n);
}

/**
 * Samples the CPU time of a changing set of OS threads.
 *
 * @example
 * const sampler = new CpuSampler({ now: () => engine.now(), onSamples: (s) => emit(s) });
 * sampler.track(pid, tid);   // on worker-start
 * sampler.start();
 * sampler.untrack(pid, tid); // on worker-exit (takes a last sample)
 * sampler.stop();            // takes a last sample of every thread
 */
export class CpuSampler {
  /** The source in use; 'none' means nothing will be sampled. */
  readonly source: CpuSource;
  readonly intervalMs: number;
  readonly idleIntervalMs: number;
  readonly steadyMaxMs: number;
  #threads = new Map<string, TrackedThread>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #options: CpuSamplerOptions;
  #procRoot: string;
  #busyNs = 0n;
  #reads = 0;
  /** When (run clock, ms) the armed timer fires; Infinity when none is armed. */
  #armedAtMs = Infinity;

  constructor(options: CpuSamplerOptions) {
    this.#options = options;
    this.#procRoot = options.procRoot ?? '/proc';
    this.intervalMs = Math.max(1, options.intervalMs ?? 5);
    this.idleIntervalMs = Math.max(this.intervalMs, options.idleIntervalMs ?? this.intervalMs);
    this.steadyMaxMs = Math.max(this.intervalMs, options.steadyMaxMs ?? this.intervalMs);
    this.source = detectCpuSource(this.#procRoot);
  }

  /** True when samples can be taken here. */
  get supported(): boolean {
    return this.source !== 'none';
  }

  /** Why there are no samples, for a `log` event; undefined when sampling works. */
  get unavailableReason(): string | undefined {
    return this.supported ? undefined
      : `on-CPU sampling unavailable: ${this.#procRoot}/<pid>/task/<tid>/schedstat and /stat cannot be read ` +
        `on this system (${process.platform}); the timeline shows task spans only`;
  }

  /** Number of threads being sampled. */
  get size(): number {
    return this.#threads.size;
  }

  /** Total file reads so far and the time the sampler spent in them (its own overhead). */
  get cost(): { reads: number; busyUs: number } {
    return { reads: this.#reads, busyUs: Number(this.#busyNs / 1000n) };
  }

  /** Start sampling a thread (idempotent). Returns false when it can't be read (gone, or no /proc). */
  track(pid: number, tid: number): boolean {
    if (!this.supported) return false;
    const key = `${pid}/${tid}`;
    if (this.#threads.has(key)) return true;
    let fd: number;
    try {
      fd = openSync(`${this.#procRoot}/${pid}/task/${tid}/${this.source}`, 'r');
    } catch {
      return false;
    }
    const read = this.#read(fd);
    if (read === undefined) {
      closeSync(fd);
      return false;
    }
    const t = this.#options.now();
    this.#threads.set(key, { pid, tid, fd, nextReadMs: t / 1000 + this.intervalMs, periodMs: this.intervalMs, lastCpuUs: read.cpuUs, lastWaitUs: read.waitUs ?? 0, lastT: t });
    this.#arm(t / 1000 + this.intervalMs);
    return true;
  }

  /** Stop sampling a thread, after one last sample (so its final CPU burst is not lost). */
  untrack(pid: number, tid: number): void {
    const key = `${pid}/${tid}`;
    const thread = this.#threads.get(key);
    if (!thread) return;
    const sample = this.#sample(thread);
    this.#forget(key, thread);
    if (sample) this.#options.onSamples([sample]);
  }

  /**
   * Sample until stop(), each thread when it is due: every `intervalMs` while it changes, less often while it
   * stays idle (`idleIntervalMs`) or runnable (`steadyMaxMs`). The timer wakes when the first thread is due, and
   * does not keep the process alive. With many threads read a tick the period stretches so that sampling stays
   * under {@link MAX_SAMPLER_SHARE} of one core (64 threads × 12 µs a read would otherwise cost 15 % at 5 ms).
   */
  start(): void {
    if (!this.supported || this.#running) return;
    this.#running = true;
    this.#arm(this.#options.now() / 1000 + this.intervalMs);
  }

  /** (Re-)arms the timer to fire at `atMs` (run clock) unless it already fires by then. */
  #arm(atMs: number, minDelayMs = 0): void {
    if (!this.#running || atMs >= this.#armedAtMs) return;
    if (this.#timer) clearTimeout(this.#timer);
    const nowMs = this.#options.now() / 1000;
    const delayMs = Math.max(minDelayMs, atMs - nowMs);
    this.#armedAtMs = nowMs + delayMs;
    this.#timer = setTimeout(this.#loop, delayMs);
    this.#timer.unref();
  }

  readonly #loop = (): void => {
    this.#timer = undefined;
    this.#armedAtMs = Infinity;
    if (!this.#running) return;
    const reads = this.tick(false);
    let due = Infinity;
    for (const thread of this.#threads.values()) due = Math.min(due, thread.nextReadMs);
    // The share cap from the number of reads, not the tick's measured time: on a busy machine preemption would
    // inflate that and stretch the period for nothing.
    const minDelayMs = Math.max(this.intervalMs / 2, (reads * READ_COST_MS) / MAX_SAMPLER_SHARE);
    this.#arm(due === Infinity ? this.#options.now() / 1000 + this.intervalMs : due, minDelayMs);
  };

  /**
   * Take one sample of every tracked thread now — with `all` false only of those due (a timer fires within a
   * ms or so of its time: due means within half a period). Returns how many threads were read.
   */
  tick(all = true): number {
    const samples: CpuSample[] = [];
    const dueBy = this.#options.now() / 1000 + this.intervalMs / 2;
    let reads = 0;
    for (const [key, thread] of this.#threads) {
      if (!all && thread.nextReadMs > dueBy) continue;
      reads++;
      const sample = this.#readAndPlan(key, thread);
      if (sample) samples.push(sample);
    }
    if (samples.length > 0) this.#options.onSamples(samples);
    return reads;
  }

  /**
   * A task on thread `pid/tid` ended: read it now, so that its going idle falls on a sample's edge, not inside a
   * stretched interval. Read no more than once every `intervalMs` (a flood of short tasks is sampled as the timer
   * would); a thread read more recently is read again at `intervalMs` after its last read instead, which is where
   * the edge then falls.
   */
  poke(pid: number, tid: number): void {
    const key = `${pid}/${tid}`;
    const thread = this.#threads.get(key);
    if (!thread) return;
    const nowMs = this.#options.now() / 1000;
    if (nowMs - thread.lastT / 1000 >= this.intervalMs) {
      const sample = this.#readAndPlan(key, thread);
      if (sample) this.#options.onSamples([sample]);
      return;
    }
    // Its period stays: if the thread went on with a next task, that read finds it steady and the period grows on.
    const due = thread.lastT / 1000 + this.intervalMs;
    if (due < thread.nextReadMs) {
      thread.nextReadMs = due;
      this.#arm(due);
    }
  }

  /**
   * The first multiple of `intervalMs` at or after `ms`: threads read at different times (idle ones, steady ones
   * poked at their tasks' ends) fall due together, one wake-up for all, instead of one each.
   */
  #onGrid(ms: number): number {
    return Math.ceil(ms / this.intervalMs) * this.intervalMs;
  }

  /** Reads a thread and sets when it is next due; forgets it when it is gone. */
  #readAndPlan(key: string, thread: TrackedThread): CpuSample | undefined {
    const sample = this.#sample(thread);
    if (sample === null) {
      this.#forget(key, thread);
      return undefined;
    }
    const nowMs = thread.lastT / 1000;
    if (!sample) {
      thread.periodMs = this.intervalMs;
      thread.nextReadMs = this.#onGrid(nowMs + this.idleIntervalMs);
    } else {
      const steady = sample.cpuUs + (sample.waitUs ?? 0) >= STEADY_SHARE * sample.intervalUs;
      thread.periodMs = steady ? Math.min(this.steadyMaxMs, thread.periodMs * 2) : this.intervalMs;
      thread.nextReadMs = this.#onGrid(nowMs + thread.periodMs);
    }
    return sample;
  }

  /** Last samples, then close every file. */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAtMs = Infinity;
    this.tick();
    for (const [key, thread] of this.#threads) this.#forget(key, thread);
  }

  /** undefined: nothing to report (no CPU used); null: the thread is gone. */
  #sample(thread: TrackedThread): CpuSample | undefined | null {
    const t = this.#options.now();
    const read = this.#read(thread.fd);
    if (read === undefined) return null;
    const cpuUs = Math.max(0, Math.round(read.cpuUs - thread.lastCpuUs));
    const waitUs = read.waitUs === undefined ? undefined : Math.max(0, Math.round(read.waitUs - thread.lastWaitUs));
    const intervalUs = Math.round(t - thread.lastT);
    if (cpuUs === 0 && !waitUs && !this.#options.includeIdle) {
      thread.lastT = t;
      return undefined;
    }
    thread.lastCpuUs = read.cpuUs;
    if (read.waitUs !== undefined) thread.lastWaitUs = read.waitUs;
    thread.lastT = t;
    const sample: CpuSample = { type: 'cpu-sample', t: Math.round(t), pid: thread.pid, tid: thread.tid, cpuUs, intervalUs };
    if (waitUs) sample.waitUs = waitUs;
    return sample;
  }

  #read(fd: number): { cpuUs: number; waitUs?: number } | undefined {
    const t0 = process.hrtime.bigint();
    try {
      if (this.source === 'none') return undefined;
      const text = readAt0(fd);
      const cpuUs = parseCpuUs(this.source, text);
      if (cpuUs === undefined) return undefined;
      return this.source === 'schedstat' ? { cpuUs, waitUs: parseWaitUs(text) } : { cpuUs };
    } catch {
      return undefined; // ESRCH: the thread exited
    } finally {
      this.#reads++;
      this.#busyNs += process.hrtime.bigint() - t0;
    }
  }

  #forget(key: string, thread: TrackedThread): void {
    this.#threads.delete(key);
    try {
      closeSync(thread.fd);
    } catch {
      // already closed
    }
  }
}

/** The part of a pool (PoolEngine, PythonRun) the sampler needs: its trace events and its clock. */
export interface SampledPool {
  onTrace(listener: TraceListener): () => void;
  /** When the pool has it, the sampler listens to columns: it only needs the non-task events, so nothing is expanded for it. */
  onTraceColumns?(listener: TraceColumnsListener): () => void;
  /** When the pool has it, a worker whose task ended is read at once, and busy workers are read less often (see steadyMaxMs). */
  onTaskEnded?(listener: (workerId: number) => void): () => void;
  now(): number;
}

/** Calls `listener` with the events of each batch that are not task-queued/start/end rows (all of them without columns). */
function onOtherEvents(pool: SampledPool, listener: (events: readonly TraceEvent[]) => void): () => void {
  return pool.onTraceColumns ? pool.onTraceColumns((columns) => listener(columns.events)) : pool.onTrace(listener);
}

/** How often the other threads of the run's processes are sampled while they use CPU. */
const OTHER_THREADS_INTERVAL_MS = 50;
/**
 * …and while idle (most of them, most of the time: V8's and libuv's helpers, ~10 a process). Read every 50 ms
 * they cost the runner a few % of a core during a CPU-bound run — taken from the workers it measures.
 */
const OTHER_THREADS_IDLE_INTERVAL_MS = 250;
/**
 * The longest a worker thread that stays runnable goes unread, when the pool says when its tasks end (then 8 × the
 * default period). A CPU-bound task's lane and on-CPU time are the same as at 5 ms: it spent the time evenly.
 */
const WORKER_STEADY_MAX_MS = 40;
/** How often /proc/<pid>/task is listed for threads that appeared (libuv's pool starts on first use). */
const THREAD_SCAN_MS = 250;

/** OS thread ids of a process (its /proc/<pid>/task); empty when it is gone or /proc is missing. */
export function listThreads(pid: number, procRoot = '/proc'): number[] {
  try {
    return readdirSync(`${procRoot}/${pid}/task`).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

export interface SampleWorkersOptions {
  intervalMs?: number;
  /**
   * Also sample every other thread of the run's processes (the runner, process workers): libuv's pool,
   * GC helpers, the runner's main thread. Their samples carry tids no worker-start names, so they show on
   * an "other threads of PID n" lane and do not count as the run's task CPU. They are read, and looked for,
   * when the owner calls `tick()` (sampleEngine: one timer for all its periodic work). @default false
   */
  otherThreads?: boolean;
  /**
   * Events the pool emitted before sampling started (a pool whose workers a spare runner started ahead,
   * run-session.ts): their worker-starts are taken as if they came now.
   */
  emitted?: readonly TraceEvent[];
}

/** Stops sampling (after a last sample); `tick()` does the periodic work its owner drives from its own timer. */
export type Sampling = (() => void) & { tick(): void };

/**
 * Sample every worker of a pool: tracks each `worker-start` that carries an OS
 * `tid`, untracks it on `worker-exit`. Call the returned function to stop.
 * The samples are unstamped: the owner of the run's event sequence stamps them.
 *
 * @example
 * const stop = sampleWorkers(engine, (samples) => forward(samples));
 * await engine.close();
 * stop();
 */
export function sampleWorkers(pool: SampledPool, onSamples: (samples: CpuSample[]) => void, options: number | SampleWorkersOptions = 5): Sampling {
  if (typeof options === 'number') options = { intervalMs: options };
  const { intervalMs = 5, otherThreads = false } = options;
  const edges = pool.onTaskEnded !== undefined;
  const sampler = new CpuSampler({ intervalMs, steadyMaxMs: edges ? Math.max(intervalMs, WORKER_STEADY_MAX_MS) : intervalMs, now: () => pool.now(), onSamples });
  const others = otherThreads ? new CpuSampler({ intervalMs: OTHER_THREADS_INTERVAL_MS, idleIntervalMs: OTHER_THREADS_IDLE_INTERVAL_MS, now: () => pool.now(), onSamples }) : undefined;
  const workers = new Map<number, { pid: number; tid: number }>();
  const workerTids = new Set<string>();
  const pids = new Set<number>([process.pid]);
  const scan = () => {
    if (!others) return;
    for (const pid of pids) {
      for (const tid of listThreads(pid)) if (!workerTids.has(`${pid}/${tid}`)) others.track(pid, tid);
    }
  };
  const take = (batch: readonly TraceEvent[]): void => {
    for (const e of batch) {
      if (e.type === 'worker-start' && typeof e.tid === 'number' && e.tid > 0) {
        workers.set(e.workerId, { pid: e.pid, tid: e.tid });
        workerTids.add(`${e.pid}/${e.tid}`);
        // Seen as an "other" thread before it reported: from now on its CPU is the worker's.
        others?.untrack(e.pid, e.tid);
        sampler.track(e.pid, e.tid);
        if (others && !pids.has(e.pid)) {
          pids.add(e.pid);
          scan();
        }
      } else if (e.type === 'worker-exit') {
        const w = workers.get(e.workerId);
        if (w) sampler.untrack(w.pid, w.tid);
        workers.delete(e.workerId);
      }
    }
  };
  take(options.emitted ?? []);
  const unsubscribe = onOtherEvents(pool, take);
  const unsubscribeEnds = pool.onTaskEnded?.((workerId) => {
    const w = workers.get(workerId);
    if (w) sampler.poke(w.pid, w.tid);
  });
  sampler.start();
  let nextScanMs = 0;
  if (others?.supported) {
    scan();
    nextScanMs = pool.now() / 1000 + THREAD_SCAN_MS;
  }
  const tick = (): void => {
    if (!others?.supported) return;
    others.tick(false);
    const nowMs = pool.now() / 1000;
    if (nowMs >= nextScanMs) {
      scan();
      nextScanMs = nowMs + THREAD_SCAN_MS;
    }
  };
  return Object.assign(() => {
    unsubscribe();
    unsubscribeEnds?.();
    sampler.stop();
    others?.stop();
  }, { tick });
}

/**
 * The machine's CPU use and the run's own share of it (src/runner/machine-load.ts),
 * for the busy-machine check: the runner, its parent and every process worker
 * that reports count as the run's own. The owner calls `tick()` every `intervalMs`; call the returned function to
 * stop (a last sample).
 */
export function sampleMachine(pool: SampledPool, onSample: (sample: MachineSample) => void, intervalMs = 100,
  emitted: readonly TraceEvent[] = []): Sampling {
  const load = new MachineLoadSampler({ now: () => pool.now(), onSample, intervalMs });
  if (!load.supported) return Object.assign(() => undefined, { tick: () => undefined });
  const take = (batch: readonly TraceEvent[]): void => {
    for (const e of batch) if (e.type === 'worker-start') load.addPid(e.pid);
  };
  take(emitted);
  const unsubscribe = onOtherEvents(pool, take);
  load.start(false);
  return Object.assign(() => {
    unsubscribe();
    load.stop();
  }, { tick: () => load.tick() });
}

/** How often the machine's load is sampled in an engine run (sampleEngine). */
const MACHINE_SAMPLE_MS = 100;

/** A pool whose own event stream can take extra events (the engine's Pool has `emit`). */
export interface EmittingPool extends SampledPool {
  emit?(event: UnstampedEvent): void;
}

/**
 * On-CPU lanes for a Node engine run: samples its workers and emits the
 * samples into the pool's own event stream (so they get its runId and seq),
 * coalesced every `flushMs`. Call the returned function before `close()` —
 * nothing is emitted after `run-end`. `emitted`: events the pool emitted before sampling started (workers
 * started ahead). Without /proc it emits one `log` event
 * saying so, and nothing else.
 *
 * @example
 * const stopSampling = sampleEngine(pool);
 * await Promise.allSettled(tasks);
 * stopSampling();
 * await pool.close();
 */
export function sampleEngine(pool: EmittingPool,
  { intervalMs = 5, flushMs = 50, otherThreads = true, machine = true, emitted = [] as readonly TraceEvent[] } = {}): () => void {
  const emit = pool.emit?.bind(pool);
  if (!emit) return () => undefined;
  let ended = false;
  let buffer: (CpuSample | MachineSample)[] = [];
  const unsubscribe = onOtherEvents(pool, (batch) => {
    if (batch.some((e) => e.type === 'run-end')) ended = true;
  });
  const flush = () => {
    if (!ended) for (const s of buffer) emit(s);
    buffer = [];
  };
  const probe = new CpuSampler({ now: () => 0, onSamples: () => undefined });
  if (!probe.supported) {
    emit({ type: 'log', t: pool.now(), stream: 'stderr', text: `${probe.unavailableReason}\n` });
    return unsubscribe;
  }
  // The worker threads keep their own timer (the fine one). Everything else periodic — the other threads, the
  // thread scan, the machine's load, the flush — runs off one timer: each wake-up of the runner is taken from the
  // cores a CPU-bound run measures (on 2 cores, separate timers for them cost compare's speed-up ~0.02).
  const workers = sampleWorkers(pool, (samples) => { buffer.push(...samples); }, { intervalMs, otherThreads, emitted });
  const load = machine ? sampleMachine(pool, (sample) => { buffer.push(sample); }, MACHINE_SAMPLE_MS, emitted) : undefined;
  let nextMachineMs = pool.now() / 1000 + MACHINE_SAMPLE_MS;
  const timer = setInterval(() => {
    workers.tick();
    const nowMs = pool.now() / 1000;
    // Within half a tick of due: this timer does not land exactly on 100 ms.
    if (load && nowMs >= nextMachineMs - flushMs / 2) {
      load.tick();
      nextMachineMs = nowMs + MACHINE_SAMPLE_MS;
    }
    flush();
  }, flushMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    workers();
    load?.();
    flush();
    unsubscribe();
  };
}
