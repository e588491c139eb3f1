/**
 * The status bar item `$(pulse) thread × 4`: backend × pool size. A click
 * toggles the backend; the tooltip says what each backend means. While a run
 * is in flight it shows a spinner and a click stops the run instead.
 */
import * as vscode from 'vscode';
import { NODE_BACKEND_EXPLANATIONS, NODE_RUN_BACKEND_EXPLANATIONS, PYTHON_BACKEND_EXPLANATIONS } from '../common/backends.js';

/** Every backend's one-liner, for a current backend the click does not cycle through (bullmq, py-dask). */
const ALL_EXPLANATIONS: Readonly<Record<string, string>> = { ...NODE_RUN_BACKEND_EXPLANATIONS, ...PYTHON_BACKEND_EXPLANATIONS };

export class BackendStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('poolscope.backend', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'PoolScope backend';
  }

  /**
   * Redraws from the current settings and run state. `explanations` are the
   * one-liners of the backends the click cycles through (Node's or Python's).
   */
  update(backend: string, workers: number, running: boolean, explanations: Readonly<Record<string, string>> = NODE_BACKEND_EXPLANATIONS): void {
    const item = this.item;
    item.text = running ? `$(sync~spin) ${backend} × ${workers}` : `$(pulse) ${backend} × ${workers}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**PoolScope** — tasks run on **${backend}** with **${workers}** worker(s): ${explanations[backend] ?? ALL_EXPLANATIONS[backend] ?? ''}.\n\n`);
    md.appendMarkdown(running ? 'A run is in progress: click to stop it.\n\n' : `Click to toggle the backend (${Object.keys(explanations).join(' → ')}).\n\n`);
    for (const [name, text] of Object.entries(explanations)) md.appendMarkdown(`- \`${name}\`: ${text}\n`);
    md.appendMarkdown('\nDistributed engines (`bullmq` for .ts/.js, `py-dask` for .py; other machines possible): pick them with **PoolScope: Switch Backend**.\n');
    item.tooltip = md;
    item.accessibilityInformation = { label: `PoolScope backend ${backend}, ${workers} workers${running ? ', running' : ''}`, role: 'button' };
    item.command = running ? 'poolscope.stopRun' : 'poolscope.toggleBackend';
    item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
