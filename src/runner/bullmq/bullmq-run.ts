/**
 * One run on the `bullmq` backend: every input becomes a BullMQ job on a
 * Redis server, taken by PoolScope workers (worker-main.ts) on this machine or
 * any other. With no Redis URL the run starts its own redis-server and
 * `workers` local worker processes, and stops them afterwards; with one, it
 * uses that server and the workers that users started there with
 * `poolscope worker`.
 *
 * Times come from the workers (high resolution, on the Redis server's clock:
 * each process measures its own offset to it) and are mapped onto the run's
 * clock. Lanes are host → process → thread; a worker on another host says how
 * far its clock is from this one. Failures follow BullMQ's own rules: a job
 * that throws fails; a job whose worker dies stalls and is taken again by
 * another worker, once (maxStalledCount 1), then fails.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Job, Queue, QueueEvents } from 'bullmq';
import { monotonicUs } from '../../pool/clock.js';
import { previewArgs, previewValue } from '../../pool/preview.js';
import type { RunStats, TaskError, TraceEvent, UnstampedEvent } from '../../trace/events.js';
import { RunnerError } from '../errors.js';
import { MachineLoadSampler } from '../machine-load.js';
import { REDIS_PASSWORD_ENV } from '../engine-addresses.js';
import type { FromRunner } from '../protocol.js';
import { encodeResult, type JsonValue } from '../result-json.js';
import { epochUs, measureRedisOffset, type ClockOffset } from './redis-clock.js';
import { isJobTiming, isTaskJobResult, isWorkerHello, jobError, readyChannel, type JobTiming, type TaskJobData } from './job-protocol.js';
import { startLocalRedis, type LocalRedis } from './redis-server.js';

export interface BullmqRunOptions {
  file: string;
  fn: string;
  inputs: unknown[][];
  /** Local worker processes to start (only without `redis`). */
  workers: number;
  /** Jobs each worker takes at once. @default 1 */
  concurrency?: number;
  /** An existing Redis server; without it a private one is started. */
  redis?: string;
  /** Queue name. @default `poolscope` with `redis`, else a fresh name per run */
  queue?: string;
  cacheDir?: string;
  originUs?: number;
  compareId?: string;
  label?: string;
  /** Send every result value (`results` messages). */
  results?: boolean;
  /**
   * Sample the machine's CPU use (machine-sample events: the busy-machine check) with a private Redis, whose
   * server and workers are all this run's processes. With an existing Redis, workers outside the run (started by
   * `poolscope worker`, here or elsewhere) would read as other programs, so nothing is sampled. @default true
   */
  sampleMachine?: boolean;
  send: (message: FromRunner) => void;
}

interface Lane {
  workerId: number;
  host?: string;
  pid: number;
  threadId: number;
}

const STOPPED: TaskError = { name: 'RunStopped', message: 'the run was stopped before this job finished' };
/** How long the run waits for its local workers to be ready before it sends jobs anyway (a worker still loading takes them later). */
const WORKERS_READY_WAIT_MS = 60_000;

export class BullmqRun {
  readonly runId = randomUUID();
  readonly #o: BullmqRunOptions;
  readonly #originUs: number;
  #seq = 0;
  #redis: LocalRedis | undefined;
  #workers: ChildProcess[] = [];
  #spawnedAt = new Map<number, number>();
  /** The busy-machine check (private Redis only: sampleMachine). */
  #machine: MachineLoadSampler | undefined;
  #queue: Queue | undefined;
  #events: QueueEvents | undefined;
  #sub: Redis | undefined;
  #clockClient: Redis | undefined;
  #clock: ClockOffset = { offsetUs: 0, rttUs: 0 };
  #epochOffset: ClockOffset = { offsetUs: 0, rttUs: 0 };
  #lanes = new Map<string, Lane>();
  #hostsLogged = new Set<string>();
  #open = new Map<number, boolean>(); // taskId -> started
  #stats: RunStats = { wallUs: 0, tasks: 0, ok: 0, failed: 0, taskUs: 0, pids: [], threadIds: [], workersStarted: 0 };
  #results: [number, JsonValue][] = [];
  #allSettled!: () => void;
  #settledAll = new Promise<void>((r) => { this.#allSettled = r; });
  #stopping = false;
  #ended = false;
  /** Local workers (by pid) that said they are ready, and those that exited; the jobs go out once each did one or the other. */
  #readyPids = new Set<number>();
  #exitedPids = new Set<number>();
  #workersSettled: (() => void) | undefined;
  #lastWorkerError = '';
  #endError: TaskError | undefined;
  readonly #localHost = hostname();

