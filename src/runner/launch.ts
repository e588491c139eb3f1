/**
 * Spawns a runner child process and talks to it over IPC. The CLI and the
 * extension host both launch runners through this function, so both start
 * them the same way: on the Node that launched the parent (in VS Code desktop
 * that is Electron, hence `ELECTRON_RUN_AS_NODE=1`; in code-server and the CLI
 * it is plain Node) or on `nodePath`, with source maps on, so every stack
 * trace from user code points at the user's `.ts` lines — in the runner and,
 * by inheritance of `execArgv`, in its worker threads and forked workers.
 */
import { parseFromRunner } from './runner-messages.js';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killMarked, markVariable, newMark } from '../pool/descendants.js';
import { canUseSentinel, MarkSentinel } from '../pool/mark-sentinel.js';
import { expandTraceColumns, type TraceColumns } from '../common/trace-columns.js';
import { PARENT_SENTINEL_ENV, type PrepareRequest, type RunnerMessage, type RunRequest } from './protocol.js';

export interface LaunchOptions {
  /** What to run. Sent to the runner as soon as it is spawned. */
  request: RunRequest;
  /** Every message from the runner, in order. */
  onMessage: (message: RunnerMessage) => void;
  /**
   * Trace batches in the columnar wire format (src/common/trace-columns.ts), validated, instead of as
   * `events` messages: for a parent that stores them without an object per task (the CLI). Worker-start and
   * other whole events are in `columns.events`.
   */
  onColumns?: (columns: TraceColumns) => void;
  /** Working directory of the runner (relative paths in user code resolve against it). */
  cwd?: string;
  /** Node binary to run the runner on. @default process.execPath */
  nodePath?: string;
  /** The runner bundle. @default dist/runner.js next to this bundle */
  runnerPath?: string;
  /** Environment of the runner. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * `inherit`: the runner's stdout/stderr are the parent's (CLI).
   * `pipe`: they go to `onOutput` (extension host).
   * @default 'inherit'
   */
  stdio?: 'inherit' | 'pipe';
  /** Output of the runner's own process (Run File's `console.log`, serial tasks), with `stdio: 'pipe'`. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** A runner message that failed validation (runner-messages.ts) and was dropped. */
  onRejected?: (raw: unknown) => void;
  /** After `stop()`, how long the runner gets to stop its pools before it is killed. @default 2000 */
  stopGraceMs?: number;
  /**
   * Keep a runner forked ahead for the next launch with the same options, and use the one kept by the last
   * launch (see SPARE_IDLE_MS). For a parent that runs again and again (the extension). @default false
   */
  warm?: boolean;
  /**
   * With `warm`: after a run that went through, the spare also starts the same pool with the module loaded, so the
   * next click of the same function starts its tasks at once. The module's top-level code runs again there, before
   * any click (as it would at the next one); false keeps spares plain: Node and the runner up, no user code.
   * @default true
   */
  startPoolAhead?: boolean;
}

/** Names the run mark in the runner's environment (the variable itself is `markVariable(mark)`). */
export const RUN_MARK_ENV = 'POOLSCOPE_RUN_MARK';

/** How a runner ended. */
export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The runner's `done` message, when it finished normally. */
  done?: Extract<RunnerMessage, { type: 'done' }>;
  /** True when the runner exited without sending `done` and without being stopped. */
  crashed: boolean;
  /** True when `stop()` was called. */
  stopped: boolean;
  /** The runner could not be started at all (e.g. `nodePath` does not exist): the spawn error. */
  spawnError?: { code?: string; message: string };
}

export interface RunnerHandle {
  /** PID of the runner process. */
  readonly pid: number | undefined;
  /** Resolves once the runner process has exited (never rejects). */
  readonly done: Promise<RunnerExit>;
  /** Asks the runner to stop (it terminates its pools), kills it after the grace period; resolves when it exited. */
  stop(): Promise<RunnerExit>;
  /**
   * Kills the runner and everything of its run now, synchronously (SIGKILL: its process group, the process
   * workers it reported and their groups, every process carrying the run's mark). For a parent that is about
   * to exit itself (a second Ctrl-C, an internal error).
   */
  kill(): void;
}

