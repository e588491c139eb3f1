/**
 * Task errors as diagnostics at the line of the user's file where they were
 * thrown (the runner source-maps stacks back to the .ts source). One
 * diagnostic per failing call site and error name, listing the inputs that
 * failed there ("3 calls failed here: inputs 3, 6, 9"), not one per task.
 * Cleared when the next run starts, so they always describe the latest run;
 * kept in the workspace state, so a window reload shows the same problems.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { TaskError, TraceEvent } from '../trace/events.js';
import type { SourceLocation } from '../runner/protocol.js';
import { firstUserFrame } from '../common/stack-frames.js';
import { isCancelledError } from '../trace/run-numbers.js';
import { findExportedFunctions } from './exported-functions.js';
import { locateInFile } from './stack-location.js';

/** Inputs named in one diagnostic's message; past them it ends in "…" (no more look-ups: a million failing calls stay cheap). */
export const LISTED_INPUTS = 10;
/** Call sites kept across a reload (workspace state stays small). */
const STORED_SITES = 200;
const STATE_KEY = 'poolscope.diagnostics';
/** Look-ups of inputs per site at most (each scans the run's retained events): repeated inputs cannot make it quadratic. */
const MAX_LOOKUPS = 50;

/** The previews of the given tasks' inputs (from their task-queued events), as far as they are known. */
export type InputLookup = (runId: string, taskIds: ReadonlySet<number>) => Map<number, string>;

/** One failing call site: what the diagnostic says, in a form that survives a reload. */
interface Site {
  file: string;
  line: number;
  column: number;
  name: string;
  message: string;
  /** 'tasks': failed calls (inputs listed); 'load': the file did not load. */
  kind: 'tasks' | 'load';
  calls: number;
  /** Distinct input previews, in task order (tasks fail in any order), at most LISTED_INPUTS. */
  inputs: string[];
  /** The task id each listed input was first seen failing with (keeps `inputs` in task order). */
  inputTasks: number[];
  /** Calls failed here after the list was full (their inputs were not looked up). */
  more: boolean;
}

/** 1-based position of `fn`'s declaration in `file`, when the scanner finds it. */
function declarationOf(file: string, fn: string): { line: number; column: number } | undefined {
  try {
    const found = findExportedFunctions(fs.readFileSync(file, 'utf8')).find((f) => f.name === fn);
    return found ? { line: found.line + 1, column: 1 } : undefined;
  } catch {
    return undefined;
  }
}

/** "3 calls failed here: inputs 3, 6, 9" — a preview of several arguments goes in parentheses. */
export function describeCalls(calls: number, inputs: readonly string[], more: boolean): string {
  const shown = inputs.map((p) => (p.includes(',') ? `(${p})` : p));
  const what = calls === 1 ? '1 call failed here' : `${calls} calls failed here`;
  if (shown.length === 0) return what;
  return `${what}: ${shown.length === 1 && !more ? 'input' : 'inputs'} ${shown.join(', ')}${more ? ', …' : ''}`;
}

function messageOf(site: Site): string {
  const where = site.kind === 'load' ? 'the file did not load' : describeCalls(site.calls, site.inputs, site.more);
  return `${site.name}: ${site.message} (${where})`;
}

function isSite(v: unknown): v is Site {
  const s = v as Site;
  return typeof s === 'object' && s !== null && typeof s.file === 'string' && Number.isInteger(s.line) && s.line >= 0
    && Number.isInteger(s.column) && s.column >= 0 && typeof s.name === 'string' && typeof s.message === 'string'
    && (s.kind === 'tasks' || s.kind === 'load') && Number.isInteger(s.calls) && s.calls >= 0
    && Array.isArray(s.inputs) && s.inputs.every((i) => typeof i === 'string') && typeof s.more === 'boolean'
    && Array.isArray(s.inputTasks) && s.inputTasks.length === s.inputs.length && s.inputTasks.every((t) => Number.isInteger(t));
}

