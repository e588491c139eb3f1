/**
 * Typed access to the `poolscope.*` settings (declared in package.json
 * `contributes.configuration`). Reads are cheap and always current, so callers
 * read at the moment they need a value instead of caching it.
 */
import * as vscode from 'vscode';
import { NODE_BACKENDS, isNodeBackend, isNodeRunBackend, isPythonBackend, type NodeBackend, type NodeRunBackend, type PythonBackend } from '../common/backends.js';

export const SETTINGS_SECTION = 'poolscope';

export interface PoolScopeSettings {
  /** Backend for .ts/.js files: a pool backend, or `bullmq`. */
  backend: NodeRunBackend;
  workers: number;
  /** Default inputs text (JSON array or `range(a, b)`). */
  inputs: string;
  /** Per-task timeout in ms; 0 = none. */
  timeout: number;
  /** Memory limit per worker in MB (--max-memory); 0 = the engine's default. */
  maxMemoryMb: number;
  /** Node binary for the runner; '' = the editor's own runtime. */
  nodePath: string;
  codeLens: boolean;
  /** After a run, start the same pool ahead in the spare runner, the module loaded (its top-level code runs there). */
  startPoolAhead: boolean;
  maxTasksShown: number;
  compareBackends: NodeBackend[];
  /** Compare rounds (interleaved), 1…20. */
  compareRepeat: number;
  /** Bundle cache directory; '' = the extension's global storage. */
  cacheDir: string;
  /** Python interpreter for .py files; '' = python3 from PATH. */
  pythonPath: string;
  /** Backend for .py files. */
  pythonBackend: PythonBackend;
  /** On-CPU sampling period in ms; 0 = off. */
  cpuSampleMs: number;
  /** py-dask: an existing scheduler's address ('' = a LocalCluster for each run); checked by {@link isDaskSchedulerAddress}. */
  daskScheduler: string;
  /** bullmq: an existing Redis server's URL as written ('' = a private redis-server per run); checked by `checkRedisSetting` before use. */
  bullmqRedis: string;
}

/** The current settings, with out-of-range values clamped to something runnable. */
export function readSettings(): PoolScopeSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const backend = c.get<string>('backend');
  const workers = Math.trunc(Number(c.get<number>('workers', 4)));
  const compare = (c.get<unknown[]>('compareBackends') ?? []).filter(isNodeBackend);
  return {
    backend: isNodeRunBackend(backend) ? backend : 'thread',
    workers: Number.isFinite(workers) ? Math.min(64, Math.max(1, workers)) : 4,
    inputs: c.get<string>('inputs', 'range(1, 9)') || 'range(1, 9)',
    timeout: Math.max(0, Number(c.get<number>('timeout', 0)) || 0),
    maxMemoryMb: Math.max(0, Math.trunc(Number(c.get<number>('maxMemoryMb', 0))) || 0),
    nodePath: (c.get<string>('nodePath', '') ?? '').trim(),
    codeLens: c.get<boolean>('codeLens', true) !== false,
    startPoolAhead: c.get<boolean>('startPoolAhead', true) !== false,
    maxTasksShown: Math.max(100, Number(c.get<number>('maxTasksShown', 20000)) || 20000),
    compareBackends: compare.length > 0 ? [...new Set(compare)] : [...NODE_BACKENDS],
    compareRepeat: Math.min(20, Math.max(1, Math.trunc(Number(c.get<number>('compareRepeat', 1))) || 1)),
    cacheDir: (c.get<string>('cacheDir', '') ?? '').trim(),
    pythonPath: (c.get<string>('pythonPath', '') ?? '').trim(),
    pythonBackend: isPythonBackend(String(c.get('pythonBackend'))) ? c.get('pythonBackend') as PythonBackend : 'py-thread',
    cpuSampleMs: clampSampleMs(c.get<number>('cpuSampleMs', 5)),
    daskScheduler: (c.get<string>('dask.scheduler', '') ?? '').trim(),
    bullmqRedis: (c.get<string>('bullmq.redis', '') ?? '').trim(),
  };
}

/** The sampling period setting: whole ms, 0 (off) … 1000; anything else → the default 5. */
function clampSampleMs(value: unknown): number {
  const n = Math.round(Number(value));
  return Number.isFinite(n) && n >= 0 ? Math.min(1000, n) : 5;
}

/**
 * Writes a setting where the user will see it take effect: the workspace when
 * one is open (so a project can pin its backend), else the user settings.
 */
export async function writeSetting(key: 'backend' | 'workers' | 'pythonBackend', value: unknown): Promise<void> {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  // User settings, so toggling never creates .vscode/settings.json in someone's project; only where the
  // user chose workspace scope (the key is already set for this workspace or folder) is it written there.
  const seen = c.inspect(key);
  const target = seen?.workspaceFolderValue !== undefined && vscode.workspace.workspaceFolders?.length === 1
    ? vscode.ConfigurationTarget.Workspace
    : seen?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await c.update(key, value, target);
}
