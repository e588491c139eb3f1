/**
 * Scheduling shared by every backend whose tasks run in workers (thread,
 * process, event-loop): spawning and replacing workers, handing tasks out
 * with pipelining, batching sends, timeouts, recycling, cancellation and
 * what happens to tasks when a worker dies.
 *
 * Pipelining: a worker is sent several tasks ahead so it never waits for a
 * round trip. How many adapts to the observed task length: short tasks get
 * `pipeline` in flight, long ones one ahead while the queue is long and one
 * at a time near its end (handing a long task to a busy worker while another
 * idles would make the run slower, not faster).
 */
import type { NodeBackend, WorkerExitReason } from '../../trace/events.js';
import { deserializeError, memoryLimitExceeded, poolBroken, serializationError, taskTimeout, workerCrashed } from '../errors.js';
import {
  Claim, EXIT_MEMORY_RECYCLE, TO_WORKER_ARITY, ToWorkerOp, decodeFromWorker, splitBatch,
  type ExecutionMode, type FromWorkerReceiver, type ToWorkerBatch, type ToWorkerMessage, type WorkerInit,
} from '../protocol.js';
import { normalizeReceived } from '../value-model.js';
import type { Task } from '../task.js';
import type { SerializedError } from '../types.js';
import type { PoolBackend, PoolHost } from './backend.js';
import type { SpawnWorker, WorkerTransport } from './transport.js';

/** Start-ups in a row that may fail (before any task completes) before the pool is declared broken. */
const MAX_FAILED_STARTS = 3;
/** Tasks shorter than this (µs, moving average) are pipelined `pipeline` deep; longer ones go one at a time. */
const SHORT_TASK_US = 1000;
/** Long tasks are sent one ahead only while the queue holds at least this many per worker. */
const LONG_AHEAD_QUEUE_PER_WORKER = 2;
/** In flight per worker before any task length is known. */
const INITIAL_DEPTH = 2;
/** How often running tasks of thread workers are looked up in shared memory to announce their start. */
const RUNNING_POLL_MS = 15;
/** close(): a worker that has not exited this long after being asked is killed. */
const CLOSE_GRACE_MS = 3000;
/** How often process workers' RSS is compared with the memory limit, while they hold tasks. */
const MEMORY_POLL_MS = 100;
/**
 * RSS also holds what the worker's allocation counting does not call the task's (allocator overhead, freed pages
 * not yet returned): the watch, a backstop for memory the counting cannot see, allows this much more before it
 * kills — a quarter of the limit, at least 32 MiB — so that counted memory fails its task first, worker alive.
 */
function rssAllowance(limitBytes: number): number {
  return limitBytes + Math.max(32 * 1024 * 1024, limitBytes / 4);
}
const MiB = 1024 * 1024;

/**
 * A watch that runs while workers are busy: an unref'd interval calling `tick` until it answers false (nothing
 * left to watch), then stopping itself; start() again when work goes out. After close() it never starts.
 */
