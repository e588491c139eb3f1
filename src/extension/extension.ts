/**
 * Activation: builds the extension's parts and wires them together. Nothing
 * heavy happens here — the runner launcher is loaded on the first run, and
 * user code never runs in this process (it runs in the runner child and its
 * workers).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunCodeLensProvider } from './code-lens.js';
import { registerCommands } from './commands.js';
import { TaskDiagnostics } from './diagnostics.js';
import { HistoryStore } from './history-store.js';
import { InputsPrompt } from './inputs-prompt.js';
import { RunOutput } from './output.js';
import { RunController, type LaunchRunner } from './run-controller.js';
import { readSettings } from './settings.js';
import { BackendStatusBar } from './status-bar.js';
import { ActiveSource } from './active-source.js';
import { PYTHON_BACKEND_EXPLANATIONS } from '../common/backends.js';
import { TimelineController } from './timeline-controller.js';
import { TraceFilePanels } from './trace-file-panels.js';
import { TrustGate } from './trust.js';
import { checkRedisSetting } from '../runner/engine-addresses.js';

/**
 * What `activate` returns (`vscode.extensions.getExtension('poolscope.poolscope').exports`):
 * the live parts, for the extension-API tests. Not a stable public API.
 */
export interface PoolScopeExtensionApi {
  trust: TrustGate;
  controller: RunController;
  timeline: TimelineController;
  /** Open Trace's read-only panels, one per file. */
  traceFiles: TraceFilePanels;
  diagnostics: TaskDiagnostics;
  statusBar: BackendStatusBar;
  output: RunOutput;
  store: HistoryStore;
  inputs: InputsPrompt;
  /**
   * The runners kept forked for a warm next click (src/runner/launch.ts); `preparedPids`: those asked to start the
   * last run's pool ahead, `readyPids`: those whose pool has every worker ready.
   */
  spareRunners: { pids(): number[]; preparedPids(): number[]; readyPids(): number[]; dispose(): void };
}

/** How long after a run's start the status bar and the `poolscope.running` context key follow (see below). */
const RUNNING_UI_DELAY_MS = 150;

/** Files a bundle can be made of (code, tsconfig/package.json): saving one ends a pool started ahead. */
const BUNDLED_FILE = /\.(?:[cm]?[jt]sx?|json)$/i;

const SOURCE_SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript', scheme: 'file' },
  { language: 'javascript', scheme: 'file' },
  { language: 'typescriptreact', scheme: 'file' },
  { language: 'javascriptreact', scheme: 'file' },
  { language: 'python', scheme: 'file' },
];

