/**
 * The runner process (dist/runner.js): forked by `launchRunner()` for the CLI
 * and the extension host, it receives one `RunRequest` over IPC, runs it (see
 * run-session.ts), streams trace events to its parent, sends `done` and exits.
 *
 * It never outlives its parent: when the IPC channel closes it terminates its
 * pools and exits (forked workers exit when their own channel closes). It
 * never hangs on an error: anything uncaught is reported, then it exits.
 */
import { PARENT_SENTINEL_ENV, type FromRunner, type RunRequest, type ToRunner } from './protocol.js';
import { parseToRunner } from './runner-messages.js';
import { toTaskError } from './error-location.js';
import { PreparedPool, RunSession } from './run-session.js';
import { PythonSession, isPythonFile } from './python/session.js';
import { monotonicUs, performanceOffsetUs } from '../pool/clock.js';
import { startOrphanGuard } from './orphan-guard.js';
import { inputSource } from './inputs.js';
import { killMarked } from '../pool/descendants.js';
import { guardParentSignals } from '../pool/kill-guard.js';

/** When this process started, on the run clock's time base (for start-up timing). */
const runnerStartMonoUs = performanceOffsetUs();

process.setSourceMapsEnabled(true);

/** Our own exit; user code's `process.exit` is intercepted while a request runs (see below). */
const exitRunner = process.exit.bind(process) as (code?: number) => never;
const realProcessExit = process.exit;
/** The run's mark (launch.ts sets it): every process this run started carries it, whatever group it is in. */
const runMark = process.env.POOLSCOPE_RUN_MARK;
// Nothing of the run outlives the runner: children of serial tasks and of the main program, and whatever escaped
// a worker's group, still carry the run's mark (Linux; descendants.ts). Every way out but a signal passes here,
// a script's own process.exit() in Run File included.
process.on('exit', () => {
  if (runMark) try { killMarked(runMark, Math.floor(performance.timeOrigin)); } catch { /* best effort: the parent scans if we die */ }
});

/** How long pools get to terminate when the parent is gone or a stop was asked for. */
const SHUTDOWN_GRACE_MS = 1000;

let session: RunSession | PythonSession | undefined;
/** A spare runner's pool started ahead for the request it expects (`prepare`, run-session.ts). */
let prepared: PreparedPool | undefined;
let exiting = false;

/** Messages handed to the IPC channel and not yet written to it (a parent slower than the run: the CLI at scale). */
let unsent = 0;
/** A run submits more inputs only while the backlog is at most this (run-session.ts): the parent sets the pace. */
const IPC_BACKLOG_LOW = 8;
const drainWaiters: (() => void)[] = [];

function send(message: FromRunner): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    unsent++;
    process.send(message, undefined, {}, () => {
      unsent--;
      if (unsent <= IPC_BACKLOG_LOW && drainWaiters.length) for (const wake of drainWaiters.splice(0)) wake();
      resolve();
    });
  });
}

/** What RunSession needs to keep its input stream from outrunning the parent (see MAX_IPC_BACKLOG there). */
const ipcBacklog = {
  unsent: (): number => unsent,
  drained: (): Promise<void> => (unsent <= IPC_BACKLOG_LOW || !process.connected ? Promise.resolve() : new Promise((resolve) => drainWaiters.push(resolve))),
};

/**
 * Upper bound for handing the last messages to a slow parent. Exiting earlier loses
 * whatever is still queued on the IPC channel (seen: a parent that spends ~5 ms per
 * message lost the last 20-50 % of a 10 000-task run's events and its `done`).
 */
const FLUSH_TIMEOUT_MS = 30_000;

/** The one way out, once started: a later call (the run ending while a stop is under way) waits for it. */
let shuttingDown: Promise<never> | undefined;

function shutdown(code: number, final?: FromRunner): Promise<never> {
  shuttingDown ??= endRun(code, final);
  return shuttingDown;
}

async function endRun(code: number, final?: FromRunner): Promise<never> {
  exiting = true;
  // The pools get a grace period to stop; past it we go on without them — and still send `final`, so the
  // parent hears how the run ended however slow the machine (what is left of the run dies with us: see 'exit').
  let grace: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all([session?.stop().catch(() => undefined), prepared?.stop()]),
    new Promise((resolve) => { grace = setTimeout(resolve, SHUTDOWN_GRACE_MS); }),
  ]);
  clearTimeout(grace);
  // What is left is flushing: `send` resolves once `final` — and so everything queued before it — is written.
  if (final) {
    const flushed = setTimeout(() => exitRunner(code), FLUSH_TIMEOUT_MS);
    flushed.unref();
    await send(final);
  }
  return exitRunner(code);
}