class WhileBusy {
  readonly #ms: number;
  readonly #tick: () => boolean;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(ms: number, tick: () => boolean) {
    this.#ms = ms;
    this.#tick = tick;
  }

  get watching(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => {
      if (!this.#tick()) this.#stop();
    }, this.#ms);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
/** What V8 prints when a process worker's heap is full (its thread counterpart is ERR_WORKER_OUT_OF_MEMORY). */
const HEAP_OOM_TEXT = /JavaScript heap out of memory|Reached heap limit/;

export interface WorkerSetConfig {
  /** Backend name workers report (and WorkerInit carries). */
  backend: NodeBackend;
  /** Number of workers kept alive. */
  workers: number;
  mode: ExecutionMode;
  /** Max tasks in flight per worker. */
  depth: number;
  spawn: SpawnWorker;
}

class WorkerSlot {
  readonly workerId: number;
  readonly name: string;
  readonly spawnedAt: number;
  transport!: WorkerTransport;
  ready = false;
  /** worker-start was emitted. */
  announced = false;
  loadFailed = false;
  pid = 0;
  threadId = 0;
  /** Sent and not yet answered, in send order (Map keeps insertion order: the first is the running one). */
  readonly outstanding = new Map<number, Task>();
  sent = 0;
  completed = 0;
  /** Takes no more tasks (recycling, timed out, cancelled, closing). */
  retiring = false;
  /** Close message sent. */
  closeSent = false;
  /** Why we stopped it, when we did; otherwise its exit is a crash. */
  exitReason: WorkerExitReason | undefined;
  exited = false;
  outbox: ToWorkerBatch = [];
  /** Run messages sent to this worker: the next one's claim cell is `runs % claims.length`. */
  runs = 0;
  /** Function names defined on this worker → their index there. */
  readonly fnIndex = new Map<string, number>();
  /** Task whose timeout timer is armed (sequential mode). */
  timedTask: Task | undefined;
  /** Last raw stderr text, for WorkerCrashed's message. */
  lastStderr = '';
  /** V8 said on stderr that the heap is full (process workers). */
  heapFull = false;
  /** RSS when the worker was ready (process workers), bytes; the memory limit counts what grew beyond it. */
  baselineRss = 0;
  /** Killed for going past the memory limit. */
  memoryKilled = false;
  /** Handles this worker's messages (made at its first batch). */
  receiver: FromWorkerReceiver | undefined;
  readonly exitedPromise: Promise<void>;
  resolveExited!: () => void;

  constructor(workerId: number, name: string, spawnedAt: number) {
    this.workerId = workerId;
    this.name = name;
    this.spawnedAt = spawnedAt;
    this.exitedPromise = new Promise((resolve) => { this.resolveExited = resolve; });
  }
}

export class WorkerSet implements PoolBackend {
  readonly #host: PoolHost;
  readonly #config: WorkerSetConfig;
  readonly #slots: WorkerSlot[] = [];
  #nextWorkerId = 1;
  #rr = 0;
  #failedStarts = 0;
  #lastStartError: Error | undefined;
  #stopping = false;
  #broken = false;
  /** Moving average of task run time (µs); −1 until the first task ends. */
  #avgTaskUs = -1;
  /**
   * Some worker has reported Ready. Until then tasks stay in the queue: the first of them goes to whichever
   * worker boots first rather than waiting for worker 1. From then on, booting workers are sent tasks ahead
   * too (they wait in the worker's port), so work spreads over every worker at once.
   */
  #anyReady = false;
  /** Workers keep the process alive (see PoolBackend.keepAlive); new workers start in this state. */
  #keepAlive = false;
  /** Polls shared memory for task starts (thread workers), while tasks are out. */
  readonly #startsPoll = new WhileBusy(RUNNING_POLL_MS, () => this.#announceRunning());
  /** Compares process workers' RSS with the memory limit, while tasks are out. */
  readonly #memoryPoll = new WhileBusy(MEMORY_POLL_MS, () => this.#watchMemory());

  constructor(host: PoolHost, config: WorkerSetConfig) {
    this.#host = host;
    this.#config = config;
  }

  start(): void {
    for (let i = 0; i < this.#config.workers; i++) this.#spawn();
  }

  #spawn(): WorkerSlot {
    const host = this.#host;
    const workerId = this.#nextWorkerId++;
    const slot = new WorkerSlot(workerId, host.options.workerName(workerId), host.now());
    const init: WorkerInit = {
      workerId, name: slot.name, backend: this.#config.backend, moduleUrl: host.options.moduleUrl,
      originUs: host.options.originUs, mode: this.#config.mode, trace: host.tracing,
      maxLogBytesPerTask: host.options.maxLogBytesPerTask, memoryLimitMb: host.options.maxMemoryMb,
    };
    this.#slots.push(slot);
    slot.transport = this.#config.spawn(init, {
      onBatch: (batch) => this.#onBatch(slot, batch),
      onExit: (code, signal, error) => this.#onExit(slot, code, signal, error),
      onOutput: (stream, text) => {
        if (stream === 2) {
          slot.lastStderr = text;
          if (HEAP_OOM_TEXT.test(text)) slot.heapFull = true;
        }
        host.log(this.#runningTaskId(slot), workerId, stream, host.now(), text);
      },
    });
    slot.pid = slot.transport.pid;
    slot.threadId = slot.transport.threadId;
    if (!this.#keepAlive) slot.transport.keepAlive(false);
    return slot;
  }

  // ── handing out tasks ───────────────────────────────────────────────────────

  #depth(): number {
    if (this.#config.mode === 'concurrent') return this.#config.depth;
    if (this.#avgTaskUs < 0) return Math.min(INITIAL_DEPTH, this.#config.depth);
    if (this.#avgTaskUs < SHORT_TASK_US) return this.#config.depth;
    // Long tasks: one sent ahead while the queue still holds two per worker, so a worker goes from one task to
    // the next without waiting for the pool to answer its result (on a machine whose cores are all busy, that
    // answer waits for a core: 1–10 ms a task for process workers). Near the end of the queue, one at a time:
    // a task sent ahead to a worker whose current task runs long would wait while another worker idles.
    return this.#host.queued >= LONG_AHEAD_QUEUE_PER_WORKER * this.#slots.length ? Math.min(2, this.#config.depth) : 1;
  }

  pump(): void {
    const host = this.#host;
    if (this.#stopping || this.#broken || !this.#anyReady) return;
    const depth = this.#depth();
    const slots = this.#slots;
    const n = slots.length;
    let progress = true;
    while (progress && host.queued > 0) {
      progress = false;
      for (let k = 0; k < n && host.queued > 0; k++) {
        const slot = slots[(this.#rr + k) % n];
        if (slot.retiring || slot.exited || slot.loadFailed || slot.outstanding.size >= depth) continue;
        const task = host.take()!;
        slot.outstanding.set(task.taskId, task);
        let fn = slot.fnIndex.get(task.fn);
        if (fn === undefined) {
          fn = slot.fnIndex.size;
          slot.fnIndex.set(task.fn, fn);
          slot.outbox.push(ToWorkerOp.Define, task.fn);
        }
        const claims = slot.transport.claims;
        if (claims !== undefined) {
          task.claim = slot.runs++ % claims.length;
          Atomics.store(claims, task.claim, Claim.Sent);
        }
        slot.outbox.push(ToWorkerOp.Run, task.taskId, fn, task.args, task.claim);
        progress = true;
        if (++slot.sent >= host.options.maxTasksPerWorker) this.#retire(slot, 'recycled');
      }
      this.#rr = (this.#rr + 1) % Math.max(1, slots.length);
    }
    this.#flushAll();
  }

  #flushAll(): void {
    // Cheap checks first: this runs on every pump.
    if (!this.#startsPoll.watching && this.#host.tracing && this.#slots.some((slot) => slot.transport.running && slot.outstanding.size !== 0)) this.#startsPoll.start();
    if (!this.#memoryPoll.watching && this.#host.options.maxMemoryMb > 0 && this.#slots.some((slot) => slot.transport.rssBytes && slot.outstanding.size !== 0)) this.#memoryPoll.start();
    for (const slot of this.#slots) {
      if (slot.outbox.length !== 0) this.#flush(slot);
      if (slot.ready) this.#noteStarted(slot);
    }
  }

  /** Emits task-start for tasks that started since the last look (their start time is the worker's own); false once no worker is busy. */
  #announceRunning(): boolean {
    let busy = false;
    for (const slot of this.#slots) {
      if (slot.outstanding.size === 0 || !slot.transport.running) continue;
      busy = true;
      const running = slot.transport.running();
      if (!running) continue;
      const task = slot.outstanding.get(running.taskId);
      if (task && !task.startEmitted) this.#host.started(task, slot.workerId, running.t);
    }
    return busy;
  }

  // ── memory (process workers: what the worker's RSS grew by since it was ready) ──

  /** Kills a worker whose RSS grew past the limit; false once no process worker is busy. */
  #watchMemory(): boolean {
    let busy = false;
    const allowed = rssAllowance(this.#host.options.maxMemoryMb * MiB);
    for (const slot of [...this.#slots]) {
      const rssBytes = slot.transport.rssBytes;
      if (!rssBytes || slot.exited || slot.memoryKilled || slot.outstanding.size === 0) continue;
      busy = true;
      if (!slot.ready || slot.baselineRss <= 0) continue;
      const grown = rssBytes() - slot.baselineRss;
      if (grown > allowed) this.#overMemory(slot, grown);
    }
    return busy;
  }

  /** The worker's RSS grew past the limit: the task it is running fails with MemoryLimitExceeded, the worker is killed. */
  #overMemory(slot: WorkerSlot, grown: number): void {
    slot.memoryKilled = true;
    const head: Task | undefined = slot.outstanding.values().next().value;
    if (head && head.started && !head.settled) {
      if (slot.timedTask === head) this.#disarm(slot);
      slot.outstanding.delete(head.taskId);
      this.#host.failed(head, slot.workerId, -1, this.#host.now(),
        memoryLimitExceeded(this.#host.options.maxMemoryMb, `its process grew by ${Math.round(grown / MiB)} MiB of RSS; the worker was killed`,
          { workerId: slot.workerId, pid: slot.pid, threadId: slot.threadId }));
    }
    this.#stop(slot, 'killed');
  }

  #flush(slot: WorkerSlot): void {
    const batch = slot.outbox;
    slot.outbox = [];
    if (slot.exited) return;
    try {
      slot.transport.send(batch);
    } catch {
      this.#sendCheckingEach(slot, batch);
    }
  }

  /** Slow path after a failed send: fail only the tasks whose arguments cannot be cloned. */
  #sendCheckingEach(slot: WorkerSlot, batch: ToWorkerBatch): void {
    const good: ToWorkerBatch = [];
    for (const msg of splitBatch<ToWorkerMessage>(batch, TO_WORKER_ARITY)) {
      try {
        slot.transport.check(msg);
        good.push(...msg);
      } catch (err) {
        if (msg[0] !== ToWorkerOp.Run) continue;
        const task = slot.outstanding.get(msg[1]);
        if (!task) continue;
        slot.outstanding.delete(msg[1]);
        const detail = err instanceof Error ? err.message : String(err);
        this.#host.failed(task, -1, -1, this.#host.now(), serializationError('argument', detail));
      }
    }
    if (good.length) slot.transport.send(good);
    this.#host.schedulePump();
  }

  /** Stops giving `slot` tasks; it exits once its outstanding tasks are done. A replacement starts now. */
  #retire(slot: WorkerSlot, reason: WorkerExitReason): void {
    if (slot.retiring) return;
    this.#endWorker(slot, reason);
    this.#closeIfIdle(slot);
  }

  /**
   * The one rule of both ways a worker is ended on purpose (#retire: closed once idle; #stop: killed): it takes
   * no more tasks, its exit is `reason` rather than a crash, and the first time, a replacement starts now.
   */
  #endWorker(slot: WorkerSlot, reason: WorkerExitReason): void {
    const first = !slot.retiring;
    slot.retiring = true;
    slot.exitReason = reason;
    if (first && !this.#stopping && !this.#broken) this.#spawn();
  }

  #closeIfIdle(slot: WorkerSlot): void {
    if (!slot.retiring || slot.closeSent || slot.exited || slot.outstanding.size !== 0) return;
    slot.closeSent = true;
    slot.outbox.push(ToWorkerOp.Close);
    this.#flush(slot);
  }

  // ── replies ─────────────────────────────────────────────────────────────────

  #onBatch(slot: WorkerSlot, batch: unknown): void {
    const problem = decodeFromWorker(batch, slot.receiver ??= this.#receiverFor(slot));
    if (problem) {
      // Task code can post to the pool itself: what is not a well-formed batch is dropped and said on the worker's lane.
      this.#host.log(-1, slot.workerId, 2, this.#host.now(), `PoolScope ignored a message from ${slot.name}: ${problem.name}: ${problem.message}\n`);
    }
    if (slot.retiring) this.#closeIfIdle(slot);
    // Refill at a low-water mark, not after every reply: sends stay batches, not a trickle of single tasks.
    if (this.#host.queued > 0 && (this.#config.mode === 'concurrent' || slot.outstanding.size <= this.#depth() >> 1)) this.pump();
    else if (slot.ready) this.#noteStarted(slot);
  }

  /** What each message of a worker's batch does (decodeFromWorker checks the fields first). */
  #receiverFor(slot: WorkerSlot): FromWorkerReceiver {
    const host = this.#host;
    const workerId = slot.workerId;
    return {
      ok: (taskId, start, end, value, preview) => {
        const task = slot.outstanding.get(taskId);
        if (!task) return;
        slot.outstanding.delete(taskId);
        this.#taskDone(slot, end - start);
        // Results as the value model says (typed arrays over their own bytes, a Buffer as a Uint8Array …): see value-model.ts.
        host.succeeded(task, workerId, start, end, typeof value === 'object' ? normalizeReceived(value) : value, preview);
      },
      failed: (taskId, start, end, wire) => {
        const task = slot.outstanding.get(taskId);
        if (!task) return;
        slot.outstanding.delete(taskId);
        this.#taskDone(slot, end - start);
        host.failed(task, workerId, start, end, deserializeError(wire), wire);
      },
      started: (taskId, t) => {
        const task = slot.outstanding.get(taskId);
        if (!task) return;
        task.started = true;
        host.started(task, workerId, t);
      },
      log: (taskId, stream, t, text) => {
        if (stream === 2) slot.lastStderr = text;
        host.log(taskId, workerId, stream, t, text);
      },
      slice: (taskId, start, end) => host.slice(taskId, workerId, start, end),
      skipped: (taskId) => { slot.outstanding.delete(taskId); },
      ready: (pid, threadId, tid, t, loadError) => this.#onReady(slot, pid, threadId, tid, t, loadError),
    };
  }

  #taskDone(slot: WorkerSlot, runUs: number): void {
    slot.completed++;
    this.#failedStarts = 0;
    this.#avgTaskUs = this.#avgTaskUs < 0 ? runUs : this.#avgTaskUs * 0.8 + runUs * 0.2;
    if (slot.timedTask) this.#disarm(slot);
  }

  #onReady(slot: WorkerSlot, pid: number, threadId: number, tid: number, t: number, loadError: SerializedError | null): void {
    slot.pid = pid;
    slot.threadId = threadId;
    slot.announced = true;
    if (slot.transport.rssBytes) slot.baselineRss = slot.transport.rssBytes();
    this.#host.workerStarted({ workerId: slot.workerId, name: slot.name, pid, threadId, tid, t, startupUs: t - slot.spawnedAt });
    if (loadError) {
      // The worker exits by itself; what was sent to it never started.
      slot.loadFailed = true;
      this.#lastStartError = deserializeError(loadError);
      return;
    }
    slot.ready = true;
    if (!this.#anyReady) {
      this.#anyReady = true;
      // This worker picks first: the others are still booting.
      this.#rr = Math.max(0, this.#slots.indexOf(slot));
      this.pump();
    }
    this.#noteStarted(slot);
  }

  /** The task (sequential: the first outstanding) the worker is running, −1 if none. */
  #runningTaskId(slot: WorkerSlot): number {
    if (this.#config.mode !== 'sequential' || slot.outstanding.size === 0) return -1;
    return slot.outstanding.keys().next().value ?? -1;
  }

  // ── timeouts ────────────────────────────────────────────────────────────────

  /**
   * A ready worker runs what it was sent in order and reports each result before it starts the next task, so in
   * sequential mode the first task outstanding is the one running: it is marked started and its timeout clock
   * starts now (not when it was sent ahead). In concurrent mode everything sent to a ready worker runs at once.
   */
  #noteStarted(slot: WorkerSlot): void {
    if (this.#config.mode === 'concurrent') {
      for (const task of slot.outstanding.values()) {
        if (task.settled) continue;
        task.started = true;
        if (task.timeoutMs > 0 && task.timer === undefined) task.timer = setTimeout(this.#onTimeout, task.timeoutMs, slot, task);
      }
      return;
    }
    if (slot.outstanding.size === 0) return;
    const head: Task = slot.outstanding.values().next().value!;
    // A cancelled head is skipped by the worker (Skipped arrives before the next task starts).
    if (head.started || head.settled) return;
    head.started = true;
    if (head.timeoutMs > 0) {
      this.#disarm(slot);
      slot.timedTask = head;
      head.timer = setTimeout(this.#onTimeout, head.timeoutMs, slot, head);
    }
  }

  #disarm(slot: WorkerSlot): void {
    const task = slot.timedTask;
    slot.timedTask = undefined;
    if (task?.timer) { clearTimeout(task.timer); task.timer = undefined; }
  }

  readonly #onTimeout = (slot: WorkerSlot, task: Task): void => {
    task.timer = undefined;
    if (slot.timedTask === task) slot.timedTask = undefined;
    if (task.settled || slot.exited) return;
    slot.outstanding.delete(task.taskId);
    this.#host.failed(task, slot.workerId, -1, this.#host.now(),
      taskTimeout(task.timeoutMs, { workerId: slot.workerId, pid: slot.pid, threadId: slot.threadId }));
    this.#stop(slot, 'timeout');
  };

  /** Kill a worker on purpose; its exit is then not a crash. A replacement starts now. */
  #stop(slot: WorkerSlot, reason: WorkerExitReason): void {
    if (slot.exited) return;
    this.#endWorker(slot, reason);
    slot.transport.kill();
  }

  // ── cancellation ────────────────────────────────────────────────────────────

  /**
   * A task sent ahead that has not started: claimed back through its cell if the worker has not claimed it
   * first (thread workers; the worker then skips it and answers Skipped). Elsewhere a Cancel message could
   * arrive after the worker began it, so only a claim cell makes this sure.
   */
  cancelPending(task: Task): boolean {
    if (task.started || task.claim < 0) return false;
    for (const slot of this.#slots) {
      if (slot.outstanding.get(task.taskId) !== task) continue;
      const claims = slot.transport.claims;
      return claims !== undefined && Atomics.compareExchange(claims, task.claim, Claim.Sent, Claim.Cancelled) === Claim.Sent;
    }
    return false;
  }

  cancel(task: Task): void {
    for (const slot of this.#slots) {
      if (!slot.outstanding.has(task.taskId)) continue;
      // Sent ahead and not begun: taking back its claim cell means the worker skips it (thread workers).
      if (!task.started && this.cancelPending(task)) return;
      // Begun — or, on a thread worker, claimed by the worker a moment ago though not yet known here as started.
      if (task.started || task.claim >= 0) {
        slot.outstanding.delete(task.taskId);
        this.#stop(slot, 'killed');
      } else {
        // Not started yet: the worker drops it when it gets there (and answers Skipped).
        slot.outbox.push(ToWorkerOp.Cancel, task.taskId);
        this.#flush(slot);
      }
      return;
    }
  }

  // ── exits ───────────────────────────────────────────────────────────────────

  #onExit(slot: WorkerSlot, code: number | null, signal: string | null, error: Error | undefined): void {
    if (slot.exited) return;
    slot.exited = true;
    this.#disarm(slot);
    const host = this.#host;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    // A worker that ended itself still holding more than its memory limit (worker-runtime.ts) is recycled.
    if (code === EXIT_MEMORY_RECYCLE && slot.exitReason === undefined) slot.exitReason = 'recycled';
    const reason: WorkerExitReason = slot.exitReason ?? (this.#stopping ? 'killed' : 'crash');
    const wasRetiring = slot.retiring;
    // A worker that never came up has no lane on the timeline: no worker-start, so no worker-exit either.
    if (slot.announced) host.workerExited(slot.workerId, code, signal, reason);

    const left = [...slot.outstanding.values()].filter((task) => !task.settled);
    slot.outstanding.clear();
    slot.resolveExited();
    if (this.#stopping) return; // terminate()/shutdown() settle what is left

    const failedStart = slot.loadFailed || (reason === 'crash' && (!slot.ready || (slot.completed === 0 && left.length === 0)));
    if (failedStart) {
      // Nothing it was sent ever ran (or it died on its own before finishing anything).
      this.#failedStarts++;
      if (!slot.loadFailed) {
        this.#lastStartError = error ?? new Error(`worker ${slot.name} exited with code ${code}${signal ? ` (${signal})` : ''} ` +
          `before completing a task${slot.lastStderr ? `: ${slot.lastStderr.trim().slice(0, 300)}` : ''}`);
      }
      host.requeue(left);
    } else if (this.#config.mode === 'concurrent' || reason === 'crash') {
      // Only what had started can be to blame: the running task (every task in flight on an event-loop worker,
      // all on the thread that died). Tasks sent ahead that never started go back to the front of the queue.
      const notStarted: Task[] = [];
      for (const task of left) {
        if (task.started) this.#failCrashed(slot, task, code, signal, error, reason);
        else notStarted.push(task);
      }
      host.requeue(notStarted);
    } else {
      host.requeue(left);
    }

    if (this.#failedStarts >= MAX_FAILED_STARTS) {
      this.#breakPool();
      return;
    }
    if (!wasRetiring && !this.#stopping) this.#spawn();
    host.schedulePump();
  }

  #failCrashed(slot: WorkerSlot, task: Task, code: number | null, signal: string | null, error: Error | undefined, reason: WorkerExitReason): void {
    const identity = { workerId: slot.workerId, pid: slot.pid, threadId: slot.threadId };
    // The heap reached its limit: a thread worker's 'error' says so, a process worker's stderr does.
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY' || slot.heapFull) {
      const limit = this.#heapLimitMb();
      this.#host.failed(task, slot.workerId, -1, this.#host.now(), memoryLimitExceeded(limit,
        `the JavaScript heap was full; the worker ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`, identity));
      return;
    }
    const detail = error ? `${error.name}: ${error.message}` : reason !== 'crash' ? `worker ${reason}` : slot.lastStderr.trim().split('\n')[0]?.slice(0, 200);
    this.#host.failed(task, slot.workerId, -1, this.#host.now(),
      workerCrashed({ exitCode: code, signal, workerId: slot.workerId, pid: slot.pid, threadId: slot.threadId, detail }));
  }

  /** The V8 heap limit of this pool's workers, MiB (resourceLimits, or --max-old-space-size on a process). */
  #heapLimitMb(): number {
    const options = this.#host.options;
    const flag = options.execArgv?.filter((arg) => arg.startsWith('--max-old-space-size=')).pop();
    if (this.#config.backend === 'process' && flag) return Number(flag.slice(flag.indexOf('=') + 1));
    return options.resourceLimits?.maxOldGenerationSizeMb ?? options.maxMemoryMb;
  }

  #breakPool(): void {
    this.#broken = true;
    const error = poolBroken(this.#lastStartError, this.#failedStarts);
    this.#host.broken(error);
    for (const slot of this.#slots) {
      for (const task of slot.outstanding.values()) {
        task.markHandled();
        this.#host.failed(task, -1, -1, this.#host.now(), error);
      }
      slot.outstanding.clear();
      slot.retiring = true;
      slot.exitReason ??= 'killed';
      slot.transport.kill();
    }
  }

  keepAlive(on: boolean): void {
    if (on === this.#keepAlive) return;
    this.#keepAlive = on;
    for (const slot of this.#slots) if (!slot.exited) slot.transport.keepAlive(on);
  }

  // ── shutdown ────────────────────────────────────────────────────────────────

  async shutdown(): Promise<void> {
    this.#stopping = true;
    this.#startsPoll.close();
    this.#memoryPoll.close();
    for (const slot of this.#slots) {
      if (slot.exited) continue;
      slot.retiring = true;
      slot.exitReason ??= 'idle';
      if (slot.exitReason !== 'idle' && slot.exitReason !== 'recycled') {
        slot.transport.kill();
      } else if (!slot.closeSent) {
        // Every task is settled; anything still listed was cancelled and is skipped by the worker.
        slot.closeSent = true;
        slot.outbox.push(ToWorkerOp.Close);
        this.#flush(slot);
      }
    }
    const slots = [...this.#slots];
    const timer = setTimeout(() => {
      for (const slot of slots) if (!slot.exited) { slot.exitReason = 'killed'; slot.transport.kill(); }
    }, CLOSE_GRACE_MS);
    await Promise.all(slots.map((slot) => slot.exitedPromise));
    clearTimeout(timer);
  }

  async terminate(error: Error): Promise<void> {
    this.#stopping = true;
    this.#startsPoll.close();
    this.#memoryPoll.close();
    const slots = [...this.#slots];
    for (const slot of slots) {
      this.#disarm(slot);
      for (const task of slot.outstanding.values()) {
        task.markHandled();
        this.#host.failed(task, slot.workerId, -1, this.#host.now(), error);
      }
      slot.outstanding.clear();
      if (slot.exited) continue;
      slot.retiring = true;
      if (slot.exitReason === undefined || slot.exitReason === 'idle') slot.exitReason = 'killed';
      slot.transport.kill();
    }
    await Promise.all(slots.map((slot) => slot.exitedPromise));
  }
}
