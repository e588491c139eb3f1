/**
 * Task errors as diagnostics at the line of the user's file where they were
 * thrown (the runner source-maps stacks back to the .ts source). Cleared when
 * the next run starts, so they always describe the latest run.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { TaskError, TraceEvent } from '../trace/events.js';
import type { SourceLocation } from '../runner/protocol.js';
import { firstUserFrame } from '../common/stack-frames.js';
import { findExportedFunctions } from './exported-functions.js';
import { locateInFile } from './stack-location.js';

/** Errors that mean "the run was stopped", not "the code is wrong". */
const STOP_ERRORS = new Set(['PoolTerminated']);

/** 1-based position of `fn`'s declaration in `file`, when the scanner finds it. */
function declarationOf(file: string, fn: string): { line: number; column: number } | undefined {
  try {
    const found = findExportedFunctions(fs.readFileSync(file, 'utf8')).find((f) => f.name === fn);
    return found ? { line: found.line + 1, column: 1 } : undefined;
  } catch {
    return undefined;
  }
}

export class TaskDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('poolscope');
  /** Diagnostics of the current run, per file, grouped so one setter call replaces them. */
  #pending = new Map<string, vscode.Diagnostic[]>();
  /** One diagnostic per (line, error name): 100 tasks failing at one line are one problem. */
  #seen = new Set<string>();

  /** Forgets the previous run's problems. */
  clear(): void {
    this.collection.clear();
    this.#pending.clear();
    this.#seen.clear();
  }

  /**
   * Adds diagnostics for the failed tasks in `batch`, placed in `file` (the
   * user's file). An error with no frame in the user's code (a timeout, a
   * crashed worker) goes on the declaration of `fn` when it is known.
   */
  addFromEvents(batch: readonly TraceEvent[], file: string, fn?: string): void {
    let changed = false;
    for (const e of batch) {
      if (e.type !== 'task-end' || e.ok || !e.error) continue;
      // The user stopped the run: the tasks it cut short are not problems in their code.
      if (STOP_ERRORS.has(e.error.name)) continue;
      changed = this.#add(file, e.error, `task ${e.taskId}`, undefined, fn) || changed;
    }
    if (changed) this.#flush();
  }

  /** A load error (syntax error, missing export): at its location when known, else at the top. */
  addLoadError(file: string, error: TaskError & { location?: SourceLocation }): void {
    const at = error.location;
    if (this.#add(at?.file ?? file, error, 'load', at ? { line: at.line, column: at.column } : undefined)) this.#flush();
  }

  #add(runFile: string, error: TaskError, what: string, at?: { line: number; column: number }, fn?: string): boolean {
    // Prefer the run's own file; an error thrown in a module it imports goes on that module's line.
    let file = runFile;
    let where = at ?? locateInFile(error.stack, runFile);
    const frame = where ? undefined : firstUserFrame(error.stack);
    // Only the user's own files: never a bundle in a cache directory.
    if (frame && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(frame.file))) {
      file = frame.file;
      where = { line: frame.line, column: frame.column };
    }
    where ??= fn ? declarationOf(runFile, fn) : undefined;
    const line = Math.max(0, (where?.line ?? 1) - 1);
    const key = `${file}:${line}:${error.name}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    const column = Math.max(0, (where?.column ?? 1) - 1);
    const range = new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER);
    const d = new vscode.Diagnostic(range, `${error.name}: ${error.message} (${what})`, vscode.DiagnosticSeverity.Error);
    d.source = 'PoolScope';
    d.code = error.name;
    const list = this.#pending.get(file) ?? [];
    list.push(d);
    this.#pending.set(file, list);
    return true;
  }

  #flush(): void {
    for (const [file, list] of this.#pending) this.collection.set(vscode.Uri.file(file), [...list]);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
