/**
 * Whether the user is working on a Python or a JavaScript/TypeScript file:
 * the status bar shows (and its click toggles) the backend of that language.
 * Follows the last *text* editor, so focusing the timeline panel (which has
 * no text editor) does not flip the status bar.
 */
import * as vscode from 'vscode';
import { isPythonFile } from '../runner/python/functions.js';

export class ActiveSource implements vscode.Disposable {
  #python = isPythonFile(vscode.window.activeTextEditor?.document.uri.fsPath ?? '');
  readonly #onDidChange = new vscode.EventEmitter<boolean>();
  /** Fires with the new value when the language of the active source changes. */
  readonly onDidChange = this.#onDidChange.event;
  readonly #listener = vscode.window.onDidChangeActiveTextEditor((editor) => {
    if (!editor) return;
    const python = isPythonFile(editor.document.uri.fsPath);
    if (python === this.#python) return;
    this.#python = python;
    this.#onDidChange.fire(python);
  });

  /** True when the last active text editor holds a .py file. */
  get isPython(): boolean {
    return this.#python;
  }

  dispose(): void {
    this.#listener.dispose();
    this.#onDidChange.dispose();
  }
}
