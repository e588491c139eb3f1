/**
 * Owns the one timeline panel and the retained history behind it: creates or
 * reveals the panel, revives it after a window reload (the
 * `WebviewPanelSerializer`), feeds it live events, and turns the webview's
 * validated requests (run again, compare, stop, backend, export …) into
 * commands.
 */
import * as vscode from 'vscode';
import type { TaskError, TraceEvent } from '../trace/events.js';
import type { FirstBarMessage, FromWebview, RunPhase, ToWebview } from '../common/webview-protocol.js';
import { TIMELINE_VIEW_TYPE, TimelinePanel, type TimelineHost } from './timeline-panel.js';
import { TraceHistory } from './trace-history.js';
import type { HistoryStore } from './history-store.js';
import { readSettings, writeSetting } from './settings.js';

export class TimelineController implements vscode.Disposable, TimelineHost {
  readonly history: TraceHistory;
  readonly log: vscode.LogOutputChannel;
  readonly #extensionUri: vscode.Uri;
  #panel: TimelinePanel | undefined;
  #phase: { phase: RunPhase; runIds: string[]; message?: string } = { phase: 'idle', runIds: [] };
  #running = false;
  readonly #disposables: vscode.Disposable[] = [];
  readonly #onDidChangePanel = new vscode.EventEmitter<TimelinePanel | undefined>();
  readonly onDidChangePanel = this.#onDidChangePanel.event;
  readonly #onFirstBar = new vscode.EventEmitter<FirstBarMessage>();
  /** The live panel drew a run's first bar (the click timing's last stage). */
  readonly onFirstBar = this.#onFirstBar.event;
  readonly #store: HistoryStore;
  #restored: Promise<void> | undefined;

  /** Whether runs are allowed (the extension wires the trust gate in; Restricted Mode disables the webview's run controls). */
  canRun: () => boolean = () => true;

