/**
 * `serial` backend: tasks run in the caller's own process and thread, one at
 * a time — the baseline every speedup is measured against. No worker; the
 * module is imported right here. Arguments and results are structured-cloned
 * as on every other backend (value-model.ts), so what a task receives and
 * returns is the same here as across a thread or process.
 *
 * A timeout here can only reject the task (TaskTimeout): code running on the
 * caller's own thread cannot be stopped from the outside.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { threadId } from 'node:worker_threads';
import { deserializeError, poolBroken, serializationError, serializeError, taskTimeout } from '../errors.js';
import { OutputCapture } from '../log-capture.js';
import { guardMemory } from '../memory.js';
import { TaskModule } from '../module-loader.js';
import { previewValue } from '../preview.js';
import type { Task } from '../task.js';
import { cloneArgs, cloneForTask, isThenable } from '../value-model.js';
import type { PoolBackend, PoolHost } from './backend.js';
import { osThreadId } from '../os-thread.js';

const WORKER_ID = 1;
/** Yield to the event loop after running sync tasks this long, so trace batches still go out. */
const YIELD_AFTER_MS = 10;


function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function errorDetail(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class SerialBackend implements PoolBackend {
  readonly #host: PoolHost;
  readonly #storage = new AsyncLocalStorage<number>();
  readonly #capture: OutputCapture | undefined;
  #module: TaskModule | undefined;
  #running: Task | undefined;
  #busy = false;
  #stopped = false;
  #broken = false;
  /** Ends the memory limit of this pool's tasks (see start()). */
  #unguardMemory: () => void = () => undefined;

  constructor(host: PoolHost) {
    this.#host = host;
    if (host.tracing) {
      this.#capture = new OutputCapture({
        currentTask: () => this.#storage.getStore() ?? -1,
        record: (taskId, stream, text) => host.log(taskId, WORKER_ID, stream, host.now(), text),
        maxBytesPerTask: host.options.maxLogBytesPerTask,
        passThroughOutsideTasks: true,
      });
    }
  }

  start(): void {
    const host = this.#host;
    const spawnedAt = host.now();
    this.#capture?.install();
    // Tasks share the caller's thread and heap: only their Buffers and ArrayBuffers can be told apart (counted while
    // a task's code runs), and only when a limit was asked for — the default does not patch the caller's globals.
    if (host.options.memoryLimitExplicit) {
      this.#unguardMemory = guardMemory(host.options.maxMemoryMb, () => this.#storage.getStore() !== undefined);
    }
    TaskModule.load(host.options.moduleUrl).then(
      (mod) => {
        this.#module = mod;
        const t = host.now();
        host.workerStarted({
          workerId: WORKER_ID, name: host.options.workerName(WORKER_ID), pid: process.pid, threadId,
          tid: osThreadId(), t, startupUs: t - spawnedAt,
        });
        host.schedulePump();
      },
      (err: unknown) => {
        // Importing again would fail the same way (the module record caches the error): broken at once.
        this.#broken = true;
        this.#capture?.uninstall();
        const cause = err instanceof Error ? err : deserializeError(serializeError(err));
        host.broken(poolBroken(cause, 1));
      },
    );
  }

  pump(): void {
    if (this.#busy || !this.#module || this.#stopped || this.#broken) return;
    this.#busy = true;
    this.#runNext(performance.now());
  }

  #runNext(sliceStart: number): void {
    const host = this.#host;
    for (;;) {
      if (this.#stopped) break;
      const task = host.take();
      if (!task) break;
      if (performance.now() - sliceStart > YIELD_AFTER_MS) {
        host.requeue([task]);
        setImmediate(() => this.#runNext(performance.now()));
        return;
      }
      let args: unknown[];
      try {
        args = cloneArgs(task.args);
      } catch (err) {
        // As on a worker backend: the task never starts.
        host.failed(task, -1, -1, host.now(), serializationError('argument', errorDetail(err)));
        continue;
      }
      const start = host.now();
      task.started = true;
      host.started(task, WORKER_ID, start);
      this.#running = task;
      let result: unknown;
      try {
        const fn = this.#module!.get(task.fn);
        result = this.#storage.run(task.taskId, () => fn(...args));
      } catch (err) {
        this.#finish(task, start, false, err);
        continue;
      }
      if (isThenable(result)) {
        if (task.timeoutMs > 0) {
          task.timer = setTimeout(() => {
            host.failed(task, WORKER_ID, start, host.now(), taskTimeout(task.timeoutMs, { workerId: WORKER_ID, pid: process.pid, threadId }));
            this.#next(task);
          }, task.timeoutMs);
        }
        Promise.resolve(result).then(
          (value) => { this.#finish(task, start, true, value); this.#next(task); },
          (err: unknown) => { this.#finish(task, start, false, err); this.#next(task); },
        );
        return;
      }
      this.#finish(task, start, true, result);
    }
    this.#running = undefined;
    this.#busy = false;
  }

  /** Continue after an async task — once, whether it settled or timed out first. */
  #next(task: Task): void {
    if (this.#running !== task) return;
    this.#running = undefined;
    this.#runNext(performance.now());
  }

  #finish(task: Task, start: number, ok: boolean, value: unknown): void {
    const host = this.#host;
    const end = host.now();
    this.#capture?.taskEnded(task.taskId);
    if (ok) {
      let copy: unknown;
      try {
        copy = cloneForTask(value);
      } catch (err) {
        const error = serializationError('result', errorDetail(err));
        host.failed(task, WORKER_ID, start, end, error, serializeError(error));
        return;
      }
      // An object is previewed now: the caller may change it once the promise resolves (primitives: by the trace sink).
      host.succeeded(task, WORKER_ID, start, end, copy, host.tracing && isObject(copy) ? previewValue(copy) : '');
    } else {
      // The caller gets the error rebuilt from its wire form, as from a worker (name, message, stack, data, cause).
      const wire = serializeError(value);
      host.failed(task, WORKER_ID, start, end, deserializeError(wire), wire);
    }
  }

  cancel(task: Task): void {
    // The running task cannot be interrupted on our own thread: it is abandoned and the next one starts.
    if (this.#running === task) this.#next(task);
  }

  async shutdown(): Promise<void> {
    this.#stop('idle');
  }

  async terminate(error: Error): Promise<void> {
    const running = this.#running;
    this.#stop('killed');
    if (running) {
      running.markHandled();
      this.#host.failed(running, WORKER_ID, -1, this.#host.now(), error);
    }
  }

  #stop(reason: 'idle' | 'killed'): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#running = undefined;
    this.#capture?.uninstall();
    this.#unguardMemory();
    if (this.#module) this.#host.workerExited(WORKER_ID, 0, null, reason);
  }
}

export function createSerialBackend(host: PoolHost): PoolBackend {
  return new SerialBackend(host);
}