/** Is `pid` alive and (where /proc can tell) one of this run's processes? Guards against recycled pids. */
function isRunProcess(pid: number, mark: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`);
    return env.includes(Buffer.from(`${markVariable(mark)}=1\0`));
  } catch (err) {
    // No /proc (not Linux): trust the pid while it exists.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && process.platform !== 'linux') {
      try { process.kill(pid, 0); return true; } catch { return false; }
    }
    return false;
  }
}

/** Runners launched by this process that have not exited yet. */
const liveRunners = new Set<RunnerHandle>();

/** Kills every runner this process launched and everything of their runs (see RunnerHandle.kill), synchronously. */
export function killAllRunners(): void {
  for (const runner of liveRunners) runner.kill();
  disposeSpareRunners();
}

function signalGroupAndLeader(pid: number): void {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* not a group leader, or gone */ }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** The runner bundle next to the running bundle (cli.js and extension.js both live in dist/). */
export function defaultRunnerPath(): string {
  return join(__dirname, 'runner.js');
}

/** Room for the runner's own work (events, bundling) on top of the user's per-worker limit. */
const RUNNER_HEAP_HEADROOM_MB = 256;

/**
 * Run File's main program runs in the runner itself (and a script's own serial pools), so --max-memory bounds
 * the runner's heap too, or runaway allocation there would eat the machine before anything stops it: the limit
 * plus room for the runner's own work. Without the flag the runner keeps Node's own heap limit (a large run's
 * trace lives there); the workers get the engine's default (src/pool/memory.ts).
 */
function runnerHeapLimit(request: RunRequest): string[] {
  return request.maxMemoryMb ? [`--max-old-space-size=${request.maxMemoryMb + RUNNER_HEAP_HEADROOM_MB}`] : [];
}

/**
 * Spawns a runner for `options.request`.
 *
 * @example
 * const runner = launchRunner({ request, onMessage: (m) => console.log(m.type) });
 * const exit = await runner.done; // { code: 0, done: { ok: true, … }, crashed: false, stopped: false }
 */
export function launchRunner(options: LaunchOptions): RunnerHandle {
  const stdio = options.stdio ?? 'inherit';
  const key = options.warm ? spareKey(options) : undefined;
  const { child, runMark, launchedAtMs } = (key !== undefined ? takeSpare(key) : undefined) ?? forkRunner(options);
  const runnerPid = child.pid;
  /** Process workers the runner reported (worker-start), alive as far as we know: killed with their groups if it dies. */
  const workerPids = new Set<number>();
  let runnerGone = false;

  const killRun = (): void => {
    if (runnerPid !== undefined && !runnerGone) signalGroupAndLeader(runnerPid);
    for (const pid of workerPids) if (isRunProcess(pid, runMark)) signalGroupAndLeader(pid);
    killMarked(runMark, launchedAtMs);
  };

  let doneMessage: RunnerExit['done'];
  let spawnError: RunnerExit['spawnError'];
  /** The bundle this run ran (its content hash is in the name), for the spare's pool started ahead. */
  let bundleUrl: string | undefined;
  let loadFailed = false;
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;

  const noteWorkers = (batch: readonly { type: string; pid?: number; workerId?: number }[]): void => {
    for (const event of batch) {
      if (event.type === 'worker-start' && event.pid !== undefined && event.pid !== runnerPid && event.pid > 0) workerPids.add(event.pid);
    }
  };
  child.on('message', (raw: unknown) => {
    // User code runs in the runner: a message of the wrong shape is dropped, never acted on.
    const message = parseFromRunner(raw);
    if (!message) {
      options.onRejected?.(raw);
      return;
    }
    if (message.type === 'trace-columns') {
      // parseFromRunner checked the batch. A parent that takes columns gets them as they came; any other, events.
      noteWorkers(message.columns.events);
      if (options.onColumns) options.onColumns(message.columns);
      else options.onMessage({ type: 'events', batch: expandTraceColumns(message.columns) });
      return;
    }
    if (message.type === 'events') noteWorkers(message.batch);
    if (message.type === 'done') doneMessage = message;
    if (message.type === 'bundled') bundleUrl = message.url;
    if (message.type === 'load-error') loadFailed = true;
    options.onMessage(message);
  });
  if (stdio === 'pipe') {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => options.onOutput?.('stdout', text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => options.onOutput?.('stderr', text));
  }

  const done = new Promise<RunnerExit>((resolve) => {
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      resolve({ code, signal, done: doneMessage, crashed: !doneMessage && !stopped && !spawnError, stopped, spawnError });
    };
    child.on('exit', (code, signal) => {
      runnerGone = true;
      // A runner that exits normally has killed what its run left (runner.ts, on its way out). Otherwise (killed,
      // crashed, stopped by force, its watchdog) whatever it left is ours to end: its own process group, the
      // process workers it reported and their groups, and every process still carrying the run's mark (Linux).
      if (code !== null && signal === null) return;
      if (runnerPid !== undefined) try { process.kill(-runnerPid, 'SIGKILL'); } catch { /* group gone */ }
      for (const pid of workerPids) if (isRunProcess(pid, runMark)) signalGroupAndLeader(pid);
      killMarked(runMark, launchedAtMs);
    });
    // 'exit' can come before the last IPC messages are read; 'close' waits for the channel.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('error', (err: NodeJS.ErrnoException) => {
      // A failed spawn has no pid and may never emit 'close'.
      if (child.pid === undefined) {
        spawnError = { code: err.code, message: `cannot start the runner with ${options.nodePath ?? process.execPath}: ${err.message}` };
        finish(null, null);
      }
    });
  });

  if (child.connected) child.send(options.request);

  const handle: RunnerHandle = {
    pid: child.pid,
    done,
    stop(): Promise<RunnerExit> {
      if (!stopped && child.exitCode === null && child.signalCode === null) {
        stopped = true;
        if (child.connected) child.send({ type: 'stop' }, (err) => { if (err) child.kill('SIGKILL'); });
        else child.kill('SIGKILL');
        killTimer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 2000);
        killTimer.unref();
      }
      return done;
    },
    kill: killRun,
  };
  liveRunners.add(handle);
  void done.then(() => {
    liveRunners.delete(handle);
    // The next run of the same kind starts on a runner that is already up (Node started, runner loaded), and
    // after a run that went through, with the same pool's workers started (run-session.ts, PreparedPool).
    if (key !== undefined && !spares.has(key) && !failedSpareKeys.has(key)) {
      const prepare: PrepareRequest | undefined = options.startPoolAhead !== false && doneMessage && !stopped && !loadFailed && bundleUrl !== undefined
        ? { type: 'prepare', request: options.request, bundleUrl } : undefined;
      keepSpare(key, options, prepare);
    }
  });
  return handle;
}

/** A forked runner process with its run mark (every process of the run inherits it: descendants.ts). */
interface ForkedRunner {
  child: ChildProcess;
  runMark: string;
  launchedAtMs: number;
}

function forkRunner(options: Omit<LaunchOptions, 'onMessage'>): ForkedRunner {
  const stdio = options.stdio ?? 'inherit';
  const runMark = newMark();
  const launchedAtMs = Date.now();
  const nodePath = options.nodePath ?? process.execPath;
  // If this process dies (the editor or the CLI killed), the sentinel ends the runner and everything of its run
  // (mark-sentinel.ts). Without one (not Linux) the runner watches for that itself (orphan-guard.ts).
  const sentinel = canUseSentinel() ? new MarkSentinel(markVariable(runMark), nodePath) : undefined;
  sentinel?.start();
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1', [RUN_MARK_ENV]: runMark, [markVariable(runMark)]: '1' };
  if (sentinel) env[PARENT_SENTINEL_ENV] = '1';
  else delete env[PARENT_SENTINEL_ENV];
  const child: ChildProcess = fork(options.runnerPath ?? defaultRunnerPath(), [], {
    cwd: options.cwd,
    execPath: nodePath,
    execArgv: ['--enable-source-maps', ...runnerHeapLimit(options.request)],
    env,
    stdio: stdio === 'inherit' ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
    // Its own session and process group: a task's kill(0) hits the runner, never the user's shell or editor,
    // and Ctrl-C reaches only the parent, which decides (stop, then kill).
    detached: true,
  });
  // Its watch ends with the runner: by then the parent has ended what the run left, or the runner did.
  if (sentinel) {
    if (child.pid === undefined) void sentinel.close();
    else child.once('exit', () => { void sentinel.close(); });
  }
  return { child, runMark, launchedAtMs };
}

/**
 * Warm start (`warm: true`, the extension): after a run, a runner is forked for the next one with the same
 * launch options and waits for its request. A second click then skips Node's start-up and the runner bundle's
 * load. After a run that went through (no load error, not stopped), the spare is also asked to `prepare` the
 * same request: on a thread-based backend it starts that pool ahead (workers up, the user's module loaded in
 * them — the bundle the run just ran, never a newer one) and holds it for the next request, which uses it if it
 * fits (same bundle, backend, size, limits; run-session.ts, PreparedPool) and ends it otherwise. Before that
 * `prepare`, a spare runs no pool and no user code. A spare that idles for SPARE_IDLE_MS is ended; it also exits
 * by itself when its parent goes away (its IPC channel closes); `refreshSpareRunners()` (a file saved) replaces
 * spares holding a pool by plain ones, `disposeSpareRunners()` (settings changed, deactivation) ends them all.
 */
export const SPARE_IDLE_MS = 10 * 60_000;

type SpareOptions = Omit<LaunchOptions, 'onMessage' | 'onColumns' | 'onOutput' | 'onRejected'>;

interface SpareRunner extends ForkedRunner {
  timer: NodeJS.Timeout;
  /** How it was forked (no callbacks: they belong to the run that left it). */
  options: SpareOptions;
  /** It was asked to start a pool ahead. */
  prepared: boolean;
  /** It said that pool's workers are all ready (`prepared` message). */
  ready: boolean;
  detach?: () => void;
}

const spares = new Map<string, SpareRunner>();
/** Launch keys whose spare could not start (a bad nodePath): no more spares for them; other keys still get theirs. */
const failedSpareKeys = new Set<string>();

/** Launches that can share a spare: same runner, Node, directory, heap limit and stdio. A custom env never does. */
function spareKey(options: LaunchOptions): string | undefined {
  if (options.env) return undefined;
  return JSON.stringify([options.runnerPath ?? defaultRunnerPath(), options.nodePath ?? process.execPath, options.cwd ?? '',
    runnerHeapLimit(options.request), options.stdio ?? 'inherit']);
}

function keepSpare(key: string, launch: SpareOptions, prepare?: PrepareRequest): void {
  const options: SpareOptions = { request: launch.request, cwd: launch.cwd, nodePath: launch.nodePath, runnerPath: launch.runnerPath, env: launch.env, stdio: launch.stdio, warm: launch.warm };
  const forked = forkRunner(options);
  const { child } = forked;
  // A failed spawn emits 'error' later; nobody may be listening then.
  child.on('error', () => { failedSpareKeys.add(key); });
  if (child.pid === undefined) {
    failedSpareKeys.add(key);
    return;
  }
  if (prepare && child.connected) child.send(prepare, (err) => { if (err) disposeSpare(key); });
  const spare: SpareRunner = {
    ...forked, timer: setTimeout(() => disposeSpare(key), SPARE_IDLE_MS), options, prepared: prepare !== undefined && child.connected, ready: false,
  };
  // Until a launch takes it, the spare says only whether its pool started ahead is ready (tests and the bench wait on it).
  const onPrepared = (raw: unknown): void => {
    const message = parseFromRunner(raw);
    if (message?.type === 'prepared') spare.ready = message.ok;
  };
  child.on('message', onPrepared);
  spare.detach = () => child.off('message', onPrepared);
  spare.timer.unref();
  // An idle runner must not keep the parent alive.
  child.unref();
  (child as unknown as { channel?: { unref(): void } }).channel?.unref();
  child.once('exit', () => { if (spares.get(key) === spare) spares.delete(key); });
  spares.set(key, spare);
}

function takeSpare(key: string): ForkedRunner | undefined {
  const spare = spares.get(key);
  if (!spare) return undefined;
  spares.delete(key);
  clearTimeout(spare.timer);
  spare.detach?.();
  const { child } = spare;
  if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
    child.kill('SIGKILL');
    return undefined;
  }
  child.ref();
  (child as unknown as { channel?: { ref(): void } }).channel?.ref();
  return spare;
}

function disposeSpare(key: string): void {
  const spare = spares.get(key);
  if (!spare) return;
  spares.delete(key);
  clearTimeout(spare.timer);
  signalGroupAndLeader(spare.child.pid!);
}

/**
 * Replaces every spare runner that holds a pool started ahead by a plain one (runner up, no pool, no user code):
 * for a parent that saw a file change (the extension, on save). A spare would not use a pool of another bundle
 * anyway (PreparedPool checks the content hash); this ends its workers now instead of at the next request.
 */
export function refreshSpareRunners(): void {
  for (const [key, spare] of [...spares]) {
    if (!spare.prepared) continue;
    disposeSpare(key);
    keepSpare(key, spare.options);
  }
}

/** Ends every spare runner (the extension's deactivation, a settings change; killAllRunners). */
export function disposeSpareRunners(): void {
  for (const key of [...spares.keys()]) disposeSpare(key);
}

/** PIDs of the spare runners waiting now (tests, diagnostics). */
export function spareRunnerPids(): number[] {
  return [...spares.values()].map((s) => s.child.pid!);
}

/** PIDs of the spare runners whose pool started ahead has every worker ready (tests, the bench). */
export function readySpareRunnerPids(): number[] {
  return [...spares.values()].filter((s) => s.ready).map((s) => s.child.pid!);
}

/** PIDs of the spare runners that were asked to start a pool ahead (tests, diagnostics). */
export function preparedSpareRunnerPids(): number[] {
  return [...spares.values()].filter((s) => s.prepared).map((s) => s.child.pid!);
}
