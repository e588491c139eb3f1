/**
 * Keeps the retained trace history on disk (the workspace's extension
 * storage), so a window reload — which restarts the extension host and with
 * it the in-memory history — can still replay every retained run to the
 * restored timeline. The webview persists small runs itself; big ones come
 * from here.
 */
import * as vscode from 'vscode';
import type { TraceEvent } from '../trace/events.js';
import { isTraceEvent } from '../common/webview-protocol.js';

const FILE_NAME = 'trace-history.json';
/** Writes are coalesced: a compare run ends four runs in a row. */
const SAVE_DELAY_MS = 1000;

interface StoredHistory {
  v: 1;
  events: TraceEvent[];
}

export class HistoryStore implements vscode.Disposable {
  readonly #file: vscode.Uri | undefined;
  readonly #log: vscode.LogOutputChannel;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: (() => TraceEvent[]) | undefined;

  constructor(storageDir: vscode.Uri | undefined, log: vscode.LogOutputChannel) {
    this.#file = storageDir ? vscode.Uri.joinPath(storageDir, FILE_NAME) : undefined;
    this.#log = log;
  }

  /** The stored events, or [] when there are none or the file is unreadable. */
  async load(): Promise<TraceEvent[]> {
    if (!this.#file) return [];
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(this.#file));
      const stored = JSON.parse(text) as StoredHistory;
      if (stored?.v !== 1 || !Array.isArray(stored.events)) return [];
      // The file is ours, but a damaged one must not poison the timeline.
      return stored.events.filter(isTraceEvent);
    } catch (e) {
      if ((e as { code?: string }).code !== 'FileNotFound') this.#log.debug(`history: not restored: ${String(e)}`);
      return [];
    }
  }

  /** Schedules a save of whatever `snapshot()` returns at write time. */
  scheduleSave(snapshot: () => TraceEvent[]): void {
    if (!this.#file) return;
    this.#pending = snapshot;
    this.#timer ??= setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const snapshot = this.#pending;
    this.#pending = undefined;
    if (!snapshot || !this.#file) return;
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.#file, '..'));
      const body: StoredHistory = { v: 1, events: snapshot() };
      await vscode.workspace.fs.writeFile(this.#file, new TextEncoder().encode(JSON.stringify(body)));
    } catch (e) {
      this.#log.warn(`history: not saved: ${String(e)}`);
    }
  }

  dispose(): void {
    // deactivate() has written a pending save already (flush); nothing is left to do but stop the timer.
    if (this.#timer) clearTimeout(this.#timer);
  }
}
