/**
 * A mark sentinel ends every process that carries a mark (descendants.ts) once the process that started the
 * sentinel dies — however it dies, SIGKILL included, and whatever those processes are doing (a task that spins
 * never hears its IPC channel close).
 *
 * Used for a process pool's workers (the pool's mark; backends/process.ts) and for a runner and everything of its
 * run (the run's mark; runner/launch.ts, in the CLI or the extension host). Both used to be a watchdog thread in
 * the watched process, polling its parent pid: a Node thread's bootstrap costs 60–100 ms of CPU on the project's
 * 2-core VM, per process worker and per runner, on the way to the first task.
 *
 * A sentinel costs one `sh` (~1 ms): it blocks reading a pipe whose only write end is held by its owner. When the
 * owner dies the kernel closes the pipe, `read` sees its end, and the sentinel becomes Node (exec) to SIGKILL
 * every marked process, each with its process group first (workers and runners lead their own). An owner that
 * ends what it watched normally writes `closed` first, and the sentinel exits without touching anything.
 *
 * Linux only: the marks are read from /proc/<pid>/environ. Elsewhere (and where `sh` cannot be started) the
 * watched processes keep their watchdog thread (worker-runtime.ts, runner/orphan-guard.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { canScanProcesses, KILL_MARKED_SOURCE } from './descendants.js';

const SHELL = '/bin/sh';
/** close(): how long the sentinel may take to read `closed` and exit before it is killed. */
const EXIT_GRACE_MS = 2000;

/** `$0`: Node, `$1`: KILL_SOURCE, `$2`: the mark's variable. `read` fails at end of input: the owner is gone. */
const SCRIPT = 'IFS= read -r line; [ "$line" = closed ] && exit 0; exec "$0" -e "$1" "$2"';

/** What the sentinel runs (CommonJS, `node -e`) once its owner is gone; argv[1] is the mark's variable. */
const KILL_SOURCE = `${KILL_MARKED_SOURCE}\nkillMarkedSync(process.argv[1]);\n`;

/** True where a sentinel can do its job: `sh` to start and /proc to find the marked processes. */
export function canUseSentinel(): boolean {
  return process.platform === 'linux' && existsSync(SHELL) && canScanProcesses();
}

export class MarkSentinel {
  readonly #markVariable: string;
  readonly #nodePath: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #closed = false;

  /** `markVariable`: the variable every watched process carries (markVariable(mark)); `nodePath`: Node to exec. */
  constructor(markVariable: string, nodePath = process.execPath) {
    this.#markVariable = markVariable;
    this.#nodePath = nodePath;
  }

  /** Starts the sentinel; a second call while it runs does nothing. */
  start(): void {
    if (this.#child || this.#closed) return;
    const child = spawn(SHELL, ['-c', SCRIPT, this.#nodePath, KILL_SOURCE, this.#markVariable], {
      // Its own process group: a signal to its owner's group (Ctrl+C, a parent killing the runner's group) must
      // leave it alive to clean up after the watched processes, which lead groups of their own.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // In VS Code desktop the extension host's Node is Electron's binary: as Node, not as an app.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.#child = child;
    // Never keeps its owner's process alive: that process's end is exactly what the sentinel waits for.
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
      // Killed by someone else while its owner runs (not closed by it): start another, so the watch goes on.
      if (this.#child === child && !this.#closed) {
        this.#child = undefined;
        this.start();
      }
    });
  }

  /** The owner has ended what it watched: the sentinel exits without killing anything. Resolves once it is gone. */
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
