/**
 * The PoolScope commands. Each accepts optional arguments so that tests (and
 * CodeLens, menus, the timeline's buttons) can skip every prompt, and each
 * resolves with something worth asserting on: run commands with a
 * `CommandResult`, the settings commands with the new value.
 */
import { DASK_SCHEDULER_EXAMPLE, checkRedisSetting, isDaskSchedulerAddress } from '../runner/engine-addresses.js';
import { missingEngine, type MissingEngine } from '../runner/engine-requirements.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunMode, RunRequest } from '../runner/protocol.js';
import type { ExportFormat } from '../common/webview-protocol.js';
import { findExportedFunctions, functionAtLine, functionInSelection, type ExportedFunction } from './exported-functions.js';
import { findPythonRunnables, isPythonFile, pythonFunctionAtLine } from '../runner/python/functions.js';
import {
  NODE_RUN_BACKEND_EXPLANATIONS, NODE_RUN_BACKENDS, PYTHON_BACKEND_EXPLANATIONS, PYTHON_BACKENDS,
  isDistributedBackend, isNodeRunBackend, isPythonBackend, nextNodeBackend, nextPythonBackend,
  type NodeBackend, type NodeRunBackend, type PythonBackend as PythonBackendName,
} from '../common/backends.js';
import type { ActiveSource } from './active-source.js';
import { parseInputs, type InputsPrompt } from './inputs-prompt.js';
import type { RunController } from './run-controller.js';
import type { CommandResult } from './command-result.js';
import { readSettings, writeSetting } from './settings.js';
import type { TimelineController } from './timeline-controller.js';
import type { TraceFilePanels } from './trace-file-panels.js';
import { exportTrace, readTraceFile } from './trace-files.js';
import type { TrustGate } from './trust.js';

/** Optional arguments of the run commands (all prompts are skipped for what is given). */
export interface RunArgs {
  /** Absolute path of the .ts/.js file. @default the active editor's file */
  file?: string;
  /** Export name. @default the exported function at the cursor, or a quick pick */
  fn?: string;
  /** Inputs text (JSON array, `range(a, b)`, `@file.json`) or argument lists. @default remembered, or an input box */
  inputs?: string | unknown[][];
  backend?: NodeRunBackend;
  workers?: number;
  /** Per-task timeout in ms. */
  timeout?: number;
  /** Compare: backends to run. @default `poolscope.compareBackends` */
  backends?: NodeBackend[];
  /** Open the timeline beside the editor. @default true */
  showPanel?: boolean;
  /** Show the progress notification. @default true */
  progress?: boolean;
}

/** Named errors the commands reject with. */
export class CommandError extends Error {
  constructor(override readonly name: 'NoFile' | 'UnsavedFile' | 'NoExportedFunction' | 'InvalidInputs' | 'Cancelled', message: string) {
    super(message);
  }
}

export interface CommandServices {
  controller: RunController;
  timeline: TimelineController;
  traceFiles: TraceFilePanels;
  inputs: InputsPrompt;
  trust: TrustGate;
  log: vscode.LogOutputChannel;
  activeSource: ActiveSource;
  /** Default bundle cache directory: the extension's global storage (the poolscope.cacheDir setting overrides it). */
  defaultCacheDir: string;
}

const SOURCE_FILE = /\.(?:[cm]?[tj]s|[tj]sx|py)$/;

/** A setting or a missing engine that stops a run before it starts; `shown` when the user was already told (with actions). */
export class RunSetupError extends Error {
  constructor(override readonly name: 'DaskNotInstalled' | 'RedisNotInstalled' | 'InvalidSetting', message: string, readonly shown = false) {
    super(message);
  }
}

