/**
 * Open Trace: each trace file gets a panel of its own, titled by the file
 * name, beside the live timeline rather than in it. The panel is read-only:
 * its page shows no run controls, and its host acts on no run request (run
 * again, compare, stop, backend, pool size) — nothing in it can start a run,
 * so it works in Restricted Mode too. Export, zoom and the task details work
 * as in the live panel; the events come from the file, replayed the same way
 * (by seq on every `ready`), and a window reload reads the file again (the
 * page keeps its path in its state).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TraceEvent } from '../trace/events.js';
import type { FromWebview, ToWebview } from '../common/webview-protocol.js';
import { TRACE_FILE_VIEW_TYPE, TimelinePanel, type PanelKind, type TimelineHost } from './timeline-panel.js';
import { TraceHistory } from './trace-history.js';
import { exportTrace, readTraceFile } from './trace-files.js';

/** Messages a read-only panel never acts on. */
const RUN_REQUESTS: ReadonlySet<FromWebview['type']> = new Set(['run-again', 'compare', 'stop', 'set-backend', 'set-workers']);

/** The trace file path a restored page kept in its state, if it is one we could have written there. */
export function sourceOfState(state: unknown): string | undefined {
  const source = (state as { source?: unknown } | undefined)?.source;
  if (typeof source !== 'string' || source.length > 4096 || !path.isAbsolute(source) || source.includes('\0')) return undefined;
  return source;
}

/** Runs in the order they first appear, each run's events in seq order (so replay by seq holds every event). */
function bySeq(events: readonly TraceEvent[]): TraceEvent[] {
  const runs = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const list = runs.get(e.runId) ?? [];
    list.push(e);
    runs.set(e.runId, list);
  }
  return [...runs.values()].flatMap((list) => list.sort((a, b) => a.seq - b.seq));
}

/** One trace file's panel and the events it replays. */
export class TraceFileView implements TimelineHost {
  /** Every event of the file (nothing is evicted: the file is what the user asked to see). */
  readonly history = new TraceHistory(Number.POSITIVE_INFINITY);
  readonly log: vscode.LogOutputChannel;
  readonly file: string;
  panel!: TimelinePanel;
  /** Run requests refused (tests wait on it). */
  refusedRequests = 0;

  constructor(file: string, events: readonly TraceEvent[], log: vscode.LogOutputChannel) {
    this.file = file;
    this.log = log;
    this.history.add(bySeq(events));
  }

  eventsSince(lastSeq: Readonly<Record<string, number>>): TraceEvent[] {
    return this.history.since(lastSeq);
  }

  initialMessages(): ToWebview[] {
    return [{ type: 'run-state', phase: 'done', runIds: this.history.runIds }];
  }

  async onMessage(message: FromWebview): Promise<void> {
    if (RUN_REQUESTS.has(message.type)) {
      this.refusedRequests++;
      this.log.info(`trace file ${path.basename(this.file)}: ignored '${message.type}' — a trace file's panel is read-only`);
      return;
    }
    switch (message.type) {
      case 'export': {
        const uri = await exportTrace(this.history.events(message.runIds), message.format, undefined, message.data);
        if (uri) void vscode.window.showInformationMessage(`PoolScope: trace saved to ${uri.fsPath}`);
        return;
      }
      case 'open-trace':
        await vscode.commands.executeCommand('poolscope.openTrace');
        return;
      case 'reveal': {
        // A file from elsewhere may name any path: only files inside the workspace are opened.
        const uri = vscode.Uri.file(message.file);
        if (!vscode.workspace.getWorkspaceFolder(uri)) {
          this.log.warn(`trace file: not revealing ${message.file}: outside the workspace`);
          return;
        }
        const pos = new vscode.Position(message.line - 1, message.column - 1);
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { selection: new vscode.Range(pos, pos) });
        return;
      }
      default:
        return;
    }
  }
}

export class TraceFilePanels implements vscode.Disposable {
  readonly #views = new Set<TraceFileView>();
  readonly #extensionUri: vscode.Uri;
  readonly #log: vscode.LogOutputChannel;
  readonly #disposables: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    this.#extensionUri = extensionUri;
    this.#log = log;
    this.#disposables.push(vscode.window.registerWebviewPanelSerializer(TRACE_FILE_VIEW_TYPE, {
      deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown) => this.revive(panel, state).then(() => undefined),
    }));
  }

  /** The open trace-file panels. */
  get views(): TraceFileView[] {
    return [...this.#views];
  }

  /** Shows `events` read from `file` in a panel of its own (the file's earlier panel, if any, is replaced). */
  open(file: string, events: readonly TraceEvent[]): TraceFileView {
    for (const old of this.#views) if (old.file === file) old.panel.dispose();
    return this.#adopt(new TraceFileView(file, events, this.#log), (view) => TimelinePanel.create(this.#extensionUri, view, this.#kind(file)));
  }

  /** After a window reload: reads the file the page showed again (its own persisted runs stay if the file is gone). */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<TraceFileView> {
    const file = sourceOfState(state);
    let events: TraceEvent[] = [];
    if (file) {
      try {
        events = await readTraceFile(vscode.Uri.file(file));
      } catch (e) {
        this.#log.info(`trace file ${file} not read again after the reload: ${String(e)}`);
      }
    }
    const kind = this.#kind(file ?? '');
    if (!file) kind.title = panel.title;
    return this.#adopt(new TraceFileView(file ?? '', events, this.#log), (view) => TimelinePanel.revive(panel, this.#extensionUri, view, kind));
  }

  #kind(file: string): PanelKind {
    return { viewType: TRACE_FILE_VIEW_TYPE, title: path.basename(file) || 'Trace', readOnly: true, source: file || undefined };
  }

  #adopt(view: TraceFileView, make: (view: TraceFileView) => TimelinePanel): TraceFileView {
    view.panel = make(view);
    this.#views.add(view);
    view.panel.onDidDispose(() => this.#views.delete(view));
    return view;
  }

  dispose(): void {
    for (const view of this.#views) view.panel.dispose();
    for (const d of this.#disposables.splice(0)) d.dispose();
  }
}
