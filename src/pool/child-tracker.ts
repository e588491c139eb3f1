/**
 * Thread workers: records the pid of every child process task code starts, in
 * memory shared with the pool. Those children belong to the pool's process,
 * so nothing else would stop them when the worker ends; the pool reads the
 * pids (even after the thread was terminated mid-task) and kills them.
 * Slot 0 holds the count. Patching here affects this thread only: each thread
 * has its own module instances.
 *
 * Loading node:child_process costs a worker 1.5–3.5 ms of start-up, and most
 * task modules never use it. So the patch goes in the moment the module is
 * loaded by anything: `check()` runs before every task (and after the task
 * module loaded) and only compares the length of `process.moduleLoadList`.
 * The one case this misses: a task that itself first loads child_process
 * (dynamic import) and spawns in the same call — from its next task on, its
 * children are tracked.
 */
import type { ChildProcess } from 'node:child_process';

/** Entry of `process.moduleLoadList` once node:child_process was loaded (ESM import or require). */
const CHILD_PROCESS_ENTRY = 'NativeModule internal/child_process';

export class ChildProcessTracker {
  readonly #pids: Int32Array;
  /** Entries of process.moduleLoadList already looked at; −1 once patched. */
  #seen = 0;
  readonly #loadList: readonly string[] | undefined;

  constructor(pids: Int32Array) {
    this.#pids = pids;
    this.#loadList = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;
    // Without the load list (a future Node), patch up front: slower start, same guarantee.
    if (!Array.isArray(this.#loadList)) this.#patch();
  }

  /** Patches ChildProcess if node:child_process was loaded since the last look. */
  check(): void {
    const list = this.#loadList;
    if (this.#seen < 0 || list === undefined || list.length === this.#seen) return;
    for (let i = this.#seen; i < list.length; i++) {
      if (list[i] === CHILD_PROCESS_ENTRY) {
        this.#patch();
        return;
      }
    }
    this.#seen = list.length;
  }

  #patch(): void {
    this.#seen = -1;
    const pids = this.#pids;
    // Already loaded (or about to be anyway): require is a cache hit. dist/worker.js is CommonJS, so `require` is there.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ChildProcess: ChildProcessClass } = require('node:child_process') as typeof import('node:child_process');
    // `spawn` is on the prototype (every spawn/fork/exec goes through it) but not in the typings.
    const proto = ChildProcessClass.prototype as unknown as { spawn: (this: ChildProcess, ...args: unknown[]) => unknown };
    const spawn = proto.spawn;
    proto.spawn = function (this: ChildProcess, ...args: unknown[]) {
      const result = spawn.apply(this, args);
      const pid = this.pid;
      if (pid !== undefined) {
        const i = Atomics.add(pids, 0, 1) + 1;
        if (i < pids.length) Atomics.store(pids, i, pid);
      }
      return result;
    };
  }
}
