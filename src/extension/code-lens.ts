/**
 * "▶ Run in pool · Compare backends" above every exported function of a
 * .ts/.js file. Off with `poolscope.codeLens: false`.
 */
import * as vscode from 'vscode';
import { findExportedFunctions } from './exported-functions.js';
import { findPythonRunnables, isPythonFile } from '../runner/python/functions.js';
import { readSettings } from './settings.js';

export class RunCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  readonly #changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.#changed.event;
  readonly #configListener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('poolscope.codeLens')) this.#changed.fire();
  });
  readonly #trustListener = vscode.workspace.onDidGrantWorkspaceTrust(() => this.#changed.fire());

  /** `trusted`: may this window run the workspace's code (Restricted Mode says no). */
  constructor(private readonly trusted: () => boolean = () => vscode.workspace.isTrusted) {}

  /** Re-asks for lenses (trust changed under a test's override). */
  refresh(): void {
    this.#changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!readSettings().codeLens) return [];
    const lenses: vscode.CodeLens[] = [];
    const text = document.getText();
    const trusted = this.trusted();
    for (const f of isPythonFile(document.uri.fsPath) ? findPythonRunnables(text) : findExportedFunctions(text)) {
      const range = new vscode.Range(f.line, 0, f.line, 0);
      if (!trusted) {
        // Restricted Mode: say so where the run button would be, and offer the way out (nothing is asked or run).
        lenses.push(new vscode.CodeLens(range, {
          title: '$(shield) Restricted Mode: running is disabled', command: 'workbench.trust.manage',
          tooltip: 'PoolScope runs this workspace\'s code, so it needs a trusted workspace. Click to manage Workspace Trust.',
        }));
        continue;
      }
      const args = { file: document.uri.fsPath, fn: f.name };
      if (f.isDefault) {
        lenses.push(new vscode.CodeLens(range, { title: '▶ Run file', command: 'poolscope.runFile', arguments: [args], tooltip: 'Run this file\'s default export with the pool backend from the status bar' }));
        continue;
      }
      lenses.push(
        new vscode.CodeLens(range, { title: '▶ Run in pool', command: 'poolscope.runFunction', arguments: [args], tooltip: `Run ${f.name} over a list of inputs in the pool` }),
        new vscode.CodeLens(range, { title: 'Compare backends', command: 'poolscope.compareBackends', arguments: [args], tooltip: `Run ${f.name} on every backend, one after another, on one clock` }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.#configListener.dispose();
    this.#trustListener.dispose();
    this.#changed.dispose();
  }
}