/**
 * In the runner, `process.exit` from user code (a serial task, an import-time
 * call) would end the whole run without a word; make it a thrown, named error
 * instead so that one task fails. In workers it stays real: the pool reports
 * the exit as WorkerCrashed.
 */
function interceptProcessExit(): void {
  process.exit = ((code?: number | string | null) => {
    const err = new Error(`process.exit(${code ?? ''}) was called in the runner process; a task cannot end the run`);
    err.name = 'ProcessExitCalled';
    throw err;
  }) as typeof process.exit;
}

process.on('message', (raw: unknown) => {
  let message: ToRunner;
  try {
    message = parseToRunner(raw);
  } catch (e) {
    // A request the runner cannot act on ends the run with the named error (InvalidRunRequest) instead of a hang;
    // once a run is going, a stray message is ignored, and so is a bad `prepare` (it only asks for a head start).
    if (!session && !(typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'prepare')) void shutdown(1, { type: 'load-error', error: { name: (e as Error).name, message: (e as Error).message } });
    return;
  }
  if (message.type === 'stop') {
    void shutdown(0, session?.doneMessage());
    return;
  }
  if (message.type === 'prepare') {
    if (!session && !prepared && !exiting) {
      // The user's module is imported here ahead of the request: the same guards as for a run (see below).
      if (message.request.mode !== 'file') interceptProcessExit();
      guardParentSignals();
      startGuardOnce();
      prepared = new PreparedPool(message.request, message.bundleUrl, (ok) => { if (!session) void send({ type: 'prepared', ok }); });
    }
    return;
  }
  if (session) return;
  const request = message;
  // A .py file runs in a Python runner of its own (src/runner/python/); everything else in this process.
  session = isPythonFile(request.file)
    ? new PythonSession(withInputList(request), (m) => { void send(m); })
    : new RunSession(request, (m) => { void send(m); }, { runnerStartMonoUs, requestMonoUs: monotonicUs() }, ipcBacklog, prepared);
  // A Python request has no use for a Node pool started ahead.
  if (isPythonFile(request.file)) void prepared?.stop();
  else prepared = undefined;
  if (request.mode !== 'file') interceptProcessExit();
  // A spare that prepared a Run Function run intercepted it; Run File's script may end the run with it.
  else process.exit = realProcessExit;
  // The main program and a script's own serial tasks run here: their process.kill cannot reach our parent.
  guardParentSignals();
  // Off the start-up path: the guard matters only once user code runs.
  setImmediate(startGuardOnce);
  session.run().then(
    (done) => shutdown(0, done),
    (e) => shutdown(1, { type: 'load-error', error: { ...toTaskError(e), name: 'RunnerCrashed' } }),
  );
});

// The parent went away (closed, crashed, killed): take the workers down with us.
process.on('disconnect', () => {
  for (const wake of drainWaiters.splice(0)) wake();
  void shutdown(0);
});
// Ctrl-C in a terminal reaches the whole process group; the parent decides (it sends stop).
process.on('SIGINT', () => undefined);

// User code that throws or rejects outside a task (a stray timer, a forgotten promise):
// report it and end the run rather than hang or die silently.
process.on('uncaughtException', (e) => {
  void send({ type: 'main-error', error: toTaskError(e) }).then(() => shutdown(1, session?.doneMessage()));
});
process.on('unhandledRejection', (e) => {
  void send({ type: 'main-error', error: toTaskError(e) }).then(() => shutdown(1, session?.doneMessage()));
});

if (!process.send) {
  process.stderr.write('poolscope runner: this is the runner process; start it through launchRunner() or the poolscope CLI\n');
  exitRunner(2);
}

let orphanGuardStarted = false;
const parentKeepsSentinel = process.env[PARENT_SENTINEL_ENV] === '1';
// Not inherited: a runner started by this run's code (a nested run) is watched by a sentinel of its own, or not.
delete process.env[PARENT_SENTINEL_ENV];
/** The orphan guard thread, once per runner (a spare starts it at `prepare`, a runner at its request). */
function startGuardOnce(): void {
  if (orphanGuardStarted) return;
  orphanGuardStarted = true;
  // Our parent's mark sentinel (launch.ts) ends us and our run if the parent dies: no thread of our own needed.
  if (!parentKeepsSentinel) startOrphanGuard();
}

/** The Python runner takes its inputs as a list: a compact `inputRange` is expanded for it. */
function withInputList(request: RunRequest): RunRequest {
  if (request.inputRange === undefined) return request;
  const source = inputSource(undefined, request.inputRange);
  const inputs = new Array<unknown[]>(source.length);
  for (let i = 0; i < source.length; i++) inputs[i] = source.at(i);
  return { ...request, inputs, inputRange: undefined };
}