export function activate(context: vscode.ExtensionContext): PoolScopeExtensionApi {
  const t0 = performance.now();
  const output = new RunOutput();
  const log = output.channel;
  const statusBar = new BackendStatusBar();
  const trust = new TrustGate();
  const store = new HistoryStore(context.storageUri ?? context.globalStorageUri, log);
  activeStore = store;
  const timeline = new TimelineController(context.extensionUri, log, store);
  const traceFiles = new TraceFilePanels(context.extensionUri, log);
  // Problems survive a window reload (workspace state); failing inputs are read from the retained trace.
  const diagnostics = new TaskDiagnostics(context.workspaceState, (runId, taskIds) => timeline.history.inputPreviews(runId, taskIds));
  timeline.canRun = () => trust.trusted;
  // Trust granted: the webview's run controls come back.
  context.subscriptions.push(trust.onDidChange(() => timeline.postConfig()));
  const inputs = new InputsPrompt(context.workspaceState);
  let launchModule: typeof import('../runner/launch.js') | undefined;
  const loadLaunch = async (): Promise<LaunchRunner> => (launchModule ??= await import('../runner/launch.js')).launchRunner;
  // The spare runner kept for a warm second click (launch.ts) ends with the extension.
  context.subscriptions.push({ dispose: () => launchModule?.disposeSpareRunners() });
  let hasTrace = false;
  const controller = new RunController({
    log,
    onEvents: (batch, request) => {
      timeline.addEvents(batch);
      output.append(batch);
      diagnostics.addFromEvents(batch, request.file, request.fn);
      // A context key is a round trip to the workbench: set it once, not per batch.
      if (!hasTrace) {
        hasTrace = true;
        void vscode.commands.executeCommand('setContext', 'poolscope.hasTrace', true);
      }
    },
    onLoadError: (error, request) => {
      log.error(`${request.file}: ${error.name}: ${error.message}`);
      diagnostics.addLoadError(request.file, error);
    },
    onPhase: (phase, runIds, message) => {
      if (phase === 'starting') diagnostics.clear();
      // The runner is gone: a run it left open is over (stopped or broken), never "running" again.
      if (phase === 'stopped') timeline.closeOpenRuns({ name: 'RunStopped', message: 'the run was stopped before it reported its end' });
      else if (phase === 'failed') timeline.closeOpenRuns({ name: 'RunnerCrashed', message: message ?? 'the runner ended before the run did' });
      timeline.setPhase(phase, runIds, message);
    },
    onRunnerOutput: (stream, text) => {
      for (const line of text.replace(/\r?\n$/, '').split(/\r?\n/)) {
        if (stream === 'stderr') log.warn(`[runner] ${line}`);
        else log.info(`[runner] ${line}`);
      }
    },
  }, loadLaunch);

  const activeSource = new ActiveSource();
  const refreshStatus = (): void => {
    const s = readSettings();
    if (activeSource.isPython) statusBar.update(s.pythonBackend, s.workers, controller.running, PYTHON_BACKEND_EXPLANATIONS);
    else statusBar.update(s.backend, s.workers, controller.running);
  };
  refreshStatus();

  context.subscriptions.push(
    output, diagnostics, statusBar, timeline, traceFiles, controller, store, activeSource,
    activeSource.onDidChange(() => refreshStatus()),
    ...registerCommands({ controller, timeline, traceFiles, inputs, trust, log, activeSource, defaultCacheDir: path.join(context.globalStorageUri.fsPath, 'bundle-cache') }),
    vscode.languages.registerCodeLensProvider(SOURCE_SELECTOR, (() => {
      const provider = new RunCodeLensProvider(() => trust.trusted);
      context.subscriptions.push(provider);
      return provider;
    })()),
    timeline.onFirstBar((m) => controller.noteFirstBar(m.runId, m.sinceMessageMs, timeline.panel?.firstStartPosts.get(m.runId), m.paintedAtEpochMs)),
    // A spare runner holding a pool started ahead loaded the files as they were: a saved file ends that pool now
    // (a plain spare takes its place; the runner would not use a pool of other content anyway), and changed
    // settings end every spare (their launch options or pool may no longer be what the next run asks for).
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.uri.scheme === 'file' && BUNDLED_FILE.test(doc.uri.fsPath)) launchModule?.refreshSpareRunners();
    }),
    controller.onDidChangeRunning((running) => {
      const apply = (): void => {
        void vscode.commands.executeCommand('setContext', 'poolscope.running', running);
        refreshStatus();
      };
      // A run's start: the workbench re-evaluates menus and redraws the status bar for this; done a moment later,
      // so the click's first events reach the timeline first (its first bar is what the user waits for).
      if (running) setTimeout(() => { if (controller.running) apply(); }, RUNNING_UI_DELAY_MS);
      else apply();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('poolscope')) {
        refreshStatus();
        launchModule?.disposeSpareRunners();
      }
      if (e.affectsConfiguration('poolscope.bullmq.redis')) {
        // Said when the value is written, not at the next run: a URL with a password is refused (settings are plain text).
        const check = checkRedisSetting(readSettings().bullmqRedis);
        if (!check.ok) {
          log.warn(`poolscope.bullmq.redis: ${check.reason}`);
          void vscode.window.showWarningMessage(`PoolScope: ${check.message}`);
        }
      }
    }),
  );
  log.info(`PoolScope activated in ${(performance.now() - t0).toFixed(1)} ms (extension host pid ${process.pid}, ${process.execPath}, ${vscode.env.appName} ${vscode.version})`);
  const spareRunners = {
    pids: (): number[] => launchModule?.spareRunnerPids() ?? [],
    preparedPids: (): number[] => launchModule?.preparedSpareRunnerPids() ?? [],
    readyPids: (): number[] => launchModule?.readySpareRunnerPids() ?? [],
    dispose: (): void => launchModule?.disposeSpareRunners(),
  };
  return { trust, controller, timeline, traceFiles, diagnostics, statusBar, output, store, inputs, spareRunners };
}

/** The history store of the active extension: written out on deactivation (a window reload). */
let activeStore: HistoryStore | undefined;

export function deactivate(): Promise<void> | undefined {
  // Disposables in context.subscriptions stop any run; the runner also exits when its parent goes away.
  // A reload right after a run ended must not lose it: the pending save is written now (VS Code awaits this).
  return activeStore?.flush();
}
