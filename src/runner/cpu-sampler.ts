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
import { closeSync, openSync, readSync } from 'node:fs';
import type { TraceEvent, TraceListener, UnstampedEvent } from '../trace/events.js';
import type { TraceColumnsListener } from '../trace/trace-columns.js';

/** Where CPU times come from. */
export type CpuSource = 'schedstat' | 'stat' | 'none';

/** One sample of one OS thread (a `cpu-sample` event without runId/seq). */
export interface CpuSample {
  type: 'cpu-sample';
  /** Run-clock µs of the read. */
  t: number;
  pid: number;
  tid: number;
  /** CPU time the thread used since the previous sample. */
  cpuUs: number;
  /** Time since the previous sample of this thread. */
  intervalUs: number;
}

export interface CpuSamplerOptions {
  /** Sampling period. @default 5 */
  intervalMs?: number;
  /** Current time on the run's clock, µs (e.g. `engine.now()`). */
  now: () => number;
  /** Receives the samples of one tick (only threads that used CPU since their previous sample). */
  onSamples: (samples: CpuSample[]) => void;
  /** Report zero-CPU samples too (idle threads). @default false */
  includeIdle?: boolean;
  /** For tests: the proc file system's root. @default '/proc' */
  procRoot?: string;
}

/** The default sampling period (the `poolscope.cpuSampleMs` setting, `--cpu-sample-ms`). */
export const DEFAULT_CPU_SAMPLE_MS = 5;

/** Sampling may use at most this share of one core; beyond it the period stretches. */
export const MAX_SAMPLER_SHARE = 0.02;

/** What one pread of a schedstat file costs (measured: ~12 µs on an idle core). */
const READ_COST_MS = 0.015;

/** Linux's USER_HZ: /proc stat times are in these ticks (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;

interface TrackedThread {
  pid: number;
  tid: number;
  fd: number;
  lastCpuUs: number;
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

/** Cumulative CPU µs of a thread from the text of its schedstat or stat file; undefined if unparsable. */
export function parseCpuUs(source: Exclude<CpuSource, 'none'>, text: string): number | undefined {
  if (source === 'schedstat') {
    const ns = Number(text.slice(0, text.indexOf(' ')));
    return Number.isFinite(ns) && text.length > 0 ? ns / 1000 : undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1e6) / CLOCK_TICKS_PER_SECOND;
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
  #threads = new Map<string, TrackedThread>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #options: CpuSamplerOptions;
  #procRoot: string;
  #busyNs = 0n;
  #reads = 0;

  constructor(options: CpuSamplerOptions) {
    this.#options = options;
    this.#procRoot = options.procRoot ?? '/proc';
    this.intervalMs = Math.max(1, options.intervalMs ?? 5);
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
    const cpu = this.#read(fd);
    if (cpu === undefined) {
      closeSync(fd);
      return false;
    }
    this.#threads.set(key, { pid, tid, fd, lastCpuUs: cpu, lastT: this.#options.now() });
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
   * Sample every `intervalMs` until stop(). The timer does not keep the process alive.
   * With many threads the period stretches so that sampling stays under
   * {@link MAX_SAMPLER_SHARE} of one core (64 threads × 12 µs a read would
   * otherwise cost 15 % at 5 ms).
   */
  start(): void {
    if (!this.supported || this.#running) return;
    this.#running = true;
    const loop = () => {
      if (!this.#running) return;
      this.tick();
      // From the thread count, not the tick's measured time: on a busy machine preemption would
      // inflate that and stretch the period for nothing.
      this.#timer = setTimeout(loop, Math.max(this.intervalMs, (this.#threads.size * READ_COST_MS) / MAX_SAMPLER_SHARE));
      this.#timer.unref();
    };
    this.#timer = setTimeout(loop, this.intervalMs);
    this.#timer.unref();
  }

  /** Take one sample of every tracked thread now. */
  tick(): void {
    const samples: CpuSample[] = [];
    for (const [key, thread] of this.#threads) {
      const sample = this.#sample(thread);
      if (sample === null) this.#forget(key, thread);
      else if (sample) samples.push(sample);
    }
    if (samples.length > 0) this.#options.onSamples(samples);
  }

  /** Last samples, then close every file. */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.tick();
    for (const [key, thread] of this.#threads) this.#forget(key, thread);
  }

  /** undefined: nothing to report (no CPU used); null: the thread is gone. */
  #sample(thread: TrackedThread): CpuSample | undefined | null {
    const t = this.#options.now();
    const cpu = this.#read(thread.fd);
    if (cpu === undefined) return null;
    const cpuUs = Math.max(0, Math.round(cpu - thread.lastCpuUs));
    const intervalUs = Math.round(t - thread.lastT);
    if (cpuUs === 0 && !this.#options.includeIdle) {
      thread.lastT = t;
      return undefined;
    }
    thread.lastCpuUs = cpu;
    thread.lastT = t;
    return { type: 'cpu-sample', t: Math.round(t), pid: thread.pid, tid: thread.tid, cpuUs, intervalUs };
  }

  #read(fd: number): number | undefined {
    const t0 = process.hrtime.bigint();
    try {
      if (this.source === 'none') return undefined;
      return parseCpuUs(this.source, readAt0(fd));
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
  now(): number;
}

/** Calls `listener` with the events of each batch that are not task-queued/start/end rows (all of them without columns). */
function onOtherEvents(pool: SampledPool, listener: (events: readonly TraceEvent[]) => void): () => void {
  return pool.onTraceColumns ? pool.onTraceColumns((columns) => listener(columns.events)) : pool.onTrace(listener);
}

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
export function sampleWorkers(pool: SampledPool, onSamples: (samples: CpuSample[]) => void, intervalMs = 5): () => void {
  const sampler = new CpuSampler({ intervalMs, now: () => pool.now(), onSamples });
  const workers = new Map<number, { pid: number; tid: number }>();
  const unsubscribe = onOtherEvents(pool, (batch) => {
    for (const e of batch) {
      if (e.type === 'worker-start' && typeof e.tid === 'number' && e.tid > 0) {
        workers.set(e.workerId, { pid: e.pid, tid: e.tid });
        sampler.track(e.pid, e.tid);
      } else if (e.type === 'worker-exit') {
        const w = workers.get(e.workerId);
        if (w) sampler.untrack(w.pid, w.tid);
        workers.delete(e.workerId);
      }
    }
  });
  sampler.start();
  return () => {
    unsubscribe();
    sampler.stop();
  };
}

/** A pool whose own event stream can take extra events (the engine's Pool has `emit`). */
export interface EmittingPool extends SampledPool {
  emit?(event: UnstampedEvent): void;
}

/**
 * On-CPU lanes for a Node engine run: samples its workers and emits the
 * samples into the pool's own event stream (so they get its runId and seq),
 * coalesced every `flushMs`. Call the returned function before `close()` —
 * nothing is emitted after `run-end`. Without /proc it emits one `log` event
 * saying so, and nothing else.
 *
 * @example
 * const stopSampling = sampleEngine(pool);
 * await Promise.allSettled(tasks);
 * stopSampling();
 * await pool.close();
 */
export function sampleEngine(pool: EmittingPool, { intervalMs = 5, flushMs = 50 } = {}): () => void {
  const emit = pool.emit?.bind(pool);
  if (!emit) return () => undefined;
  let ended = false;
  let buffer: CpuSample[] = [];
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
  const stop = sampleWorkers(pool, (samples) => { buffer.push(...samples); }, intervalMs);
  const timer = setInterval(flush, flushMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stop();
    flush();
    unsubscribe();
  };
}