  constructor(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, store: HistoryStore) {
    this.#extensionUri = extensionUri;
    this.log = log;
    this.#store = store;
    this.history = new TraceHistory(readSettings().maxTasksShown);
    this.#disposables.push(
      vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
        deserializeWebviewPanel: (panel: vscode.WebviewPanel) => this.revive(panel).then(() => undefined),
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('poolscope.maxTasksShown')) this.history.maxTasks = readSettings().maxTasksShown;
        if (e.affectsConfiguration('poolscope.backend') || e.affectsConfiguration('poolscope.workers')) this.postConfig();
      }),
      this.#onDidChangePanel, this.#onFirstBar,
    );
  }

  /** The open panel, if any. */
  get panel(): TimelinePanel | undefined {
    return this.#panel;
  }

  /**
   * Brings the stored history (from before a window reload) back into memory,
   * once, on first need — not at activation, which must stay light.
   */
  ensureRestored(): Promise<void> {
    this.#restored ??= this.#store.load().then((events) => {
      if (events.length === 0) return;
      // Runs that arrived while loading are newer: put the stored ones first.
      const live = this.history.events();
      this.history.clear();
      const restored = this.history.add(events);
      this.history.add(live);
      this.#panel?.pushEvents(restored);
      this.log.debug(`timeline: restored ${this.history.size} run(s) from before the reload`);
    });
    return this.#restored;
  }

  /**
   * Adopts a panel VS Code restored after a window reload (the serializer's
   * job; public so the suite can drive the same path without reloading).
   */
  async revive(panel: vscode.WebviewPanel): Promise<TimelinePanel> {
    // Replay needs the restored history: wait for it before the webview can say `ready`.
    await this.ensureRestored();
    return this.#adopt(TimelinePanel.revive(panel, this.#extensionUri, this));
  }

  /** Opens the panel beside the editor, or reveals the existing one. */
  show(): TimelinePanel {
    void this.ensureRestored();
    if (this.#panel) {
      // Already on screen: revealing it again would only make the workbench lay the editors out again, while a
      // click's first events are on their way to it.
      if (!this.#panel.panel.visible) this.#panel.reveal();
      return this.#panel;
    }
    return this.#adopt(TimelinePanel.create(this.#extensionUri, this));
  }

  #adopt(panel: TimelinePanel): TimelinePanel {
    this.#panel?.dispose();
    this.#panel = panel;
    panel.onFirstBar((m) => this.#onFirstBar.fire(m));
    panel.onDidDispose(() => {
      if (this.#panel === panel) {
        this.#panel = undefined;
        this.#onDidChangePanel.fire(undefined);
      }
    });
    this.#onDidChangePanel.fire(panel);
    return panel;
  }

  /** Live events of a run: retained, then forwarded if the panel is showing. */
  addEvents(batch: readonly TraceEvent[]): void {
    const fresh = this.history.add(batch);
    this.#panel?.pushEvents(fresh);
    if (fresh.some((e) => e.type === 'run-end')) this.#save();
  }

  /**
   * After the runner exited: any run it left without a run-end (killed after
   * Stop, crashed) is ended here with `error`, so it is shown stopped — live,
   * after a reload and in exports — never as still running.
   */
  closeOpenRuns(error: TaskError): TraceEvent[] {
    const added = this.history.closeOpenRuns(error);
    if (added.length === 0) return added;
    this.#panel?.pushEvents(added);
    this.#save();
    this.log.info(`timeline: ${added.filter((e) => e.type === 'run-end').length} run(s) ended without their run-end: marked ${error.name}`);
    return added;
  }

  #save(): void {
    this.#store.scheduleSave(() => this.history.events());
  }

  setPhase(phase: RunPhase, runIds: string[], message?: string): void {
    this.#phase = { phase, runIds: runIds.length ? runIds : this.#phase.runIds, message };
    if (phase === 'starting') this.#phase.runIds = [];
    this.#running = phase === 'starting' || phase === 'running' || phase === 'stopping';
    this.#panel?.post(this.#runStateMessage());
    this.postConfig();
  }

  postConfig(): void {
    this.#panel?.post(this.#configMessage());
  }

  #configMessage(): ToWebview {
    const s = readSettings();
    const m: ToWebview = { type: 'config', host: 'vscode', backend: s.backend, workers: s.workers, running: this.#running, maxWorkers: 64 };
    if (!this.canRun()) {
      m.canRun = false;
      m.canRunReason = 'Restricted Mode: PoolScope runs code only in a trusted workspace';
    }
    return m;
  }

  #runStateMessage(): ToWebview {
    const m: ToWebview = { type: 'run-state', phase: this.#phase.phase, runIds: this.#phase.runIds };
    if (this.#phase.message) m.message = this.#phase.message;
    return m;
  }

  // ── TimelineHost ──

  eventsSince(lastSeq: Readonly<Record<string, number>>): TraceEvent[] {
    return this.history.since(lastSeq);
  }

  initialMessages(): ToWebview[] {
    return [this.#configMessage(), this.#runStateMessage()];
  }

  async onMessage(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'rendered':
      case 'first-bar':
        return;
      case 'run-again':
        await vscode.commands.executeCommand('poolscope.runAgain');
        return;
      case 'compare':
        await vscode.commands.executeCommand('poolscope.compareBackends');
        return;
      case 'stop':
        await vscode.commands.executeCommand('poolscope.stopRun');
        return;
      case 'set-backend':
        // Through the command, so a distributed engine picked here is checked (and a missing one named) as from the palette.
        await vscode.commands.executeCommand('poolscope.switchBackend', message.backend);
        return;
      case 'set-workers':
        await writeSetting('workers', Math.min(64, message.workers));
        return;
      case 'clear':
        this.#restored ??= Promise.resolve();
        this.history.clear();
        this.#save();
        this.#panel?.post({ type: 'reset' });
        return;
      case 'export':
        await vscode.commands.executeCommand('poolscope.exportTrace', { format: message.format, runIds: message.runIds, data: message.data });
        return;
      case 'open-trace':
        await vscode.commands.executeCommand('poolscope.openTrace');
        return;
      case 'reveal':
        await this.#reveal(message.file, message.line, message.column);
        return;
      default:
        return;
    }
  }

  /** `reveal` requests refused because no retained run used the file and it is outside the workspace (tests wait on it). */
  refusedReveals = 0;

  /**
   * Opens a file the trace points at — only a file a retained run ran or one
   * inside the workspace, so a message cannot open arbitrary paths.
   */
  async #reveal(file: string, line: number, column: number): Promise<void> {
    const known = new Set(this.history.events().flatMap((e) => (e.type === 'run-start' && e.file ? [e.file] : [])));
    if (!known.has(file) && !vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))) {
      this.log.warn(`timeline: not revealing ${file}: no retained run ran it`);
      this.refusedReveals++;
      return;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const pos = new vscode.Position(line - 1, column - 1);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
  }

  dispose(): void {
    this.#panel?.dispose();
    for (const d of this.#disposables.splice(0)) d.dispose();
  }
}
