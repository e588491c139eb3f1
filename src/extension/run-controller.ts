/**
 * Runs one request at a time in a runner child process and fans its events
 * out: retained history (replay + export), the timeline panel, the output
 * channel, diagnostics, and the summary the command resolves with. Stop (the
 * command, the progress notification's cancel, the panel's button, the
 * status bar while running) asks the runner to stop, then kills it; the
 * runner's workers go with it (threads die with their process; forked
 * children exit when their IPC channel to the runner closes).
 *
 * The runner launcher is loaded lazily, on the first run: activation stays light.
 */
import * as vscode from 'vscode';
import type { RunnerMessage, RunRequest } from '../runner/protocol.js';
import type { TaskError, TraceEvent } from '../trace/events.js';
import type { RunPhase } from '../common/webview-protocol.js';
import { CommandResultBuilder, type CommandResult } from './command-result.js';
import type { LaunchOptions, RunnerHandle } from '../runner/launch.js';
import { monotonicUs } from '../pool/clock.js';

/** The runner launcher's signature (src/runner/launch.ts), loaded lazily. */
export type LaunchRunner = (options: LaunchOptions) => RunnerHandle;

/**
 * A run's way from the command to its first bar on the timeline, in ms since the run was asked for
 * (`RunController.run`), on one clock: the runner's marks and trace times are CLOCK_MONOTONIC, which this
 * process reads with process.hrtime. Logged (debug) and kept as `lastClick` for the tests and the bench.
 * A stage the run did not reach (or that does not apply) is absent; a negative one happened before the
 * request (a spare runner started earlier, a pool started ahead).
 */
export interface ClickTiming {
  runId?: string;
  /** The run used a spare runner; its pool was started ahead (`prepared`); the bundle came from the cache. */
  spare: boolean;
  prepared?: boolean;
  cacheHit?: boolean;
  stagesMs: {
    launched?: number; runnerStarted?: number; requestReceived?: number; bundled?: number; warm?: number; loaded?: number;
    released?: number; firstSubmit?: number; firstTaskStart?: number; firstTaskStartAtHost?: number;
    /** The panel posted the first task-start to the webview; VS Code resolved that post (delivered). */
    postedToWebview?: number; deliveredToWebview?: number;
    /** The frame after the one that drew the first bar began (the webview's wall clock: the same machine's). */
    firstBar?: number;
    /** The webview's report of it arrived here. */
    firstBarReported?: number;
    done?: number;
  };
  /** In the webview: from the arrival of the message that brought the first bar to its report (drawn and presented). */
  webviewMs?: number;
}

/** Stable error names of the controller. */
export const RUN_IN_PROGRESS = 'RunInProgress';

export class RunInProgressError extends Error {
  override readonly name = RUN_IN_PROGRESS;
  constructor() {
    super('A PoolScope run is already in progress: stop it first (PoolScope: Stop Run).');
  }
}

/** Where a run's events and state changes go. */
export interface RunSinks {
  /** Every batch of trace events, as it arrives. */
  onEvents(batch: TraceEvent[], request: RunRequest): void;
  /** The user's file could not be loaded. */
  onLoadError(error: TaskError & { location?: { file: string; line: number; column: number } }, request: RunRequest): void;
  /** Lifecycle: starting → running → done | failed | stopped. */
  onPhase(phase: RunPhase, runIds: string[], message?: string): void;
  /** Output of the runner's own process (Run File's console, serial tasks). */
  onRunnerOutput(stream: 'stdout' | 'stderr', text: string): void;
  log: vscode.LogOutputChannel;
}

interface ActiveRun {
  session: RunnerHandle;
  request: RunRequest;
  stopping: boolean;
  summary: CommandResultBuilder;
  settled: Promise<CommandResult>;
}

/** How long a runner gets to stop its pool cleanly after `stop` before it is killed. */
const STOP_GRACE_MS = 1500;
/**
 * A run still going after this long gets its progress notification (tasks done, a Cancel button). A shorter one
 * never flashes a toast — and the workbench does not build one while the run's first bar is on its way to the
 * timeline (messages to the webview queue behind the workbench's own work).
 */
const PROGRESS_DELAY_MS = 1000;

export class RunController implements vscode.Disposable {
  readonly #sinks: RunSinks;
  readonly #loadLaunch: () => Promise<LaunchRunner>;
  #active: ActiveRun | undefined;
  /** True while the launcher module loads, so a second run cannot slip in. */
  #starting = false;
  readonly #onDidChangeRunning = new vscode.EventEmitter<boolean>();
  readonly onDidChangeRunning = this.#onDidChangeRunning.event;
  /** The last run's click timing (see ClickTiming); its firstBar comes when the webview reports it. */
  lastClick: ClickTiming | undefined;
  #clickStartUs = 0;
  /** The same moment on the wall clock (ms since the epoch), for the webview's wall-clock stamp. */
  #clickStartEpochMs = 0;

