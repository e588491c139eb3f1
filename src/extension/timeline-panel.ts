/**
 * The timeline webview panel: one panel, reused across runs, beside the
 * editor. Strict CSP (`default-src 'none'`, one nonce script, styles from
 * `cspSource`), `localResourceRoots` narrowed to dist/ and media/, and no
 * `retainContextWhenHidden`: the webview's state is rebuilt by replay.
 *
 * Replay: the host keeps every retained event (TraceHistory). Whenever the
 * webview (re)starts — first open, shown again after being hidden, restored
 * by the serializer after a window reload — it posts `ready` with the highest
 * `seq` it already holds per run, and the host sends the rest. Live events are
 * posted only while the webview is ready; anything it misses comes with the
 * next `ready`.
 *
 * Every message from the webview goes through the webview's own
 * `parseFromWebview`; what it rejects is logged and dropped.
 *
 * The same class shows a trace file (Open Trace) in a panel of its own,
 * read-only: the page is told so by its HTML (`data-read-only`), and that
 * panel's host acts on no run request.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { TraceEvent } from '../trace/events.js';
import { monotonicUs } from '../pool/clock.js';
import { PROTOCOL_VERSION, eventMessages, parseFromWebview, type FirstBarMessage, type FromWebview, type RenderedMessage, type ToWebview } from '../common/webview-protocol.js';

export const TIMELINE_VIEW_TYPE = 'poolscope.timeline';
/** A trace file opened with Open Trace: its own read-only panel per file. */
export const TRACE_FILE_VIEW_TYPE = 'poolscope.traceFile';

/** Which kind of panel: the one live timeline, or a read-only view of a trace file. */
export interface PanelKind {
  viewType: string;
  title: string;
  /** No run controls; the page says so and the host acts on no run request. */
  readOnly: boolean;
  /** The trace file shown (read-only panels): persisted by the webview, so a reload can read it again. */
  source?: string;
}

export const LIVE_PANEL: PanelKind = { viewType: TIMELINE_VIEW_TYPE, title: 'PoolScope Timeline', readOnly: false };

/** Live events are coalesced for this long before posting (the webview redraws per frame anyway). */
const LIVE_FLUSH_MS = 40;
/** The one options object for a created and a restored panel, so both behave the same. */
export function getWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    enableFindWidget: true,
  };
}

/** What the panel needs from the rest of the extension; keeps the panel free of run logic. */
export interface TimelineHost {
  /** Everything the webview lacks, given what it holds. */
  eventsSince(lastSeq: Readonly<Record<string, number>>): TraceEvent[];
  /** The current config and run state, sent after every `ready`. */
  initialMessages(): ToWebview[];
  /** A validated message from the webview that the host acts on (run again, stop, export …). */
  onMessage(message: FromWebview): void | Promise<void>;
  log: vscode.LogOutputChannel;
}