export function registerCommands(s: CommandServices): vscode.Disposable[] {
  let lastRun: RunArgs & { mode: RunMode } | undefined;
  let hasLastRunKey = false;
  /** Interpreters / binaries already found to have their engine (asking Python to import Dask takes seconds). */
  const enginesFound = new Set<string>();

  /** What `backend` lacks here with the current settings (undefined: it can run). Successes are remembered for the session. */
  const checkEngine = async (backend: string): Promise<MissingEngine | undefined> => {
    const settings = readSettings();
    const redis = checkRedisSetting(settings.bullmqRedis);
    const key = `${backend}\u0000${backend === 'py-dask' ? settings.pythonPath : process.env.POOLSCOPE_REDIS_SERVER || 'redis-server'}`;
    if (enginesFound.has(key)) return undefined;
    const missing = await missingEngine(backend, {
      pythonPath: settings.pythonPath || undefined,
      daskScheduler: settings.daskScheduler || undefined,
      redisUrl: redis.ok ? redis.url : undefined,
    });
    if (!missing && !(backend === 'py-dask' && settings.daskScheduler) && !(backend === 'bullmq' && redis.ok && redis.url)) enginesFound.add(key);
    return missing;
  };

  /** Tells the user what is missing and how to install it: the command, a button that copies it, and the setting that avoids it. */
  const showMissing = (missing: MissingEngine): void => {
    const copy = 'Copy Install Command';
    const settingsButton = 'Open Settings';
    const actions = missing.installCommand ? [copy, settingsButton] : [settingsButton];
    void vscode.window.showErrorMessage(`PoolScope: ${missing.message}`, ...actions).then(async (choice) => {
      if (choice === copy) {
        await vscode.env.clipboard.writeText(missing.installCommand);
        void vscode.window.showInformationMessage(`PoolScope: copied "${missing.installCommand}": run it in a terminal, then run again.`);
      } else if (choice === settingsButton) {
        void vscode.commands.executeCommand('workbench.action.openSettings', missing.name === 'DaskNotInstalled' ? 'poolscope.dask' : 'poolscope.bullmq');
      }
    });
  };

  /** After the user picked a distributed backend: say at once when its engine is missing (the setting is kept). */
  const checkPicked = (backend: string): void => {
    if (!isDistributedBackend(backend)) return;
    void checkEngine(backend).then((missing) => {
      if (missing) {
        s.log.warn(`${backend}: ${missing.name}: ${missing.message}`);
        showMissing(missing);
      }
    }, (e: unknown) => s.log.warn(`${backend}: engine check failed: ${(e as Error).message}`));
  };

  /** Runs one request with everything the commands share: trust, panel, notifications. */
  const execute = async (mode: RunMode, args: RunArgs, resolved: { file: string; fn?: string; inputs?: unknown[][] }): Promise<CommandResult> => {
    s.trust.assertTrusted();
    const settings = readSettings();
    const backend = args.backend ?? settings.backend;
    const workers = clampWorkers(args.workers ?? settings.workers);
    const timeout = args.timeout ?? settings.timeout;
    const request: RunRequest = { type: 'run', mode, file: resolved.file, backend, workers };
    if (resolved.fn !== undefined && mode !== 'file') request.fn = resolved.fn;
    if (resolved.inputs) request.inputs = resolved.inputs;
    if (timeout > 0) request.timeout = timeout;
    if (settings.maxMemoryMb > 0) request.maxMemoryMb = settings.maxMemoryMb;
    request.cpuSampleMs = settings.cpuSampleMs;
    if (settings.cacheDir) {
      request.cacheDir = settings.cacheDir;
    } else {
      request.cacheDir = s.defaultCacheDir;
      request.cacheDirIsDefault = true;
    }
    if (mode === 'compare') {
      request.backends = args.backends ?? settings.compareBackends;
      if (settings.compareRepeat > 1) request.repeat = settings.compareRepeat;
    }
    // .py files run in the Python runner: its backend and interpreter come from the python settings.
    const python = isPythonFile(resolved.file);
    if (!python && backend === 'bullmq') {
      const redis = checkRedisSetting(settings.bullmqRedis);
      if (!redis.ok) throw new RunSetupError('InvalidSetting', redis.message);
      if (redis.url) request.redis = redis.url;
    }
    // Run File runs the script's own pools (no distributed engine to check); a Python compare runs the local pools.
    const engineBackend = mode === 'file' || (python && mode === 'compare') ? undefined : python ? settings.pythonBackend : backend;
    if (engineBackend && isDistributedBackend(engineBackend)) {
      if (engineBackend === 'py-dask' && settings.daskScheduler && !isDaskSchedulerAddress(settings.daskScheduler)) {
        throw new RunSetupError('InvalidSetting', `the poolscope.dask.scheduler setting must be a Dask scheduler address like ${DASK_SCHEDULER_EXAMPLE} (or empty for a LocalCluster per run), not '${settings.daskScheduler}'`);
      }
      const missing = await checkEngine(engineBackend);
      if (missing) {
        showMissing(missing);
        throw new RunSetupError(missing.name, missing.message, true);
      }
    }
    if (python) {
      request.pythonBackend = settings.pythonBackend;
      if (settings.pythonPath) request.pythonPath = settings.pythonPath;
      if (settings.daskScheduler) {
        if (!isDaskSchedulerAddress(settings.daskScheduler)) {
          throw new RunSetupError('InvalidSetting', `the poolscope.dask.scheduler setting must be a Dask scheduler address like ${DASK_SCHEDULER_EXAMPLE} (or empty for a LocalCluster per run), not '${settings.daskScheduler}'`);
        }
        request.scheduler = settings.daskScheduler;
      }
    }
    lastRun = { ...args, mode, file: resolved.file, fn: resolved.fn, inputs: resolved.inputs };
    // A context key is a round trip to the workbench: set once, not at every click.
    if (!hasLastRunKey) {
      hasLastRunKey = true;
      void vscode.commands.executeCommand('setContext', 'poolscope.hasLastRun', true);
    }
    if (args.showPanel !== false) s.timeline.show();
    const what = mode === 'file' ? path.basename(resolved.file) : `${resolved.fn}`;
    const where = mode === 'compare' ? (python ? 'Python backends' : request.backends?.join(' vs ')) : `${python ? settings.pythonBackend : backend} × ${workers}`;
    const summary = await s.controller.run(request, {
      nodePath: settings.nodePath || process.execPath,
      cwd: workspaceDirOf(resolved.file),
      title: `PoolScope: ${what} on ${where}`,
      progress: args.progress,
      startPoolAhead: settings.startPoolAhead,
    });
    notify(summary, what, where ?? '');
    return summary;
  };

  const runFunction = async (arg?: RunArgs | vscode.Uri): Promise<CommandResult | undefined> => {
    const args = normaliseArgs(arg);
    const file = await resolveFile(args);
    const fn = args.fn ?? (await pickFunction(file));
    const inputs = await resolveInputs(s.inputs, file, fn, args.inputs);
    if (!inputs) return undefined;
    return execute('fn', args, { file, fn, inputs });
  };

  const runSelection = async (arg?: RunArgs | vscode.Uri): Promise<CommandResult | undefined> => {
    const args = normaliseArgs(arg);
    const editor = vscode.window.activeTextEditor;
    if (!args.fn && editor && !editor.selection.isEmpty) {
      const found = functionInSelection(editor.document.getText(), editor.document.getText(editor.selection));
      if (!found) throw new CommandError('NoExportedFunction', 'The selection names no exported function: select an exported function (or its name).');
      args.fn = found.name;
    }
    return runFunction(args);
  };

  const runFile = async (arg?: RunArgs | vscode.Uri): Promise<CommandResult> => {
    const args = normaliseArgs(arg);
    const file = await resolveFile(args);
    return execute('file', args, { file });
  };

  const compareBackends = async (arg?: RunArgs | vscode.Uri): Promise<CommandResult | undefined> => {
    const args = normaliseArgs(arg);
    if (!args.file && !args.fn && lastRun?.mode !== 'file' && lastRun?.fn && !vscode.window.activeTextEditor) {
      // From the timeline's Compare button with no editor: compare what ran last.
      Object.assign(args, { file: lastRun.file, fn: lastRun.fn, inputs: args.inputs ?? lastRun.inputs });
    }
    const file = await resolveFile(args);
    const fn = args.fn ?? (await pickFunction(file));
    const inputs = await resolveInputs(s.inputs, file, fn, args.inputs);
    if (!inputs) return undefined;
    return execute('compare', args, { file, fn, inputs });
  };

  const runAgain = async (): Promise<CommandResult | undefined> => {
    if (!lastRun) return runFunction();
    const { mode, ...args } = lastRun;
    // Backend and pool size come from the current settings: "run again" after a toggle compares.
    delete args.backend;
    delete args.workers;
    if (mode === 'file') return runFile(args);
    if (mode === 'compare') return compareBackends(args);
    return runFunction(args);
  };

  const switchBackend = async (backend?: unknown): Promise<NodeRunBackend | PythonBackendName | undefined> => {
    // With a .py file active (or a Python backend named), the choice is the Python backend.
    if (isPythonBackend(String(backend)) || (backend === undefined && s.activeSource.isPython)) {
      let py = isPythonBackend(String(backend)) ? backend as PythonBackendName : undefined;
      if (!py) {
        const current = readSettings().pythonBackend;
        const pick = await vscode.window.showQuickPick(PYTHON_BACKENDS.map((b) => ({
          label: b, description: b === current ? '(current)' : undefined, detail: PYTHON_BACKEND_EXPLANATIONS[b], backend: b,
        })), { title: 'PoolScope: Switch Python Backend', placeHolder: 'Where should Python tasks run?' });
        py = pick?.backend;
      }
      if (py) {
        await writeSetting('pythonBackend', py);
        checkPicked(py);
      }
      return py;
    }
    let chosen = isNodeRunBackend(backend) ? backend : undefined;
    if (!chosen) {
      const current = readSettings().backend;
      const items = NODE_RUN_BACKENDS.map((b) => ({
        label: b, description: b === current ? '(current)' : undefined, detail: NODE_RUN_BACKEND_EXPLANATIONS[b], backend: b,
      }));
      const pick = await vscode.window.showQuickPick(items, { title: 'PoolScope: Switch Backend', placeHolder: 'Where should tasks run?' });
      chosen = pick?.backend;
    }
    if (chosen) {
      await writeSetting('backend', chosen);
      checkPicked(chosen);
    }
    return chosen;
  };

  const toggleBackend = async (): Promise<NodeBackend | PythonBackendName> => {
    // The status bar shows the backend of the language being edited; its click toggles that one.
    if (s.activeSource.isPython) {
      const py = nextPythonBackend(readSettings().pythonBackend);
      await writeSetting('pythonBackend', py);
      return py;
    }
    const next = nextNodeBackend(readSettings().backend);
    await writeSetting('backend', next);
    return next;
  };

  const setPoolSize = async (size?: unknown): Promise<number | undefined> => {
    let n = typeof size === 'number' && Number.isInteger(size) ? size : undefined;
    if (n === undefined) {
      const text = await vscode.window.showInputBox({
        title: 'PoolScope: Set Pool Size',
        prompt: 'Number of workers (event-loop: tasks in flight on its one thread)',
        value: String(readSettings().workers),
        validateInput: (t) => (/^\s*\d+\s*$/.test(t) && Number(t) >= 1 && Number(t) <= 64 ? undefined : 'a whole number from 1 to 64'),
      });
      if (text === undefined) return undefined;
      n = Number(text);
    }
    n = clampWorkers(n);
    await writeSetting('workers', n);
    return n;
  };

  const stopRun = (): Promise<boolean> => s.controller.stop();

  const showTimeline = async (arg?: { waitForReadyMs?: number }): Promise<{ ready: boolean; visible: boolean }> => {
    const panel = s.timeline.show();
    const wait = arg?.waitForReadyMs ?? 0;
    if (!panel.ready && wait > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { sub.dispose(); resolve(); }, wait);
        const sub = panel.onReady(() => { clearTimeout(timer); sub.dispose(); resolve(); });
      });
    }
    return { ready: panel.ready, visible: panel.panel.visible };
  };

  const exportTraceCommand = async (arg?: { format?: ExportFormat; runIds?: string[]; data?: string; uri?: vscode.Uri | string }): Promise<string | undefined> => {
    const format = arg?.format ?? (await pickExportFormat());
    if (!format) return undefined;
    const target = typeof arg?.uri === 'string' ? vscode.Uri.file(arg.uri) : arg?.uri;
    await s.timeline.ensureRestored();
    const uri = await exportTrace(s.timeline.history.events(arg?.runIds), format, target, arg?.data);
    if (uri) {
      s.log.info(`exported ${format} to ${uri.fsPath}`);
      if (!target) void vscode.window.showInformationMessage(`PoolScope: trace saved to ${uri.fsPath}`);
    }
    return uri?.fsPath;
  };

  /** Opens a trace file in a read-only panel of its own, titled by the file name (the live timeline keeps its runs). */
  const openTrace = async (arg?: vscode.Uri | { uri?: vscode.Uri | string }): Promise<{ events: number; runIds: string[]; title: string } | undefined> => {
    let uri = arg instanceof vscode.Uri ? arg : typeof arg?.uri === 'string' ? vscode.Uri.file(arg.uri) : arg?.uri;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'PoolScope: Open Trace', canSelectMany: false,
        filters: { 'Trace (PoolScope, Chrome/Perfetto, Ray timeline, Dask task stream, VizTracer)': ['json', 'gz'] },
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    const events = await readTraceFile(uri);
    const view = s.traceFiles.open(uri.fsPath, events);
    const runIds = [...new Set(events.map((e) => e.runId))];
    s.log.info(`opened trace ${uri.fsPath}: ${events.length} event(s), ${runIds.length} run(s)`);
    return { events: events.length, runIds, title: view.panel.panel.title };
  };

  /** Commands that run the workspace's code: trust is checked before they ask anything. */
  const RUNS_CODE = new Set(['poolscope.runFunction', 'poolscope.runSelection', 'poolscope.runFile', 'poolscope.compareBackends', 'poolscope.runAgain']);

  /** Wraps a command so a failure is shown to the user once, and still rejects for callers that passed arguments. */
  const reported = <A extends unknown[], R>(id: string, fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R | undefined> => {
    // From the palette, a menu (a Uri) or a keybinding: the user sees our message, and a rejection would add
    // VS Code's own "Command … resulted in an error" dialog. Callers passing arguments (CodeLens, tests) get the rejection.
    const fromUi = a.length === 0 || a[0] === undefined || a[0] instanceof vscode.Uri;
    try {
      // Restricted Mode: refuse before any prompt (one notification, with "Manage Workspace Trust").
      if (RUNS_CODE.has(id)) s.trust.assertTrusted();
      return await fn(...a);
    } catch (e) {
      const err = e as Error;
      // A refusal or the user's own cancel is not an error of the extension.
      if (err.name === 'UntrustedWorkspace' || err.name === 'Cancelled') s.log.info(`${id}: ${err.name}: ${err.message}`);
      else s.log.error(`${id}: ${err.name}: ${err.message}`);
      // The trust gate shows its own message with the "Manage Workspace Trust" button.
      if (err.name !== 'UntrustedWorkspace' && err.name !== 'Cancelled' && !(err instanceof RunSetupError && err.shown)) void vscode.window.showErrorMessage(`PoolScope: ${err.message}`);
      if (fromUi) return undefined;
      throw e;
    }
  };

  const table: Record<string, (...a: never[]) => Promise<unknown>> = {
    'poolscope.runFunction': runFunction,
    'poolscope.runSelection': runSelection,
    'poolscope.runFile': runFile,
    'poolscope.compareBackends': compareBackends,
    'poolscope.runAgain': runAgain,
    'poolscope.switchBackend': switchBackend,
    'poolscope.toggleBackend': toggleBackend,
    'poolscope.setPoolSize': setPoolSize,
    'poolscope.stopRun': stopRun,
    'poolscope.showTimeline': showTimeline,
    'poolscope.exportTrace': exportTraceCommand,
    'poolscope.openTrace': openTrace,
  };
  return Object.entries(table).map(([id, fn]) => vscode.commands.registerCommand(id, reported(id, fn as (...a: unknown[]) => Promise<unknown>)));
}