  constructor(options: BullmqRunOptions) {
    this.#o = options;
    this.#originUs = options.originUs ?? monotonicUs();
  }

  /** Failed jobs, plus one when the run could not send its jobs at all (no local worker became ready): the run did not pass. */
  get failed(): number {
    return this.#stats.failed + (this.#endError ? 1 : 0);
  }

  /** Runs every input as a job; resolves when each has settled (or the run was stopped). @throws RunnerError before any task ran */
  async run(): Promise<void> {
    const o = this.#o;
    const queueName = o.queue ?? (o.redis ? 'poolscope' : `poolscope-${this.runId.slice(0, 8)}`);
    // POOLSCOPE_REDIS_SERVER names another redis-server binary (e.g. one not on PATH).
    this.#redis = o.redis ? undefined : await startLocalRedis(process.env.POOLSCOPE_REDIS_SERVER || 'redis-server');
    const url = o.redis ?? this.#redis!.url;
    try {
      // A password from the environment wins over the URL's (so it need not be in a URL at all).
      const password = process.env[REDIS_PASSWORD_ENV] || undefined;
      const connection = (): Redis => new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 10_000, retryStrategy: (attempt: number) => (attempt > 3 ? null : 200),
        ...(password && o.redis ? { password } : {}) });
      this.#clockClient = connection();
      try {
        this.#clock = await measureRedisOffset(this.#clockClient, monotonicUs);
        this.#epochOffset = await measureRedisOffset(this.#clockClient, epochUs);
      } catch (e) {
        throw new RunnerError('RedisUnreachable', `could not reach the Redis server at ${url}: ${(e as Error).message}`);
      }
      this.#emit({ type: 'run-start', t: this.#now(), backend: 'bullmq', workers: o.redis ? 0 : o.workers, fn: o.fn, file: o.file,
        inputsCount: o.inputs.length, node: process.version, pid: process.pid, originUs: this.#originUs,
        label: o.label ?? `bullmq · ${o.redis ? `queue '${queueName}' on ${url}` : `${o.workers} local worker${o.workers === 1 ? '' : 's'}`}`,
        ...(o.compareId ? { compareId: o.compareId } : {}) });
      this.#sub = connection();
      await this.#sub.subscribe(readyChannel(queueName));
      this.#sub.on('message', (_channel: string, text: string) => this.#onHello(text));
      this.#queue = new Queue(queueName, { connection: connection() });
      // Read the queue's events from where its stream stands now, not from "new from the first read" ('$'): that
      // first read may come after a worker that is already waiting finished the first jobs (a busy machine), and
      // their 'completed' events would be missed — the run then waited for ever. Other runs' events are ignored
      // by job id (#taskIdOf).
      const [last] = await this.#clockClient.xrevrange(`bull:${queueName}:events`, '+', '-', 'COUNT', 1);
      this.#events = new QueueEvents(queueName, { connection: connection(), lastEventId: last?.[0] ?? '0-0' });
      await this.#events.waitUntilReady();
      this.#events.on('completed', ({ jobId, returnvalue }) => this.#onCompleted(jobId, returnvalue));
      this.#events.on('failed', ({ jobId }) => { void this.#onFailed(jobId); });
      this.#events.on('stalled', ({ jobId }) => this.#log(`bullmq: job ${jobId} stalled (its worker stopped renewing the lock, e.g. it died); `
        + 'BullMQ moves it back to the queue once, then fails it'));
      if (!o.redis) {
        if (o.sampleMachine !== false) {
          // This run's own processes: the runner, its parent (which reads the events), Redis, and each local worker
          // as it is forked (#startLocalWorkers). The rest of the machine's CPU use is other programs'.
          this.#machine = new MachineLoadSampler({
            now: () => this.#now(), onSample: (sample) => this.#emit(sample),
            pids: [process.pid, process.ppid, ...(this.#redis ? [this.#redis.pid] : [])],
          });
          this.#machine.start();
        }
        // The engine's start-up (Redis, the workers bundling and connecting) is not the tasks' time: jobs go out
        // once the local workers are ready, as the warm pools' tasks do, so the task phase starts there.
        const workersReady = this.#untilWorkersReady();
        this.#startLocalWorkers(url, queueName);
        await workersReady;
        if (this.#readyPids.size === 0 && o.workers > 0 && !this.#stopping) {
          this.#endError = { name: 'WorkersNotStarted', message: `no local BullMQ worker became ready (each exited first)${this.#lastWorkerError ? `: ${this.#lastWorkerError}` : ''}` };
          return;
        }
      } else {
        this.#log(`bullmq: jobs go to queue '${queueName}' on ${url}; start workers with `
          + `poolscope worker --redis ${url} --queue ${queueName} ${o.file}`);
      }
      if (this.#stopping) return;
      if (o.inputs.length === 0) this.#allSettled();
      const jobs = o.inputs.map((args, i) => {
        const data: TaskJobData = { runId: this.runId, taskId: i, fn: o.fn, args };
        this.#open.set(i, false);
        this.#stats.tasks++;
        this.#emit({ type: 'task-queued', t: this.#now(), taskId: i, fn: o.fn, inputPreview: previewArgs(args) });
        return { name: o.fn, data, opts: { jobId: `${this.runId}-${i}`, removeOnComplete: false, removeOnFail: false } };
      });
      for (let i = 0; i < jobs.length; i += 1000) await this.#queue.addBulk(jobs.slice(i, i + 1000));
      await this.#settledAll;
    } finally {
      this.#finish();
      await this.#cleanUp(queueName);
    }
  }

  /** Stops the run: open jobs end as RunStopped, workers and the private Redis go. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#workersSettled?.();
    for (const taskId of [...this.#open.keys()]) this.#settle(taskId, { type: 'task-end', t: this.#now(), taskId, workerId: 0, ok: false, error: STOPPED });
  }

  #now(): number {
    return monotonicUs() - this.#originUs;
  }

  /** Redis clock µs → run clock µs. */
  #fromRedis(us: number): number {
    return us + this.#clock.offsetUs - this.#originUs;
  }

  #emit(event: UnstampedEvent): void {
    this.#o.send({ type: 'events', batch: [{ ...event, runId: this.runId, seq: this.#seq++ } as TraceEvent] });
  }

  #log(text: string): void {
    this.#emit({ type: 'log', t: this.#now(), stream: 'stderr', text: `${text}\n` });
  }

  #startLocalWorkers(url: string, queue: string): void {
    const script = join(__dirname, 'bullmq-worker.js');
    for (let i = 0; i < this.#o.workers; i++) {
      const args = ['--redis', url, '--queue', queue, '--concurrency', String(this.#o.concurrency ?? 1),
        ...(this.#o.cacheDir ? ['--cache-dir', this.#o.cacheDir] : []), this.#o.file];
      // The private Redis has no password: a password meant for another server stays out of the local workers.
      const env = { ...process.env };
      delete env[REDIS_PASSWORD_ENV];
      const child = fork(script, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], execArgv: ['--enable-source-maps'], env });
      this.#spawnedAt.set(child.pid ?? -1, monotonicUs());
      if (child.pid !== undefined) this.#machine?.addPid(child.pid);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Its own start-up line is noise next to the run; anything else (a load error) is the user's to see.
        const lines = stderr.split('\n');
        stderr = lines.pop() ?? '';
        for (const line of lines) {
          if (!line || /taking jobs from queue/.test(line)) continue;
          this.#lastWorkerError = line;
          this.#log(line);
        }
      });
      child.on('exit', (code, signal) => {
        if (child.pid !== undefined) this.#exitedPids.add(child.pid);
        this.#checkWorkersReady();
        const lane = [...this.#lanes.values()].find((l) => l.pid === child.pid && l.host === undefined);
        if (lane && !this.#ended) {
          this.#emit({ type: 'worker-exit', t: this.#now(), workerId: lane.workerId, code, signal,
            reason: this.#stopping || code === 0 ? 'idle' : 'crash' });
        }
        if (!this.#ended && !this.#stopping && code !== 0) {
          this.#log(`bullmq: local worker pid ${child.pid} exited (code ${code}, signal ${signal}); its job, if any, stalls and BullMQ hands it to another worker`);
        }
      });
      this.#workers.push(child);
    }
  }

  #onHello(text: string): void {
    let hello: unknown;
    try { hello = JSON.parse(text); } catch { return; }
    if (!isWorkerHello(hello)) return;
    const spawned = this.#spawnedAt.get(hello.pid);
    if (spawned !== undefined && hello.host === this.#localHost) {
      this.#readyPids.add(hello.pid);
      this.#checkWorkersReady();
    }
    const readyMono = hello.readyUs + this.#clock.offsetUs;
    this.#lane(hello, this.#fromRedis(hello.readyUs), hello.host === this.#localHost && spawned !== undefined ? Math.max(0, readyMono - spawned) : 0);
  }

  /** Resolves when every local worker is ready or gone (or after WORKERS_READY_WAIT_MS, or on stop). */
  #untilWorkersReady(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#workersSettled = undefined;
        resolve();
      };
      const timer = setTimeout(() => {
        this.#log(`bullmq: ${this.#readyPids.size} of ${this.#o.workers} local workers ready after ${WORKERS_READY_WAIT_MS / 1000} s; sending the jobs now`);
        done();
      }, WORKERS_READY_WAIT_MS);
      this.#workersSettled = done;
    });
  }

  #checkWorkersReady(): void {
    if (!this.#workersSettled) return;
    const pids = [...this.#spawnedAt.keys()];
    if (this.#stopping || (pids.length >= this.#o.workers && pids.every((pid) => this.#readyPids.has(pid) || this.#exitedPids.has(pid)))) {
      this.#workersSettled();
    }
  }

  #lane(w: { host: string; pid: number; threadId: number; worker: string; clockOffsetUs: number; clockRttUs: number }, t: number, startupUs = 0): Lane {
    const key = `${w.host}:${w.pid}:${w.threadId}`;
    let lane = this.#lanes.get(key);
    if (lane) return lane;
    const remote = w.host !== this.#localHost;
    lane = { workerId: this.#lanes.size + 1, pid: w.pid, threadId: w.threadId, ...(remote ? { host: w.host } : {}) };
    this.#lanes.set(key, lane);
    this.#stats.workersStarted++;
    if (!this.#stats.pids.includes(w.pid)) this.#stats.pids.push(w.pid);
    if (!this.#stats.threadIds.includes(w.threadId)) this.#stats.threadIds.push(w.threadId);
    this.#emit({ type: 'worker-start', t, workerId: lane.workerId, name: w.worker, pid: w.pid, threadId: w.threadId, startupUs,
      ...(remote ? { host: w.host } : { tid: w.pid }) });
    if (remote && !this.#hostsLogged.has(w.host)) {
      this.#hostsLogged.add(w.host);
      const diffMs = (w.clockOffsetUs - this.#epochOffset.offsetUs) / 1000;
      const errMs = (w.clockRttUs + this.#epochOffset.rttUs) / 2000;
      this.#log(`bullmq: worker host ${w.host}: its clock is ${diffMs >= 0 ? '+' : ''}${diffMs.toFixed(2)} ms from this machine's (±${errMs.toFixed(2)} ms, `
        + 'from round trips to Redis); its times are corrected by that');
    }
    return lane;
  }

  #taskIdOf(jobId: string): number | undefined {
    // Job ids are `${runId}-${taskId}` (BullMQ refuses ':' in custom ids).
    if (!jobId.startsWith(`${this.runId}-`)) return undefined;
    const taskId = Number(jobId.slice(this.runId.length + 1));
    return Number.isInteger(taskId) && this.#open.has(taskId) ? taskId : undefined;
  }

  #started(taskId: number, timing: JobTiming): Lane {
    const lane = this.#lane(timing, this.#fromRedis(timing.startUs));
    this.#emit({ type: 'task-start', t: this.#fromRedis(timing.startUs), taskId, workerId: lane.workerId });
    this.#open.set(taskId, true);
    this.#stats.taskUs += Math.max(0, timing.endUs - timing.startUs);
    return lane;
  }

  #onCompleted(jobId: string, returnvalue: unknown): void {
    const taskId = this.#taskIdOf(jobId);
    if (taskId === undefined) return;
    const value: unknown = typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue;
    if (!isTaskJobResult(value)) {
      this.#settle(taskId, { type: 'task-end', t: this.#now(), taskId, workerId: 0, ok: false,
        error: { name: 'InvalidWorkerReply', message: `job ${jobId} completed without PoolScope's timing: was it taken by a worker that is not a PoolScope worker?` } });
      return;
    }
    const lane = this.#started(taskId, value.timing);
    if (this.#o.results) this.#results.push([taskId, encodeResult(value.value)]);
    this.#settle(taskId, { type: 'task-end', t: this.#fromRedis(value.timing.endUs), taskId, workerId: lane.workerId, ok: true,
      resultPreview: previewValue(value.value), ...(value.timing.cpuUs !== undefined ? { cpuUs: value.timing.cpuUs } : {}) });
  }

  async #onFailed(jobId: string): Promise<void> {
    const taskId = this.#taskIdOf(jobId);
    if (taskId === undefined || !this.#queue) return;
    const job = await Job.fromId(this.#queue, jobId).catch(() => undefined);
    const error = jobError(job?.failedReason, job?.stacktrace ?? undefined);
    const progress = job?.progress as { timing?: unknown } | undefined;
    if (job && job.attemptsMade > 1) error.data = { attemptsMade: job.attemptsMade };
    if (progress && isJobTiming(progress.timing)) {
      const lane = this.#started(taskId, progress.timing);
      this.#settle(taskId, { type: 'task-end', t: this.#fromRedis(progress.timing.endUs), taskId, workerId: lane.workerId, ok: false, error });
    } else {
      // No worker reported on it (it stalled too often, or it was not a PoolScope worker): the failure without times.
      this.#settle(taskId, { type: 'task-end', t: this.#now(), taskId, workerId: 0, ok: false, error });
    }
  }

  #settle(taskId: number, end: Extract<UnstampedEvent, { type: 'task-end' }>): void {
    if (!this.#open.has(taskId)) return;
    this.#open.delete(taskId);
    if (end.ok) this.#stats.ok++;
    else this.#stats.failed++;
    this.#emit(end);
    if (this.#results.length >= 1000) this.#flushResults();
    if (this.#open.size === 0) this.#allSettled();
  }

  #flushResults(): void {
    if (this.#results.length > 0) this.#o.send({ type: 'results', runId: this.runId, results: this.#results.splice(0) });
  }

  #finish(): void {
    if (this.#ended || this.#seq === 0) return;
    this.#flushResults();
    // A last sample up to the last task's end: the run's numbers (busy, other programs) cover the task phase.
    this.#machine?.stop();
    const t = this.#now();
    for (const lane of this.#lanes.values()) {
      this.#emit({ type: 'worker-exit', t, workerId: lane.workerId, code: null, signal: null, reason: 'idle' });
    }
    this.#ended = true;
    this.#stats.wallUs = t;
    this.#emit({ type: 'run-end', t, stats: this.#stats, ...(this.#stopping ? { error: { name: 'RunStopped', message: 'the run was stopped' } } : this.#endError ? { error: this.#endError } : {}) });
  }

  async #cleanUp(queueName: string): Promise<void> {
    await this.#events?.close().catch(() => undefined);
    if (this.#queue) {
      // A private queue is the run's own: nothing of it stays in Redis.
      if (!this.#o.queue && !this.#o.redis) await this.#queue.obliterate({ force: true }).catch(() => undefined);
      await this.#queue.close().catch(() => undefined);
    }
    this.#sub?.disconnect();
    this.#clockClient?.disconnect();
    await Promise.all(this.#workers.map((w) => new Promise<void>((resolve) => {
      if (w.exitCode !== null || w.signalCode !== null) return resolve();
      const force = setTimeout(() => w.kill('SIGKILL'), 3000);
      w.once('exit', () => { clearTimeout(force); resolve(); });
      w.kill('SIGTERM');
    })));
    await this.#redis?.stop();
    void queueName;
  }
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}
