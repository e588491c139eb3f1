/**
 * Asks for a function's inputs: a JSON array, `range(a, b[, step])` or
 * `@file.json`, validated as the user types with the runner's own parser (so
 * what the box accepts is exactly what the runner runs), and remembered per
 * function in workspace state.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadInputs, parseInputText } from '../runner/inputs.js';

const MEMENTO_PREFIX = 'poolscope.inputs:';

/** Parses inputs text the way the runner will; `@file` is relative to the user's file. */
export function parseInputs(text: string, baseDir: string): { ok: true; inputs: unknown[][] } | { ok: false; error: string } {
  if (text.trim().startsWith('@')) {
    try {
      return { ok: true, inputs: loadInputs(text, baseDir) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
  return parseInputText(text);
}

export class InputsPrompt {
  readonly #state: vscode.Memento;

  constructor(state: vscode.Memento) {
    this.#state = state;
  }

  #key(file: string, fn: string): string {
    return `${MEMENTO_PREFIX}${file}#${fn}`;
  }

  /** The text last used for this function, if any. */
  remembered(file: string, fn: string): string | undefined {
    return this.#state.get<string>(this.#key(file, fn));
  }

  async remember(file: string, fn: string, text: string): Promise<void> {
    await this.#state.update(this.#key(file, fn), text);
  }

  /**
   * Shows the input box, prefilled with the remembered text or `defaultText`.
   * Resolves with the parsed inputs and the text, or undefined when cancelled.
   */
  async ask(file: string, fn: string, defaultText: string): Promise<{ text: string; inputs: unknown[][] } | undefined> {
    const baseDir = path.dirname(file);
    const value = this.remembered(file, fn) ?? defaultText;
    const text = await vscode.window.showInputBox({
      title: `PoolScope: inputs for ${fn}`,
      prompt: 'One task per element: a JSON array like [1, 2, 3] or [[1, 2], [3, 4]], range(a, b[, step]), or @inputs.json',
      value,
      valueSelection: [0, value.length],
      ignoreFocusOut: true,
      validateInput: (t) => {
        const parsed = parseInputs(t, baseDir);
        if (!parsed.ok) return { message: parsed.error, severity: vscode.InputBoxValidationSeverity.Error };
        return { message: `${parsed.inputs.length} task(s)`, severity: vscode.InputBoxValidationSeverity.Info };
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseInputs(text, baseDir);
    if (!parsed.ok) return undefined;
    await this.remember(file, fn, text);
    return { text, inputs: parsed.inputs };
  }
}