function clampWorkers(n: number): number {
  return Math.min(64, Math.max(1, Math.trunc(n) || 1));
}

/** Menus pass the file's Uri; CodeLens and tests pass RunArgs. */
function normaliseArgs(arg: RunArgs | vscode.Uri | undefined): RunArgs {
  if (arg instanceof vscode.Uri) return { file: arg.fsPath };
  return { ...(arg ?? {}) };
}

/** The file to run: given, or the active editor's (saved first, so the runner sees what the user sees). */
async function resolveFile(args: RunArgs): Promise<string> {
  if (args.file) {
    const file = path.resolve(args.file);
    if (!fs.existsSync(file)) throw new CommandError('NoFile', `File not found: ${file}`);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (open?.isDirty) await open.save();
    return file;
  }
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc) throw new CommandError('NoFile', 'Open a .ts, .js or .py file first.');
  if (doc.isUntitled || doc.uri.scheme !== 'file') throw new CommandError('UnsavedFile', 'Save the file first: the runner runs files from disk.');
  if (!SOURCE_FILE.test(doc.uri.fsPath)) throw new CommandError('NoFile', `${path.basename(doc.uri.fsPath)} is not a .ts, .js or .py file.`);
  if (doc.isDirty && !(await doc.save())) throw new CommandError('UnsavedFile', 'The file could not be saved.');
  return doc.uri.fsPath;
}

