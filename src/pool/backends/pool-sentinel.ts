/**
 * Process workers must not outlive the pool's process — also when it is SIGKILLed, and also while a task spins
 * (the IPC channel's 'disconnect' only reaches a worker whose main thread is free).
 *
 * Each process worker used to run a watchdog thread that polled its parent pid. A Node thread's bootstrap costs
 * 60–100 ms of CPU on the project's 2-core VM — per worker, on the pool's start-up path (a worker must not report
 * ready before its watchdog runs: started later, it took those cores from the first tasks).
 *
 * A pool sentinel does the same for the whole pool at the cost of one `sh` (~1 ms): it blocks reading a pipe whose
 * only write end is held by the pool's process. When that process dies, however it dies, the kernel closes the
 * pipe, `read` sees its end, and the sentinel becomes Node (exec) to end everything that carries the pool's mark —
 * the workers, their process groups, whatever their tasks started (descendants.ts). A pool that ends normally
 * writes `closed` first, and the sentinel exits without touching anything.
 *
 * Linux only: the marks are read from /proc/<pid>/environ. Elsewhere (and where `sh` cannot be started) the
 * workers keep their own watchdog thread (worker-runtime.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { canScanProcesses } from '../descendants.js';

const SHELL = '/bin/sh';
/** close(): how long the sentinel may take to read `closed` and exit before it is killed. */
const EXIT_GRACE_MS = 2000;

/** `$0`: Node, `$1`: KILL_SOURCE, `$2`: the pool's mark variable. `read` fails at end of input: the pool is gone. */
const SCRIPT = 'IFS= read -r line; [ "$line" = closed ] && exit 0; exec "$0" -e "$1" "$2"';

/**
 * What the sentinel runs (CommonJS, `node -e`) once the pool's process is gone: SIGKILL every process whose
 * environment carries the mark — its process group first (a worker leads its own), then itself — until a pass
 * finds none (one may fork while we look).
 */
const KILL_SOURCE = `
const { readdirSync, readFileSync } = require('node:fs');
const variable = process.argv[1];
const inside = Buffer.from('\\0' + variable + '=1\\0');
const first = Buffer.from(variable + '=1\\0');
for (let round = 0; round < 5; round++) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = readFileSync('/proc/' + name + '/environ');
      if (env.includes(inside) || env.subarray(0, first.length).equals(first)) pids.push(Number(name));
    } catch {}
  }
  if (pids.length === 0) break;
  for (const pid of pids) {
    try { process.kill(-pid, 'SIGKILL'); } catch {}
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
}
`;

/** True where a sentinel can do its job: `sh` to start and /proc to find the marked processes. */
export function canUseSentinel(): boolean {
  return process.platform === 'linux' && existsSync(SHELL) && canScanProcesses();
}

export class PoolSentinel {
  readonly #markVariable: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #closed = false;

  /** `markVariable`: the variable every worker of the pool carries (markVariable(poolMark(runId))). */
  constructor(markVariable: string) {
    this.#markVariable = markVariable;
  }

  /** Starts the sentinel; a second call while it runs does nothing. */
  start(): void {
    if (this.#child || this.#closed) return;
    const child = spawn(SHELL, ['-c', SCRIPT, process.execPath, KILL_SOURCE, this.#markVariable], {
      // Its own process group: a signal to the pool's group (Ctrl+C, a parent killing the runner's group) must leave
      // it alive to clean up after the workers, which lead groups of their own.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.#child = child;
    // Never keeps the pool's process alive; its end is exactly what the sentinel waits for.
    child.unref();
    (child.stdin as unknown as { unref?(): void } | null)?.unref?.();
    // EPIPE when it is gone before close() writes: nothing to do then.
    child.stdin?.on('error', () => {});
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      // A failed spawn: the pool runs without a sentinel, as it would on a platform without one.
      child.once('error', () => resolve());
    });
    child.once('exit', () => {
      // Killed by someone else while the pool runs (not by us): start another, so the workers stay covered.
      if (this.#child === child && !this.#closed) {
        this.#child = undefined;
        this.start();
      }
    });
  }

  /** The pool has ended its workers: the sentinel exits without killing anything. Resolves once it is gone. */
  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    if (!child) return;
    child.stdin?.end('closed\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}