  /** @param loadLaunch lazily provides the function that spawns a runner (src/runner/launch.ts). */
  constructor(sinks: RunSinks, loadLaunch: () => Promise<LaunchRunner>) {
    this.#sinks = sinks;
    this.#loadLaunch = loadLaunch;
  }

  get running(): boolean {
    return this.#active !== undefined || this.#starting;
  }

  /** PID of the current runner process, if a run is in flight. */
  get runnerPid(): number | undefined {
    return this.#active?.session.pid;
  }

  /**
   * Runs `request` to completion and resolves with its summary (also when
   * tasks fail, the file does not load, the run is stopped or the runner
   * dies). Rejects only with RunInProgress, or when the runner cannot start.
   */
  async run(request: RunRequest, options: { nodePath: string; cwd: string; title: string; progress?: boolean; startPoolAhead?: boolean }): Promise<CommandResult> {
    if (this.#active || this.#starting) throw new RunInProgressError();
    const startUs = monotonicUs();
    const since = (us: number): number => Math.round((us - startUs) / 100) / 10;
    const click: ClickTiming = { spare: false, stagesMs: {} };
    this.lastClick = click;
    this.#clickStartUs = startUs;
    this.#clickStartEpochMs = performance.timeOrigin + performance.now();
    let originUs: number | undefined;
    const summary = new CommandResultBuilder();
    let error: TaskError | undefined;
    let done: Extract<RunnerMessage, { type: 'done' }> | undefined;
    this.#sinks.onPhase('starting', []);
    let launch: LaunchRunner;
    this.#starting = true;
    try {
      launch = await this.#loadLaunch();
    } finally {
      this.#starting = false;
    }
    let session: RunnerHandle;
    const active: ActiveRun = { session: undefined as unknown as RunnerHandle, request, stopping: false, summary, settled: undefined as unknown as Promise<CommandResult> };
    try {
      session = launch({
        nodePath: options.nodePath,
        cwd: options.cwd,
        request,
        stdio: 'pipe',
        stopGraceMs: STOP_GRACE_MS,
        // A runner is kept forked for the next click (launch.ts, warm start), with the same pool started ahead
        // unless the poolscope.startPoolAhead setting says no (the module's top-level code runs there).
        warm: true,
        startPoolAhead: options.startPoolAhead,
        onOutput: (stream, text) => this.#sinks.onRunnerOutput(stream, text),
        onMessage: (message: RunnerMessage) => {
          switch (message.type) {
            case 'events':
              if (click.stagesMs.firstTaskStart === undefined) {
                for (const e of message.batch) {
                  if (e.type === 'run-start' && originUs === undefined) {
                    originUs = e.originUs;
                    click.runId = e.runId;
                  } else if (e.type === 'task-start' && originUs !== undefined && e.runId === click.runId) {
                    click.stagesMs.firstTaskStart = since(originUs + e.t);
                    click.stagesMs.firstTaskStartAtHost = since(monotonicUs());
                    break;
                  }
                }
              }
              summary.add(message.batch);
              this.#sinks.onEvents(message.batch, request);
              if (message.batch.some((e) => e.type === 'run-start')) this.#sinks.onPhase('running', summary.build({ ok: true, stopped: false }).runIds);
              break;
            case 'load-error':
            case 'main-error':
              error = message.error;
              this.#sinks.onLoadError(message.error, request);
              break;
            case 'bundled':
              this.#sinks.log.debug(`bundled ${request.file} in ${message.durationMs.toFixed(0)} ms${message.cacheHit ? ' (cache hit)' : ''}`);
              click.cacheHit = message.cacheHit;
              if (message.marks) {
                click.stagesMs.runnerStarted = since(message.marks.runnerStartMonoUs);
                click.stagesMs.requestReceived = since(message.marks.requestMonoUs);
                click.stagesMs.bundled = since(message.marks.bundledMonoUs);
                // A runner that started before this run was asked for was a spare.
                click.spare = message.marks.runnerStartMonoUs < startUs;
              }
              break;
            case 'done': {
              done = message;
              const m = message.marks;
              if (m) {
                click.prepared = m.prepared === true;
                if (m.warmMonoUs !== undefined) click.stagesMs.warm = since(m.warmMonoUs);
                if (m.loadedMonoUs !== undefined) click.stagesMs.loaded = since(m.loadedMonoUs);
                if (m.releasedMonoUs !== undefined) click.stagesMs.released = since(m.releasedMonoUs);
                if (m.firstSubmitMonoUs !== undefined) click.stagesMs.firstSubmit = since(m.firstSubmitMonoUs);
              }
              click.stagesMs.done = since(monotonicUs());
              break;
            }
            default:
              break;
          }
        },
      });
    } catch (e) {
      this.#sinks.onPhase('failed', [], String(e));
      throw e;
    }
    click.stagesMs.launched = since(monotonicUs());
    active.session = session;
    summary.runnerPid = session.pid;
    this.#sinks.log.info(`runner started: pid ${session.pid} (extension host pid ${process.pid}), ${request.mode} ${request.fn ?? request.file} on ${request.mode === 'compare' ? (request.backends ?? []).join(', ') : request.backend} × ${request.workers}`);

    active.settled = session.done.then((exit) => {
      if (!done && !error && !active.stopping && exit.code === 0 && summary.allRunsEnded()) {
        // The runner finished every run but its last message was lost (seen under heavy load when it
        // exits right after sending): the events are complete, so report the run, not a crash.
        this.#sinks.log.warn('the runner exited without its final "done" message; the result is taken from the trace events');
        done = { type: 'done', ok: true, failed: 0, runIds: [] };
      }
      if (!done && !error && !active.stopping) {
        error = session.pid === undefined
          ? { name: 'RunnerCrashed', message: `could not start the runner with ${options.nodePath} — check the poolscope.nodePath setting`, data: { nodePath: options.nodePath } }
          : { name: 'RunnerCrashed', message: `the runner exited before finishing (code ${exit.code}, signal ${exit.signal})`, data: { code: exit.code, signal: exit.signal } };
        this.#sinks.log.error(error.message);
      }
      const result = summary.build({ ok: done?.ok ?? false, runIds: done?.runIds, stopped: active.stopping, error });
      if (done && result.failed !== done.failed) this.#sinks.log.debug(`runner reported ${done.failed} failed task(s), events show ${result.failed}`);
      return result;
    });
    this.#active = active;
    this.#onDidChangeRunning.fire(true);

    let progressDelay: ReturnType<typeof setTimeout> | undefined;
    if (options.progress !== false) {
      progressDelay = setTimeout(() => {
        if (this.#active !== active) return;
        void vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: options.title, cancellable: true },
          (progress, token) => {
            token.onCancellationRequested(() => void this.stop());
            let shown = -1;
            const total = (request.inputs?.length ?? 0) * (request.mode === 'compare' ? request.backends?.length ?? 1 : 1);
            const report = (): void => {
              const now = summary.tasksEnded;
              if (now !== shown && total > 0) progress.report({ message: `${now} / ${total} tasks` });
              shown = now;
            };
            report();
            const timer = setInterval(report, 500);
            return active.settled.finally(() => clearInterval(timer));
          },
        );
      }, PROGRESS_DELAY_MS);
    }

    const result = await active.settled;
    clearTimeout(progressDelay);
    this.#active = undefined;
    this.#onDidChangeRunning.fire(false);
    const phase: RunPhase = result.stopped ? 'stopped' : result.error || !done ? 'failed' : 'done';
    this.#sinks.onPhase(phase, result.runIds, result.error ? `${result.error.name}: ${result.error.message}` : undefined);
    return result;
  }

