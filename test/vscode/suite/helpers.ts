/** Shared helpers of the extension-API suite. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PoolScopeExtensionApi } from '../../../src/extension/extension.js';
import type { CommandResult } from '../../../src/extension/command-result.js';
import type { RunArgs } from '../../../src/extension/commands.js';
import type { TraceEvent } from '../../../src/trace/events.js';

export const EXTENSION_ID = 'poolscope.poolscope';

/**
 * Called inside a `suite()`: keeps the workspace values of these `poolscope.*` settings as they were
 * before the suite and puts them back after it, whatever its tests set.
 */
export function keepWorkspaceSettings(...keys: string[]): void {
  let saved: unknown[] = [];
  suiteSetup(() => {
    const c = vscode.workspace.getConfiguration('poolscope');
    saved = keys.map((key) => c.inspect(key)?.workspaceValue);
  });
  suiteTeardown(async () => {
    const c = vscode.workspace.getConfiguration('poolscope');
    for (const [i, key] of keys.entries()) await c.update(key, saved[i], vscode.ConfigurationTarget.Workspace);
  });
}

export async function api(): Promise<PoolScopeExtensionApi> {
  const ext = vscode.extensions.getExtension<PoolScopeExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

let fixtureDir: string | undefined;

/**
 * The fixture folder: the open workspace when it holds the fixtures (the
 * runner scripts open a copy of test/vscode/workspace), else a temp copy
 * made from the files next to the extension.
 */
export function fixtures(): string {
  if (fixtureDir) return fixtureDir;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (ws && fs.existsSync(path.join(ws, 'tasks.ts'))) return (fixtureDir = ws);
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const src = path.join(ext.extensionPath, 'test', 'vscode', 'workspace');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolscope-fixtures-'));
  fs.cpSync(src, dir, { recursive: true });
  return (fixtureDir = dir);
}

export function fixture(name: string): string {
  return path.join(fixtures(), name);
}

/** Runs a command that resolves with a CommandResult, without prompts, panel or notification. */
export async function runCommand(command: string, args: RunArgs): Promise<CommandResult> {
  const summary = await vscode.commands.executeCommand<CommandResult | undefined>(command, { showPanel: false, progress: false, ...args });
  assert.ok(summary, `${command} resolved with nothing`);
  return summary;
}

export function ofType<T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T): Extract<TraceEvent, { type: T }>[] {
  return events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
}

/** Polls `predicate` every 50 ms until it holds or `timeoutMs` passed. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while `pid` is a live (not zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie still answers kill(0) until reaped; it runs nothing.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Every PID a summary's run touched: the runner and each worker process. */
export function processesOf(summary: CommandResult): number[] {
  const pids = new Set<number>(summary.pids);
  if (summary.runnerPid) pids.add(summary.runnerPid);
  return [...pids];
}

/** Checks the trace of one run: run-start first, run-end last, seq 0…n-1 without gaps. */
export function assertCompleteRun(events: readonly TraceEvent[], runId: string): void {
  const run = events.filter((e) => e.runId === runId);
  assert.ok(run.length >= 2, `run ${runId} has ${run.length} event(s)`);
  assert.equal(run[0].type, 'run-start');
  assert.equal(run[run.length - 1].type, 'run-end');
  assert.deepEqual(run.map((e) => e.seq), run.map((_, i) => i), 'seq is 0…n-1 in arrival order');
}