export class TimelinePanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  readonly #host: TimelineHost;
  readonly #disposables: vscode.Disposable[] = [];
  #ready = false;
  #pending: TraceEvent[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  /** Messages rejected by `parseFromWebview` (tests assert on it). */
  rejectedMessages = 0;
  /** The webview's latest report of what it drew. */
  lastRendered: RenderedMessage | undefined;
  readonly #onRendered = new vscode.EventEmitter<RenderedMessage>();
  readonly onRendered = this.#onRendered.event;
  readonly #onFirstBar = new vscode.EventEmitter<FirstBarMessage>();
  /** The webview drew a live run's first bar (once per run; the click's last stage). */
  readonly onFirstBar = this.#onFirstBar.event;
  readonly #onReady = new vscode.EventEmitter<void>();
  /** Fires each time the webview (re)started and was caught up. */
  readonly onReady = this.#onReady.event;
  readonly #onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.#onDidDispose.event;

  /**
   * Opens a new panel: the live timeline beside the active editor (keeping the
   * editor's focus), a trace file in the active editor group.
   */
  static create(extensionUri: vscode.Uri, host: TimelineHost, kind: PanelKind = LIVE_PANEL): TimelinePanel {
    const panel = vscode.window.createWebviewPanel(
      kind.viewType,
      kind.title,
      kind.readOnly ? { viewColumn: vscode.ViewColumn.Active, preserveFocus: false } : { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      getWebviewOptions(extensionUri),
    );
    return new TimelinePanel(panel, extensionUri, host, kind);
  }

  /** Adopts a panel restored by the serializer after a reload (options re-applied: the same panel). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, host: TimelineHost, kind: PanelKind = LIVE_PANEL): TimelinePanel {
    panel.webview.options = getWebviewOptions(extensionUri);
    return new TimelinePanel(panel, extensionUri, host, kind);
  }

  readonly kind: PanelKind;

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, host: TimelineHost, kind: PanelKind) {
    this.panel = panel;
    this.#host = host;
    this.kind = kind;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    // Listen before setting html so the first `ready` cannot be missed.
    this.#disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden webview's document is destroyed; it will send `ready` again when shown.
        if (!panel.visible) this.#ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      this.#onRendered, this.#onReady, this.#onFirstBar,
    );
    panel.webview.html = renderHtml(panel.webview, extensionUri, kind);
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Shows the panel (beside the editor) without taking focus from the editor. */
  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  /**
   * Queues live events for the webview, sent every LIVE_FLUSH_MS — but a run's start and its first task-start
   * at once: the lanes and the first bar of a click do not wait for the batch.
   */
  pushEvents(batch: readonly TraceEvent[]): void {
    if (this.#disposed || !this.#ready || batch.length === 0) return;
    let now = false;
    let firstStart: string | undefined;
    for (const e of batch) {
      this.#pending.push(e);
      if (e.type === 'run-start') now = true;
      else if (e.type === 'task-start' && firstStart === undefined && !this.firstStartPosts.has(e.runId)) firstStart = e.runId;
    }
    if (!now && firstStart === undefined) {
      this.#flushTimer ??= setTimeout(() => this.#flush(), LIVE_FLUSH_MS);
      return;
    }
    const postedMonoUs = monotonicUs();
    const delivered = this.#flush();
    if (firstStart !== undefined) {
      // For the click's stages (RunController.lastClick): when the first task-start was posted and delivered.
      if (this.firstStartPosts.size >= 100) this.firstStartPosts.clear();
      const post: { postedMonoUs: number; deliveredMonoUs?: number } = { postedMonoUs };
      this.firstStartPosts.set(firstStart, post);
      void delivered?.then(() => { post.deliveredMonoUs = monotonicUs(); });
    }
  }

  /** Per run: when its first task-start was posted to the webview and when VS Code said it was delivered (CLOCK_MONOTONIC µs). */
  readonly firstStartPosts = new Map<string, { postedMonoUs: number; deliveredMonoUs?: number }>();

  /** Sends a control message now (only while ready; `ready` re-sends the state anyway). */
  post(message: ToWebview): void {
    if (this.#disposed || !this.#ready) return;
    if (message.type !== 'events') this.#flush();
    void this.panel.webview.postMessage(message);
  }

  /**
   * Handles one raw message from the webview. Public so tests can feed it
   * hostile input; never throws.
   */
  receive(raw: unknown): void {
    let message: FromWebview | undefined;
    try {
      message = parseFromWebview(raw);
    } catch {
      message = undefined;
    }
    if (!message) {
      this.rejectedMessages++;
      this.#host.log.warn(`timeline: ignored an invalid message from the webview: ${describe(raw)}`);
      return;
    }
    try {
      if (message.type === 'ready') this.#catchUp(message.protocol, message.lastSeq);
      else if (message.type === 'rendered') {
        this.lastRendered = message;
        this.#onRendered.fire(message);
      } else if (message.type === 'first-bar') this.#onFirstBar.fire(message);
      const result = this.#host.onMessage(message);
      if (result instanceof Promise) result.catch((e: unknown) => this.#host.log.error(`timeline: ${message.type} failed: ${String(e)}`));
    } catch (e) {
      this.#host.log.error(`timeline: ${message.type} failed: ${String(e)}`);
    }
  }

  #catchUp(protocol: number, lastSeq: Record<string, number>): void {
    if (protocol !== PROTOCOL_VERSION) this.#host.log.warn(`timeline: webview speaks protocol ${protocol}, host ${PROTOCOL_VERSION}`);
    this.#ready = true;
    this.#pending = [];
    for (const m of this.#host.initialMessages()) void this.panel.webview.postMessage(m);
    const missing = this.#host.eventsSince(lastSeq);
    for (const m of eventMessages(missing)) void this.panel.webview.postMessage(m);
    this.#host.log.debug(`timeline: webview ready, replayed ${missing.length} event(s)`);
    this.#onReady.fire();
  }

  /** Posts what is pending; returns the last post's promise (resolves once VS Code delivered it). */
  #flush(): Thenable<boolean> | undefined {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (!this.#ready || this.#pending.length === 0) return undefined;
    const all = this.#pending;
    this.#pending = [];
    let last: Thenable<boolean> | undefined;
    for (const m of eventMessages(all)) last = this.panel.webview.postMessage(m);
    return last;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#ready = false;
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#onDidDispose.fire();
    this.#onDidDispose.dispose();
    this.panel.dispose();
    for (const d of this.#disposables.splice(0)) d.dispose();
  }
}

function describe(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = Object.prototype.toString.call(raw);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Stylesheets the webview ships in media/ (whichever exist), in a stable order. */
function stylesheets(extensionUri: vscode.Uri): vscode.Uri[] {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  let names: string[] = [];
  try {
    names = fs.readdirSync(media.fsPath).filter((n) => n.endsWith('.css')).sort();
  } catch {
    names = [];
  }
  return names.map((n) => vscode.Uri.joinPath(media, n));
}

/** Text for an HTML attribute value in double quotes. */
function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri, kind: PanelKind): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const styles = stylesheets(extensionUri).map((u) => `<link rel="stylesheet" href="${webview.asWebviewUri(u)}">`).join('\n  ');
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${attr(kind.title)}</title>
  ${styles}
</head>
<body data-host="vscode"${kind.readOnly ? ` data-read-only="true" data-title="${attr(kind.title)}"` : ''}${kind.source ? ` data-source="${attr(kind.source)}"` : ''}>
  <div id="poolscope-root" class="ps-app" role="main" aria-label="PoolScope timeline"></div>
  <script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