  /** The webview drew the first bar of `runId` (TimelineController.onFirstBar): the click's last stage. */
  noteFirstBar(runId: string, webviewMs?: number, post?: { postedMonoUs: number; deliveredMonoUs?: number }, paintedAtEpochMs?: number): void {
    const click = this.lastClick;
    if (!click || click.runId !== runId || click.stagesMs.firstBarReported !== undefined) return;
    const since = (us: number): number => Math.round((us - this.#clickStartUs) / 100) / 10;
    click.stagesMs.firstBarReported = since(monotonicUs());
    click.stagesMs.firstBar = paintedAtEpochMs === undefined ? click.stagesMs.firstBarReported
      : Math.round((paintedAtEpochMs - this.#clickStartEpochMs) * 10) / 10;
    if (post) click.stagesMs.postedToWebview = since(post.postedMonoUs);
    if (post?.deliveredMonoUs !== undefined) click.stagesMs.deliveredToWebview = since(post.deliveredMonoUs);
    if (webviewMs !== undefined) click.webviewMs = Math.round(webviewMs * 10) / 10;
    this.#sinks.log.debug(`click → first bar ${click.stagesMs.firstBar} ms (${click.spare ? `spare runner${click.prepared ? ', pool started ahead' : ''}` : 'new runner'}${click.cacheHit ? ', bundle cached' : ''}): ${JSON.stringify(click.stagesMs)}`);
  }

  /**
   * Stops the current run: `stop` to the runner (its pool terminates and
   * emits run-end), then a kill after a grace period. Resolves once the
   * runner exited; false when nothing was running.
   */
  async stop(): Promise<boolean> {
    const active = this.#active;
    if (!active) return false;
    if (!active.stopping) {
      active.stopping = true;
      this.#sinks.onPhase('stopping', []);
      this.#sinks.log.info(`stopping runner pid ${active.session.pid}`);
      void active.session.stop();
    }
    await active.settled;
    return true;
  }

  dispose(): void {
    // The window is closing: ask the runner to stop; it also exits by itself when its parent goes away.
    void this.#active?.session.stop();
    this.#onDidChangeRunning.dispose();
  }
}