/** The exported function at the cursor, or one picked from the file's exported functions. */
async function pickFunction(file: string): Promise<string> {
  const editor = vscode.window.activeTextEditor;
  const text = editor?.document.uri.fsPath === file ? editor.document.getText() : fs.readFileSync(file, 'utf8');
  const python = isPythonFile(file);
  const candidates = (python ? findPythonRunnables(text) : findExportedFunctions(text)).filter((f) => !f.isDefault);
  if (candidates.length === 0) throw new CommandError('NoExportedFunction', `${path.basename(file)} has no exported function: only top-level exports can be sent to workers.`);
  let at: ExportedFunction | undefined;
  if (editor?.document.uri.fsPath === file) at = python ? pythonFunctionAtLine(text, editor.selection.active.line) : functionAtLine(text, editor.selection.active.line);
  if (at && !at.isDefault) return at.name;
  if (candidates.length === 1) return candidates[0].name;
  const pick = await vscode.window.showQuickPick(candidates.map((f) => ({ label: f.name, description: `line ${f.line + 1}` })), {
    title: 'PoolScope: which function?',
  });
  if (!pick) throw new CommandError('Cancelled', 'No function chosen.');
  return pick.label;
}

async function resolveInputs(prompt: InputsPrompt, file: string, fn: string, given: RunArgs['inputs']): Promise<unknown[][] | undefined> {
  if (Array.isArray(given)) return given.map((v) => (Array.isArray(v) ? v : [v]));
  if (typeof given === 'string') {
    const parsed = parseInputs(given, path.dirname(file));
    if (!parsed.ok) throw new CommandError('InvalidInputs', parsed.error);
    await prompt.remember(file, fn, given);
    return parsed.inputs;
  }
  const answer = await prompt.ask(file, fn, readSettings().inputs);
  return answer?.inputs;
}

