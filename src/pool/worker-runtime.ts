/**
 * The only code that runs inside a pool worker (a worker thread or a forked
 * child process). Bundled alone to dist/worker.js; the pool side never
 * imports it.
 *
 * It publishes the worker's identity, captures stdout/stderr, loads the task
 * module once, then runs what the pool sends — one at a time in order
 * (thread, process) or all at once interleaving at `await` (event-loop) —
 * timestamping start and end itself on the run's clock. Replies are batched:
 * one message per tick, flushed before anything that could take long.
 */
import { Worker, isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';
import { ChildProcessTracker } from './child-tracker.js';
import { KILL_MARKED_SOURCE } from './descendants.js';
import { guardParentSignals } from './kill-guard.js';
import { guardMemory, heldPastLimit } from './memory.js';
import { monotonicUs, performanceOffsetUs } from './clock.js';
import { serializationError, serializeError } from './errors.js';
import { OutputCapture } from './log-capture.js';
import { TaskModule, type TaskFunction } from './module-loader.js';
import { previewValue } from './preview.js';
import { isThenable, normalizeReceived } from './value-model.js';
import {
  Claim, EXIT_MEMORY_RECYCLE, FROM_WORKER_ARITY, FromWorkerOp, WORKER_IDENTITY_KEY, WORKER_INIT_ENV, decodeToWorker, splitBatch,
  type FromWorkerBatch, type FromWorkerMessage, type ToWorkerReceiver, type WorkerIdentityGlobal, type WorkerInit,
} from './protocol.js';
import { TaskQueue } from './queue.js';
import { SliceRecorder } from './slice-recorder.js';
import { osThreadId } from './os-thread.js';

/** A task that ran longer than this makes the next one announce its start at once (live timeline). */
const LONG_TASK_US = 1000;

interface Channel {
  send(batch: FromWorkerBatch): void;
  /** Throws when `batch` cannot be sent (used to find the one unclonable result). */
  check(batch: FromWorkerBatch): void;
  /** Gets each message from the pool as it came (decodeToWorker checks it). */
  listen(onBatch: (batch: unknown) => void): void;
  /** False once the pool can no longer hear us (a task closed a process worker's IPC channel). */
  open(): boolean;
}

function threadChannel(): Channel {
  const port = parentPort!;
  return {
    send: (batch) => port.postMessage(batch),
    check: (batch) => { structuredClone(batch); },
    listen: (onBatch) => port.on('message', onBatch),
    open: () => true,
  };
}

function processChannel(): Channel {
  return {
    send: (batch) => { process.send!(batch); },
    // node:v8 is loaded only on this rare slow path: loading it at start-up costs every thread worker ~1 ms.
    // (This file is bundled as CommonJS only, dist/worker.js, so `require` is there.)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    check: (batch) => { (require('node:v8') as typeof import('node:v8')).serialize(batch); },
    listen: (onBatch) => process.on('message', onBatch),
    open: () => process.connected === true,
  };
}

function readInit(): WorkerInit {
  if (!isMainThread) return workerData as WorkerInit;
  const raw = process.env[WORKER_INIT_ENV];
  if (!raw || !process.send) throw new Error('dist/worker.js is a PoolScope worker; it is started by the pool, not by hand');
  delete process.env[WORKER_INIT_ENV];
  return JSON.parse(raw) as WorkerInit;
}


/** How often a process worker's watchdog looks for its parent. */
const PARENT_POLL_MS = 250;

/**
 * Process workers where the pool has no sentinel (mark-sentinel.ts: not Linux): a thread that ends this worker,
 * its process group and everything carrying its mark once its parent (the pool) is gone — re-parented, so
 * \`process.ppid\` changed. It needs nothing from the main thread, so it works while a task spins (the IPC
 * 'disconnect' event would wait for the task forever).
 */
const PARENT_WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
${KILL_MARKED_SOURCE}
setInterval(() => {
  if (process.ppid === workerData.parentPid) return;
  // Marked processes first (the group kill would take this thread with it), then the group, then us.
  if (workerData.markVariable) killMarkedSync(workerData.markVariable);
  try { process.kill(-process.pid, 'SIGKILL'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, ${PARENT_POLL_MS});
`;

/**
 * Starts the watchdog thread; resolves once it runs (or could not start: the worker goes on without it).
 * Its start-up is a Node thread's bootstrap — 60–100 ms of CPU on the project's 2-core VM — so the worker
 * waits for it before it reports ready: started after ready, it took those cores from the first tasks (and,
 * in compare, from the timed task phase, since it began ~150 ms late, after the start-up had looked quiet).
 */
function startParentWatchdog(markVariable: string | undefined): Promise<void> {
  const watchdog = new Worker(PARENT_WATCHDOG_SOURCE, { eval: true, workerData: { parentPid: process.ppid, markVariable } });
  watchdog.unref();
  return new Promise((resolve) => {
    watchdog.once('online', () => resolve());
    watchdog.once('error', () => resolve());
    watchdog.once('exit', () => resolve());
  });
}

function errorText(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } catch {
    return 'a value that cannot be described';
  }
}

class WorkerRuntime {
  readonly #init: WorkerInit;
  readonly #channel: Channel;
  readonly #realExit: (code?: number) => never;
  #outbox: FromWorkerBatch = [];
  #flushScheduled = false;
  #module: TaskModule | undefined;
  /** Tasks received and not started: taskId, function index, args — three entries each. */
  readonly #inbox = new TaskQueue<unknown>();
  /** Function names by index, as defined by the pool. */
  readonly #names: string[] = [];
  readonly #cancelled = new Set<number>();
  #draining = false;
  #closing = false;
  /** Task whose code is running (sequential mode), or −1. */
  #currentTask = -1;
  #lastTaskUs = 0;
  readonly #capture: OutputCapture | undefined;
  readonly #slices: SliceRecorder | undefined;
  /** Microseconds on the pool's clock; hrtime until #useFastClock(). */
  #now: () => number;
  /** Shared [taskId, start] of the running task (thread workers), instead of Start messages. */
  readonly #shared: Float64Array | undefined;
  /** Thread workers: claim cells (WorkerInit.claims), swapped Sent → Started before a task begins. */
  readonly #claims: Int32Array | undefined;
  /** Thread workers: pids of children their tasks start, for the pool to stop. */
  readonly #children: ChildProcessTracker | undefined;

  constructor(init: WorkerInit, channel: Channel) {
    this.#init = init;
    this.#channel = channel;
    // Start on hrtime: the `performance` global costs a worker ~1 ms to load on first use, which
    // would delay its first result. start() moves to performance.now() once the first tasks are out.
    this.#now = () => monotonicUs() - init.originUs;
    // The slice recorder keeps the function it is given, so concurrent workers switch at once.
    if (init.mode === 'concurrent') this.#useFastClock();
    this.#realExit = process.exit.bind(process) as (code?: number) => never;
    this.#shared = init.running ? new Float64Array(init.running) : undefined;
    this.#claims = init.claims ? new Int32Array(init.claims) : undefined;
    this.#children = init.childPids ? new ChildProcessTracker(new Int32Array(init.childPids)) : undefined;

    if (init.mode === 'concurrent' && init.trace) {
      this.#slices = new SliceRecorder(this.#now, (taskId, start, end) => this.#post4(FromWorkerOp.Slice, taskId, start, end));
    }
    if (init.trace) {
      const slices = this.#slices;
      this.#capture = new OutputCapture({
        currentTask: slices ? () => slices.storage.getStore() ?? -1 : () => this.#currentTask,
        record: (taskId, stream, text) => this.#post5(FromWorkerOp.Log, taskId, stream, this.#now(), text),
        maxBytesPerTask: init.maxLogBytesPerTask,
        passThroughOutsideTasks: false,
      });
    }
  }

  async start(): Promise<void> {
    const init = this.#init;
    const identity: WorkerIdentityGlobal = { workerId: init.workerId, name: init.name, backend: init.backend, pid: process.pid, threadId };
    (globalThis as Record<symbol, unknown>)[WORKER_IDENTITY_KEY] = identity;
    // Stacks point at the user's .ts lines (the runner bundles with source maps); skip if already on (--enable-source-maps).
    if (!(process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) process.setSourceMapsEnabled(true);
    this.#capture?.install();
    this.#installExitHooks();
    // Before the task module loads, so that its code sees the guarded functions.
    guardParentSignals();
    if (init.memoryLimitMb > 0) guardMemory(init.memoryLimitMb);
    this.#channel.listen(this.#onBatch);
    // Where the pool has a sentinel (mark-sentinel.ts, Linux) it ends this worker if the pool dies: no thread here.
    // Otherwise before the module loads, so that both start-ups overlap, and before the first task, which may
    // never return.
    const watchdog = isMainThread && init.parentWatchdog ? startParentWatchdog(init.markVariable) : undefined;
    let loadError = null;
    let loaded: TaskModule | undefined;
    try {
      loaded = await TaskModule.load(init.moduleUrl, { preferRequire: true });
    } catch (err) {
      loadError = serializeError(err);
    }
    await watchdog;
    // Only now: a task that arrived meanwhile waits in the inbox (#pump needs the module), so none starts before Ready.
    this.#module = loaded;
    this.#children?.check();
    this.#outbox.push(FromWorkerOp.Ready, process.pid, threadId, osThreadId(), this.#now(), loadError);
    this.#flush();
    if (loadError) {
      // Nothing can run here; the pool re-queues what it sent and counts a failed start.
      this.#realExit(1);
      return;
    }
    this.#slices?.enable();
    this.#pump();
    // After the replies to the tasks already here are flushed (their setImmediate was queued first).
    if (init.mode !== 'concurrent') setImmediate(() => this.#useFastClock());
  }

  /** performance.now() reads the same monotonic clock as hrtime but allocates nothing (the per-task hot path). */
  #useFastClock(): void {
    const base = performanceOffsetUs() - this.#init.originUs;
    // The `performance` global is an accessor on globalThis: read once here, not twice a task.
    const clock = performance;
    this.#now = () => clock.now() * 1000 + base;
  }

  /** Flush replies before the thread/process goes away, so finished results are not lost. */
  #installExitHooks(): void {
    const exit = (code?: number | string | null): never => {
      this.#flush();
      return this.#realExit(typeof code === 'number' ? code : code == null ? (process.exitCode as number | undefined) : Number(code));
    };
    process.exit = exit as typeof process.exit;
    process.on('uncaughtException', (err) => {
      const text = `Uncaught exception in worker ${this.#init.name}: ${err instanceof Error ? err.stack : String(err)}\n`;
      this.#post5(FromWorkerOp.Log, this.#currentTask, 2, this.#now(), text);
      exit(1);
    });
    // A forked worker whose pool is gone (IPC closed) exits by itself.
    if (isMainThread) process.on('disconnect', () => this.#realExit(0));
  }

  readonly #onBatch = (batch: unknown): void => {
    this.#concurrentNow = this.#init.mode === 'concurrent' && this.#module !== undefined;
    const problem = decodeToWorker(batch, this.#receiver);
    if (problem) process.stderr.write(`PoolScope worker ${this.#init.name} ignored a message from the pool: ${problem.name}: ${problem.message}\n`);
    this.#pump();
  };

  /** Set per batch: Run messages start at once (concurrent mode, module loaded) or wait in the inbox. */
  #concurrentNow = false;

  /** What each message of the pool's batch does (decodeToWorker checks the fields first). */
  readonly #receiver: ToWorkerReceiver = {
    run: (taskId, fn, rawArgs, claim) => {
      // Arguments as the value model says (typed arrays over their own bytes, a Buffer as a Uint8Array …): see value-model.ts.
      const args = normalizeReceived(rawArgs) as unknown[];
      if (this.#concurrentNow) {
        this.#runConcurrent(taskId, fn, args);
      } else {
        this.#inbox.push(taskId);
        this.#inbox.push(fn);
        this.#inbox.push(args);
        this.#inbox.push(claim);
      }
    },
    define: (name) => { this.#names.push(name); },
    cancel: (taskId) => { this.#cancelled.add(taskId); },
    close: () => { this.#closing = true; },
  };

  #pump(): void {
    if (!this.#module || this.#exiting) return;
    if (this.#init.mode === 'concurrent') {
      const inbox = this.#inbox;
      while (inbox.length !== 0) {
        this.#runConcurrent(inbox.shift() as number, inbox.shift() as number, inbox.shift() as unknown[]);
        inbox.shift(); // claim: concurrent workers start what they get at once
      }
      this.#maybeClose();
    } else if (!this.#draining) {
      this.#drainSequential(true);
    }
  }

  /** Runs queued tasks one after another; returns early (and resumes later) at an async task. */
  #drainSequential(afterIdle: boolean): void {
    this.#draining = true;
    const mod = this.#module!;
    const inbox = this.#inbox;
    while (inbox.length !== 0) {
      const taskId = inbox.shift() as number;
      const fnIndex = inbox.shift() as number;
      const args = inbox.shift() as unknown[];
      const claim = inbox.shift() as number;
      if (this.#cancelled.size !== 0 && this.#cancelled.delete(taskId)) {
        this.#outbox.push(FromWorkerOp.Skipped, taskId);
        continue;
      }
      if (this.#overLimit && this.#recycleIfStillOver()) return;
      // Nobody would hear the result (a task disconnected the channel): the pool re-queues what is left.
      if (!this.#channel.open()) this.#realExit(0);
      // The pool may have taken the task back while it waited here (cancelPending): whoever swaps first wins.
      if (claim >= 0 && Atomics.compareExchange(this.#claims!, claim, Claim.Sent, Claim.Started) !== Claim.Sent) {
        this.#outbox.push(FromWorkerOp.Skipped, taskId);
        continue;
      }
      // Report before the next start: what finished is out of this worker before the next task can hang or
      // crash it, so a fault fails only the task that caused it (and finished results are never lost). With a
      // Start notice it goes in the same message: a process worker's pool pays per message it reads.
      const start = this.#now();
      const shared = this.#shared;
      if (shared === undefined && (afterIdle || this.#lastTaskUs > LONG_TASK_US)) this.#outbox.push(FromWorkerOp.Start, taskId, start);
      if (this.#outbox.length !== 0) this.#flush();
      if (shared) {
        shared[1] = start;
        shared[0] = taskId;
      }
      afterIdle = false;
      this.#currentTask = taskId;
      this.#children?.check();
      let result: unknown;
      try {
        const fn: TaskFunction = mod.get(this.#names[fnIndex]);
        result = fn(...args);
      } catch (err) {
        this.#fail(taskId, start, err);
        continue;
      }
      if (isThenable(result)) {
        this.#flush();
        Promise.resolve(result).then(
          (value) => { this.#succeed(taskId, start, value); this.#drainSequential(false); },
          (err: unknown) => { this.#fail(taskId, start, err); this.#drainSequential(false); },
        );
        return;
      }
      this.#succeed(taskId, start, result);
    }
    this.#currentTask = -1;
    this.#draining = false;
    this.#flush();
    if (this.#overLimit && this.#recycleIfStillOver()) return;
    this.#maybeClose();
  }

  /** A task failed with MemoryLimitExceeded (sequential mode): whether to look at what the worker still holds. */
  #overLimit = false;

  /**
   * After a MemoryLimitExceeded, a worker that still holds more than its limit (the task kept what it allocated)
   * would fail every task after it: it ends itself instead, its results flushed, and the pool starts a fresh one
   * and re-queues what it had sent ahead (EXIT_MEMORY_RECYCLE).
   */
  #recycleIfStillOver(): boolean {
    this.#overLimit = false;
    if (!heldPastLimit(this.#init.memoryLimitMb)) return false;
    this.#exiting = true;
    this.#flush();
    if (isMainThread) process.send!([], () => this.#realExit(EXIT_MEMORY_RECYCLE));
    else this.#realExit(EXIT_MEMORY_RECYCLE);
    return true;
  }

  /** Ending itself (#recycleIfStillOver): runs nothing more. */
  #exiting = false;

  #runConcurrent(taskId: number, fnIndex: number, args: unknown[]): void {
    if (this.#cancelled.size !== 0 && this.#cancelled.delete(taskId)) {
      this.#outbox.push(FromWorkerOp.Skipped, taskId);
      this.#scheduleFlush();
      return;
    }
    const start = this.#now();
    this.#outbox.push(FromWorkerOp.Start, taskId, start);
    // Sent now, not batched: a task that holds the thread would otherwise have no task-start while it runs.
    this.#flush();
    this.#children?.check();
    const slices = this.#slices;
    const call = (): unknown => {
      slices?.enter(taskId, start);
      try {
        return this.#module!.get(this.#names[fnIndex])(...args);
      } finally {
        slices?.leave(this.#now());
      }
    };
    let result: unknown;
    try {
      result = slices ? slices.storage.run(taskId, call) : call();
    } catch (err) {
      this.#fail(taskId, start, err);
      return;
    }
    if (!isThenable(result)) {
      this.#succeed(taskId, start, result);
      return;
    }
    this.#running++;
    Promise.resolve(result).then(
      (value) => { this.#running--; this.#succeed(taskId, start, value); this.#maybeClose(); },
      (err: unknown) => { this.#running--; this.#fail(taskId, start, err); this.#maybeClose(); },
    );
  }

  #running = 0;

  /** What every task end does, success or failure: the end time, read once; nothing runs any more. */
  #taskEnded(taskId: number, start: number): number {
    const end = this.#now();
    this.#currentTask = -1;
    this.#lastTaskUs = end - start;
    this.#slices?.taskEnded(taskId, end);
    this.#capture?.taskEnded(taskId);
    return end;
  }

  #succeed(taskId: number, start: number, value: unknown): void {
    const end = this.#taskEnded(taskId, start);
    // Objects are previewed here (walking them is work best done off the pool's thread); a primitive's
    // preview is made by the pool from the value itself, so no second string crosses the wire.
    let preview = '';
    if (this.#init.trace && typeof value === 'object' && value !== null) {
      try {
        preview = previewValue(value);
      } catch (err) {
        // A getter or Proxy trap threw while the result was read: it could not be copied either.
        this.#outbox.push(FromWorkerOp.Error, taskId, start, end, serializeError(serializationError('result', errorText(err))));
        this.#settledFlush();
        return;
      }
    }
    this.#outbox.push(FromWorkerOp.Ok, taskId, start, end, value, preview);
    this.#settledFlush();
  }

  #fail(taskId: number, start: number, err: unknown): void {
    const end = this.#taskEnded(taskId, start);
    const wire = serializeError(err);
    if (wire.name === 'MemoryLimitExceeded' && this.#init.mode !== 'concurrent') this.#overLimit = true;
    this.#outbox.push(FromWorkerOp.Error, taskId, start, end, wire);
    this.#settledFlush();
  }

  /**
   * A result leaves the worker before anything else can hang or kill it. Sequential: the drain loop flushes before
   * starting the next task (a run of synchronous tasks needs no flush until then). Concurrent: at once — another
   * task's continuation may hold the thread next.
   */
  #settledFlush(): void {
    if (this.#init.mode === 'concurrent') this.#flush();
    else this.#scheduleFlush();
  }

  #maybeClose(): void {
    if (!this.#closing || this.#draining || this.#running !== 0 || this.#inbox.length !== 0) return;
    this.#flush();
    this.#slices?.disable();
    if (isMainThread) {
      // Let the IPC write drain before leaving.
      process.send!([], () => this.#realExit(0));
    } else {
      this.#realExit(0);
    }
  }

  #post4(op: number, a: unknown, b: unknown, c: unknown): void {
    this.#outbox.push(op, a, b, c);
    this.#scheduleFlush();
  }

  #post5(op: number, a: unknown, b: unknown, c: unknown, d: unknown): void {
    this.#outbox.push(op, a, b, c, d);
    this.#scheduleFlush();
  }

  /** Replies go out once per tick at the latest (explicit flushes send them sooner). */
  #scheduleFlush(): void {
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#scheduledFlush);
    }
  }

  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  #flush(): void {
    if (this.#outbox.length === 0) return;
    const batch = this.#outbox;
    this.#outbox = [];
    try {
      this.#channel.send(batch);
    } catch {
      this.#channel.send(this.#replaceUnsendable(batch));
    }
  }

  /** Slow path: find the messages that cannot be cloned; results among them become SerializationErrors. */
  #replaceUnsendable(batch: FromWorkerBatch): FromWorkerBatch {
    const out: FromWorkerBatch = [];
    for (const msg of splitBatch<FromWorkerMessage>(batch, FROM_WORKER_ARITY)) {
      try {
        this.#channel.check(msg);
        out.push(...msg);
      } catch (err) {
        if (msg[0] === FromWorkerOp.Ok) {
          const detail = err instanceof Error ? err.message : String(err);
          out.push(FromWorkerOp.Error, msg[1], msg[2], msg[3], serializeError(serializationError('result', detail)));
        }
      }
    }
    return out;
  }
}

const init = readInit();
new WorkerRuntime(init, isMainThread ? processChannel() : threadChannel()).start().catch((err: unknown) => {
  process.stderr.write(`PoolScope worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