export class TaskDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('poolscope');
  /** Sites of the current run, by file:line:error name. */
  #sites = new Map<string, Site>();
  /** Input look-ups done per site (see MAX_LOOKUPS). */
  #lookups = new Map<string, number>();
  readonly #state: vscode.Memento | undefined;
  readonly #inputsOf: InputLookup | undefined;

  /**
   * @param state where the problems are kept across a window reload (the workspace state)
   * @param inputsOf finds the failing tasks' input previews (the retained trace)
   */
  constructor(state?: vscode.Memento, inputsOf?: InputLookup) {
    this.#state = state;
    this.#inputsOf = inputsOf;
    this.#restore();
  }

  /** Forgets the previous run's problems. */
  clear(): void {
    this.collection.clear();
    this.#sites.clear();
    this.#lookups.clear();
    void this.#state?.update(STATE_KEY, undefined);
  }

  /**
   * Adds diagnostics for the failed tasks in `batch`, placed in `file` (the
   * user's file). An error with no frame in the user's code (a timeout, a
   * crashed worker) goes on the declaration of `fn` when it is known.
   */
  addFromEvents(batch: readonly TraceEvent[], file: string, fn?: string): void {
    /** Per site, per run: the failed tasks of this batch whose inputs are still to be listed. */
    const wanted = new Map<string, Map<string, Set<number>>>();
    let changed = false;
    for (const e of batch) {
      if (e.type !== 'task-end' || e.ok || !e.error) continue;
      // The user stopped the run: the tasks it cut short are not problems in their code.
      if (isCancelledError(e.error)) continue;
      const key = this.#site(file, e.error, 'tasks', undefined, fn);
      const site = this.#sites.get(key)!;
      site.calls++;
      changed = true;
      if (site.inputs.length >= LISTED_INPUTS || (this.#lookups.get(key) ?? 0) >= MAX_LOOKUPS) { site.more = true; continue; }
      const byRun = wanted.get(key) ?? new Map<string, Set<number>>();
      wanted.set(key, byRun);
      const ids = byRun.get(e.runId) ?? new Set<number>();
      byRun.set(e.runId, ids);
      ids.add(e.taskId);
    }
    if (changed) {
      this.#listInputs(wanted);
      this.#flush();
    }
  }

  /** A load error (syntax error, missing export): at its location when known, else at the top. */
  addLoadError(file: string, error: TaskError & { location?: SourceLocation }): void {
    const at = error.location;
    const key = this.#site(at?.file ?? file, error, 'load', at ? { line: at.line, column: at.column } : undefined);
    this.#sites.get(key)!.calls++;
    this.#flush();
  }

  /** The site's key, creating the site on first sight. */
  #site(runFile: string, error: TaskError, kind: Site['kind'], at?: { line: number; column: number }, fn?: string): string {
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
    if (!this.#sites.has(key)) {
      this.#sites.set(key, {
        file, line, column: Math.max(0, (where?.column ?? 1) - 1), name: error.name, message: error.message,
        kind, calls: 0, inputs: [], inputTasks: [], more: false,
      });
    }
    return key;
  }

  /** Lists the failed tasks' inputs (distinct, in task order) until a site lists LISTED_INPUTS; later ones make it end in "…". */
  #listInputs(wanted: Map<string, Map<string, Set<number>>>): void {
    for (const [key, byRun] of wanted) {
      const site = this.#sites.get(key)!;
      for (const [runId, ids] of byRun) {
        this.#lookups.set(key, (this.#lookups.get(key) ?? 0) + 1);
        const found = this.#inputsOf?.(runId, ids) ?? new Map<number, string>();
        for (const id of [...ids].sort((a, b) => a - b)) {
          const preview = found.get(id);
          if (preview === undefined || site.inputs.includes(preview)) continue;
          if (site.inputs.length >= LISTED_INPUTS) { site.more = true; continue; }
          let at = site.inputTasks.findIndex((t) => t > id);
          if (at < 0) at = site.inputs.length;
          site.inputs.splice(at, 0, preview);
          site.inputTasks.splice(at, 0, id);
        }
      }
    }
  }

  #flush(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const site of this.#sites.values()) {
      const d = new vscode.Diagnostic(new vscode.Range(site.line, site.column, site.line, Number.MAX_SAFE_INTEGER), messageOf(site), vscode.DiagnosticSeverity.Error);
      d.source = 'PoolScope';
      d.code = site.name;
      const list = byFile.get(site.file) ?? [];
      list.push(d);
      byFile.set(site.file, list);
    }
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
    void this.#state?.update(STATE_KEY, [...this.#sites.values()].slice(0, STORED_SITES));
  }

  /** The problems from before a window reload, as they were. */
  #restore(): void {
    const stored = this.#state?.get<unknown>(STATE_KEY);
    if (!Array.isArray(stored)) return;
    for (const s of stored) if (isSite(s)) this.#sites.set(`${s.file}:${s.line}:${s.name}`, { ...s, inputs: s.inputs.slice(0, LISTED_INPUTS), inputTasks: s.inputTasks.slice(0, LISTED_INPUTS) });
    if (this.#sites.size) this.#flush();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