async function pickExportFormat(): Promise<ExportFormat | undefined> {
  const pick = await vscode.window.showQuickPick([
    { label: 'Chrome trace JSON', detail: 'Opens in Perfetto, speedscope and PoolScope', format: 'chrome-json' as const },
    { label: 'CSV', detail: 'One row per task', format: 'csv' as const },
  ], { title: 'PoolScope: Export Trace' });
  return pick?.format;
}

/** The workspace folder that holds `file` (user code resolves relative paths from there), else its directory. */
function workspaceDirOf(file: string): string {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
}

function notify(summary: CommandResult, what: string, where: string): void {
  const wall = summary.events.filter((e) => e.type === 'run-end').map((e) => (e.type === 'run-end' ? e.stats.wallUs : 0));
  const wallText = wall.length ? `, wall ${wall.map((w) => `${(w / 1000).toFixed(0)} ms`).join(' / ')}` : '';
  if (summary.stopped) {
    void vscode.window.showInformationMessage(`PoolScope: ${what} stopped after ${summary.tasks} task(s).`);
  } else if (summary.error) {
    void vscode.window.showErrorMessage(`PoolScope: ${what}: ${summary.error.name}: ${summary.error.message}`);
  } else if (summary.failed > 0) {
    void vscode.window.showWarningMessage(`PoolScope: ${what} on ${where}: ${summary.failed} of ${summary.tasks} task(s) failed${wallText}.`, 'Show Problems')
      .then((c) => { if (c) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
  } else {
    vscode.window.setStatusBarMessage(`PoolScope: ${what} on ${where}: ${summary.tasks} task(s) ok${wallText}`, 8000);
  }
}
