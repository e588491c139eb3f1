/**
 * The timeline app's wiring: owns the model, routes host messages to it, and
 * connects the chart (timeline/), the toolbar, runs list, legend, summary and
 * task panels. Drawing goes through the frame scheduler; persistence through
 * persisted-state.ts.
 */
import type { TraceEvent } from '../../src/trace/events.js';
import { NODE_RUN_BACKENDS } from '../../src/common/backends.js';
import { CompareView } from '../compare-view.js';
import { canvasPngDataUrl, chromeJsonBlob, csvBlob, dataUrlToBlob, download, parseTraceFile } from '../exporter.js';
import { formatCount } from '../../src/common/format.js';
import type { Host } from '../host.js';
import { laneLabel, runLabel } from '../lane-layout.js';
import { PROTOCOL_VERSION, type ExportFormat, type PackedText, type TraceColumns, type RunPhase, type ToWebview } from '../../src/common/webview-protocol.js';
import { RunSummaries, speedupAgainstShownSerial, type RunSummary } from '../run-summaries.js';
import { SummaryView, text } from '../summary-view.js';
import { DetailsPane, TASK_TABLE_CAP, TaskTable, Tooltip } from '../task-panels.js';
import { taskInfo, type TaskInfo } from '../task-info.js';
import { readTheme } from '../theme.js';
import { TraceModel } from '../../src/trace/trace-model.js';
import { runIdentity } from '../../src/trace/stats.js';
import { runHostLine } from '../../src/trace/hosts.js';
import { TimelineView, type Hit } from '../timeline/view.js';
import { FrameScheduler, PanelThrottle, trailingThrottle } from './frame-scheduler.js';
import { renderLegend } from './legend.js';
import { parsePersistedState, SnapshotBuilder, type PersistedState } from './persisted-state.js';
import { renderRunsList } from './runs-list.js';
import { renderStatsLine } from './stats-line.js';
import { exposeTestHook } from './test-hook.js';
import { Toolbar, type ToolbarConfig } from './toolbar.js';

/** Set by the build: true only in the test bundle (the `window.__poolscope` hook). */
declare const POOLSCOPE_TEST_HOOK: boolean;

/** While a run is live, the persisted state is written at most this often (the host replays what it lacks). */
const LIVE_PERSIST_INTERVAL_MS = 5000;
/** The legend's vertical margins (media/timeline.css: .ps-legend margin 8px top and bottom). */
const LEGEND_MARGIN_PX = 16;
/** What an empty live panel says. */
const EMPTY_LIVE = 'Nothing to show yet. Run a function in a pool (▶ Run in pool above an exported function, or PoolScope: Run Function in Pool) and its tasks appear here live.';
/** `rendered` reports go to the host at most this often. */
const RENDERED_INTERVAL_MS = 500;
/** Messages this close together: the host is still delivering (a large trace's panels wait). */
const BUSY_MESSAGE_GAP_MS = 100;
/**
 * A column batch this large (a replay, a trace file, a report's embedded run) is not folded into the model's columns
 * on arrival: its lanes are drawn first from their busy sketches (coarse, the real busy share), and the rows are
 * folded afterwards in FOLD_SLICE_MS slices between frames (trace-model.ts foldPending). Live flushes are smaller.
 */
export const DEFER_FOLD_MIN_ROWS = 30_000;
/** Time the fold of deferred rows takes at once before it lets the page handle input and frames … */
const FOLD_SLICE_MS = 12;
/** … or up to this long while no input waits (where the browser can tell: navigator.scheduling.isInputPending). */
const FOLD_SLICE_NO_INPUT_MS = 48;
/** The fold waits for the coarse frame at most this long (a hidden panel draws no frames). */
const FOLD_WAIT_FOR_PAINT_MS = 500;
/** A message whose handling starts within this long of the previous one's end came queued behind it. */
const BACK_TO_BACK_MS = 10;

export class App {
  model = new TraceModel({ dedupeBySeq: true });
  summaries = new RunSummaries(this.model);
  readonly view: TimelineView;
  readonly #summaryView = new SummaryView();
  readonly #compare: CompareView;
  readonly #tooltip = new Tooltip();
  readonly #details: DetailsPane;
  readonly #table: TaskTable;
  readonly #toolbar: Toolbar;
  readonly #status: HTMLElement;
  readonly #title: HTMLElement;
  readonly #runsList: HTMLElement;
  readonly #legend: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #stats: HTMLElement;
  readonly #more: HTMLDetailsElement;
  readonly #frames: FrameScheduler;
  readonly #panels: PanelThrottle;
  readonly #reportRendered: () => void;
  readonly #snapshots = new SnapshotBuilder();
  #hidden = new Set<string>();
  #focused: string | undefined;
  #follow = true;
  #layoutDirty = true;
  #refit = true;
  /** The run (and its state) the tooltip describes: it closes when that run redraws with new data. */
  #tooltipOf: { runId: string; lastSeq: number } | undefined;
  /** A run whose header the lanes should scroll to at the next layout. */
  #revealRun: string | undefined;
  /** Where the lanes were scrolled before a reload: applied at the first layout (instead of revealing the newest run). */
  #restoreScroll: number | undefined;
  /** Restored from a reload and no run started since (see #restore). */
  #catchingUp = false;
  #renderedSent = '';
  /** Runs whose first drawn bar was reported (`first-bar`). */
  readonly #firstBarSent = new Set<string>();
  /** When the message that brought the newest run's first bar arrived (performance.now()), until it is drawn. */
  #firstBarAt: number | undefined;
  /** When the message being handled arrived (performance.now()). */
  #messageAt = 0;
  /** When the last message's handling ended, and whether it started right after the one before. */
  #messageEndAt = -Infinity;
  #backToBack = false;
  #persistTimer: ReturnType<typeof setTimeout> | undefined;
  #phase: RunPhase = 'idle';
  #statusTimer = 0;
  /** Large column batches wait to be folded (DEFER_FOLD_MIN_ROWS); tests turn it off to compare. */
  #deferFold = true;
  /** Tests hold the fold to look at the coarse frame. */
  #holdFold = false;
  readonly #foldChannel = new MessageChannel();
  #foldQueued = false;
  /** Rows were deferred and no frame has painted them yet (performance.now() of that moment, or undefined). */
  #coarseSince: number | undefined;
  /** model.events when the chart was last painted. */
  #paintedEvents = 0;
  #config: ToolbarConfig = { backend: 'thread', workers: 4, running: false, backends: [...NODE_RUN_BACKENDS], maxWorkers: 64 };
  /** A trace file's panel (Open Trace): no run controls; its page says so in `data-read-only`. */
  readonly #readOnly: boolean;
  /** The trace file shown (read-only panels), kept in the persisted state so a reload can read it again. */
  readonly #source: string | undefined;

  constructor(private readonly host: Host, private readonly root: HTMLElement) {
    this.#readOnly = host.kind === 'vscode' && document.body.dataset.readOnly === 'true';
    this.#source = this.#readOnly ? document.body.dataset.source : undefined;
    document.body.dataset.host = host.kind;
    this.#compare = new CompareView((runId) => this.#focus(runId));
    this.#details = new DetailsPane(host.kind === 'vscode'
      ? (loc) => host.post({ type: 'reveal', file: loc.file, line: loc.line, column: loc.column })
      : undefined);
    this.#table = new TaskTable((i) => this.#selectTask(i, true));
    this.#table.element.addEventListener('toggle', () => this.#renderTable());
    this.view = new TimelineView(this.model, {
      onHover: (hit, x, y) => this.#hover(hit, x, y),
      onSelect: (hit) => this.#select(hit),
      onUserZoom: () => this.#setFollow(false),
      onFollowRequest: () => this.#setFollow(true),
      // From the workers alone: a lane layout must not wait for a million tasks' statistics.
      identityOf: (runId) => {
        const run = this.model.runById(runId);
        return run ? runIdentity(this.model, run) : '';
      },
      onLaneScroll: () => this.#schedulePersist(),
      // The legend stays in view under the lanes in a short panel, on however many rows it wraps (no page scroll around the lanes).
      reservedBelow: () => (this.#legend.hidden ? 0 : this.#legend.getBoundingClientRect().height + LEGEND_MARGIN_PX),
    });
    this.#frames = new FrameScheduler({
      isLive: () => this.#isLive(),
      catchingUp: () => this.#backToBack && performance.now() - this.#messageEndAt < BACK_TO_BACK_MS,
      urgent: () => this.#refit,
      paint: () => this.#paint(),
      afterPaint: (live, now) => {
        this.#coarseSince = undefined;
        this.#foldSoon();
        // The panels wait for the fold: until then tasks, tooltips and the table are not all in the columns.
        if (!this.model.pending) this.#panels.afterPaint(this.model.version, live, now, this.#expectedTasks());
        this.#reportRendered();
        this.#reportFirstBar();
      },
    });
    // A large trace's panels wait while its batches are still arriving (see PanelThrottle).
    this.#panels = new PanelThrottle(() => this.#renderPanels(), () => this.#schedule(), () => performance.now() - this.#messageAt < BUSY_MESSAGE_GAP_MS);
    this.#reportRendered = trailingThrottle(() => this.#sendRendered(), RENDERED_INTERVAL_MS);
    this.#foldChannel.port1.onmessage = () => {
      this.#foldQueued = false;
      this.#foldStep();
    };

    const header = document.createElement('header');
    header.className = 'ps-header';
    this.#title = text('h1', 'ps-title', 'PoolScope timeline');
    this.#status = text('div', 'ps-status', '');
    this.#status.setAttribute('role', 'status');
    this.#status.setAttribute('aria-live', 'polite');
    header.append(this.#title);
    if (this.#readOnly) {
      // Where a newcomer would look for Run again: say why there is none.
      const badge = text('span', 'ps-badge', 'read-only trace file');
      badge.title = 'Opened with Open Trace: the file\'s runs are shown; nothing in this panel runs code';
      header.append(badge);
    }
    header.append(this.#status);

    this.#runsList = document.createElement('div');
    this.#runsList.className = 'ps-runs';
    this.#runsList.setAttribute('aria-label', 'Runs');
    this.#legend = document.createElement('div');
    this.#legend.className = 'ps-legend';
    this.#empty = text('div', 'ps-empty', host.kind === 'vscode' && !this.#readOnly ? EMPTY_LIVE : 'This trace has no runs.');

    this.#toolbar = new Toolbar(host.kind, this.#config, this.#follow, {
      setBackend: (backend) => host.post({ type: 'set-backend', backend }),
      setWorkers: (workers) => host.post({ type: 'set-workers', workers }),
      runAgain: () => host.post({ type: 'run-again' }),
      compare: () => host.post({ type: 'compare' }),
      stop: () => host.post({ type: 'stop' }),
      fit: () => { this.#setFollow(false); this.view.fit(); },
      zoomBy: (f) => { this.#setFollow(false); this.view.zoomBy(f); },
      setFollow: (on) => this.#setFollow(on),
      setAligned: (on) => {
        this.view.aligned = on;
        this.#refit = true;
        this.#layoutDirty = true;
        this.#schedule();
        this.#schedulePersist();
      },
      setColorMode: (m) => { this.view.colorMode = m; this.#panels.invalidate(); this.#schedule(); this.#schedulePersist(); },
      exportJson: () => this.#export('chrome-json'),
      exportCsv: () => this.#export('csv'),
      exportPng: () => this.#export('png'),
      openTrace: () => this.#openTrace(),
      clear: () => { this.#reset(); host.post({ type: 'clear' }); },
    }, this.#readOnly);

    // One main landmark: the host page may already have made the root one (the VS Code panel does).
    const main = document.createElement(root.getAttribute('role') === 'main' ? 'div' : 'main');
    main.className = 'ps-main';
    // Lanes first: a one-line summary, the lanes, then (collapsible) the full summary, runs and compare table.
    this.#stats = document.createElement('div');
    this.#stats.className = 'ps-stats';
    this.#stats.setAttribute('aria-label', 'Run statistics');
    this.#more = document.createElement('details');
    this.#more.className = 'ps-more';
    // Open by default only where there is room for it next to the lanes' height.
    this.#more.open = window.innerWidth >= 1000 && window.innerHeight >= 900;
    const moreSummary = text('summary', 'ps-more-summary', 'Summary, runs and compare');
    this.#more.append(moreSummary, this.#summaryView.element, this.#runsList, this.#compare.element);
    this.#more.addEventListener('toggle', () => this.view.resize());
    main.append(this.#stats, this.#empty, this.view.element, this.#legend, this.#details.element, this.#more, this.#table.element);
    root.replaceChildren(header, this.#toolbar.element, main, this.#tooltip.element);

    if (this.#readOnly) this.#setTitle(document.body.dataset.title || 'Trace');
    this.#watchTheme();
    if (POOLSCOPE_TEST_HOOK) {
      // Test builds only; the shipped bundle drops this block and test-hook.ts with it.
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the probe's getters read the live app, not a snapshot
      const app = this;
      exposeTestHook({
        get hostKind() { return app.host.kind; },
        get phase() { return app.#phase; },
        get model() { return app.model; },
        get summaries() { return app.summaries; },
        get view() { return app.view; },
        get focused() { return app.#focused; },
        get follow() { return app.#follow; },
        get frames() { return app.#frames.frames; },
        get dirty() { return app.#frames.dirty; },
        get panelsPending() { return app.#panels.pending; },
        get bars() { return app.#barCount(); },
        get folding() { return app.model.pending; },
        get paintedEvents() { return app.#paintedEvents; },
        holdFold(on) { app.#holdFold = on; if (!on) app.#foldSoon(); },
        deferFold(on) { app.#deferFold = on; },
        setDomain(a, b) { app.#setFollow(false); app.view.setDomain([a, b]); },
        loadTraceText: (content, name) => app.loadTraceText(content, name),
      });
    }
  }

  /** Loads the embedded or persisted trace, starts listening, and tells the host it is ready. */
  start(): void {
    this.host.listen((m, arrivedAt) => this.#onMessage(m, arrivedAt));
    const persisted = parsePersistedState(this.host.getState());
    if (persisted) this.#restore(persisted);
    // A trace file opens fitted, not following.
    if (this.#readOnly) this.#setFollow(false);
    const embedded = this.host.embedded;
    if (embedded) {
      if (embedded.title) this.#setTitle(embedded.title);
      this.#ingest(embedded.events);
      for (const c of embedded.columns ?? []) this.#ingestColumns(c);
      // A finished trace opens fitted, not following.
      this.#setFollow(false);
    }
    if (this.host.kind === 'standalone' && !this.model.runs.some((r) => r.start && !r.end)) this.#setPhase('done');
    this.host.post({ type: 'ready', protocol: PROTOCOL_VERSION, lastSeq: this.model.lastSeqByRun() });
    this.#schedule();
  }

  #restore(persisted: PersistedState): void {
    const ui = persisted.ui;
    this.#hidden = new Set(ui.hidden);
    this.#focused = ui.focused;
    this.#follow = ui.follow;
    this.view.colorMode = ui.colorMode;
    this.#toolbar.showViewSettings(ui);
    this.view.aligned = ui.aligned;
    this.#ingest(persisted.events);
    // The restored runs are not new: keep the focused run and the scroll position the user had.
    this.#focused = ui.focused ?? this.#focused;
    this.#revealRun = undefined;
    this.#restoreScroll = ui.laneScroll;
    // Until a run starts in this page, runs that arrive are the host's catch-up of what the saved state lacked
    // (a run that ended just before the reload, before the state was saved): they take the focus as they did
    // before the reload, but must not scroll the lanes away from where the user left them.
    this.#catchingUp = true;
    if (ui.domain && !this.#follow) {
      this.#flushLayout();
      this.view.setDomain(ui.domain);
      this.#refit = false;
    }
  }

  // ───────────────────────────── messages ─────────────────────────────

  /** `arrivedAt`: before the message was read and checked (a large batch's copy and check take a while). */
  #onMessage(m: ToWebview, arrivedAt = performance.now()): void {
    this.#messageAt = performance.now();
    this.#backToBack = arrivedAt - this.#messageEndAt < BACK_TO_BACK_MS;
    try {
      this.#handle(m);
    } finally {
      this.#messageEndAt = performance.now();
    }
  }

  #handle(m: ToWebview): void {
    switch (m.type) {
      case 'events':
        this.#ingest(m.batch);
        break;
      case 'columns':
        this.#ingestColumns(m.columns, m.packedText);
        break;
      case 'reset':
        this.#reset();
        break;
      case 'load-trace':
        this.#reset();
        if (m.title) this.#setTitle(m.title);
        this.#ingest(m.events);
        for (const c of m.columns ?? []) this.#ingestColumns(c);
        this.#setFollow(false);
        this.#refit = true;
        break;
      case 'config':
        this.#config = {
          backend: m.backend, workers: m.workers, running: m.running,
          backends: m.backends ?? [...NODE_RUN_BACKENDS], maxWorkers: m.maxWorkers ?? 64,
        };
        this.#toolbar.setCanRun(m.canRun !== false, m.canRunReason, this.#config);
        document.body.dataset.canRun = String(m.canRun !== false);
        // An empty panel must not invite a run that will be refused.
        this.#empty.textContent = m.canRun === false
          ? `${m.canRunReason ?? 'Running code is disabled here'}. Open a trace file (Open trace… above) to look at one, or trust this workspace to run functions in a pool.`
          : EMPTY_LIVE;
        break;
      case 'run-state':
        this.#config.running = m.phase === 'starting' || m.phase === 'running' || m.phase === 'stopping';
        this.#toolbar.apply(this.#config);
        this.#setPhase(m.phase, m.message);
        if (m.phase === 'starting') {
          this.#catchingUp = false;
          this.#setFollow(true);
        }
        break;
    }
  }

  #ingest(events: readonly TraceEvent[]): void {
    if (!events.length) return;
    const knownRuns = this.model.runs.length;
    if (!this.model.add(events)) return;
    if (this.model.runs.length !== knownRuns) {
      // A new run takes the summary; earlier ones stay for compare.
      const latest = this.model.runs[this.model.runs.length - 1];
      this.#newRun(latest.runId);
    }
    this.#layoutDirty = true;
    this.#schedule();
    this.#schedulePersist();
    this.#drawFirstBar();
  }

  #ingestColumns(c: TraceColumns, packedText?: PackedText): void {
    const knownRuns = this.model.runs.length;
    const defer = this.#deferFold && (this.model.pending || c.length >= DEFER_FOLD_MIN_ROWS);
    if (!this.model.addColumns(c, packedText, { defer })) return;
    if (this.model.pending) {
      // Rows the chart has not painted yet, even coarse: the fold waits for that frame.
      this.#coarseSince ??= performance.now();
      this.#foldSoon();
    }
    if (this.model.runs.length !== knownRuns) this.#newRun(c.runId);
    this.#layoutDirty = true;
    this.#schedule();
    this.#schedulePersist();
    this.#drawFirstBar();
  }

  /** A new run takes the summary, the chart fits everything again and (live) the lanes scroll to it. */
  #newRun(runId: string): void {
    this.#focused = runId;
    this.#refit = true;
    // Caught up after a reload: it took the focus before the reload too, but the lanes stay where they were.
    if (this.#catchingUp) return;
    // A trace file opens at its first run; the live panel shows the run that just started.
    if (!this.#readOnly) this.#revealRun = runId;
  }

  #reset(): void {
    this.model = new TraceModel({ dedupeBySeq: true });
    this.#coarseSince = undefined;
    this.summaries = new RunSummaries(this.model);
    this.view.setModel(this.model);
    this.#snapshots.clear();
    this.#hidden.clear();
    this.#focused = undefined;
    this.#details.hide();
    this.#tooltip.hide();
    this.#tooltipOf = undefined;
    this.#refit = true;
    this.#layoutDirty = true;
    this.#schedule();
    this.#schedulePersist();
  }

  // ───────────────────────────── deferred fold ─────────────────────────────

  #foldSoon(): void {
    if (!this.model.pending || this.#foldQueued || this.#holdFold) return;
    this.#foldQueued = true;
    this.#foldChannel.port2.postMessage(0);
  }

  /** One slice of the fold, after the coarse frame was painted; the exact frame and the panels follow its end. */
  #foldStep(): void {
    if (!this.model.pending || this.#holdFold) return;
    if (this.#coarseSince !== undefined && performance.now() - this.#coarseSince < FOLD_WAIT_FOR_PAINT_MS) {
      // The coarse frame first (afterPaint comes back here); a panel that paints nothing is not waited for long.
      setTimeout(() => this.#foldSoon(), FOLD_WAIT_FOR_PAINT_MS);
      return;
    }
    const t0 = performance.now();
    const scheduling = (navigator as { scheduling?: { isInputPending?: () => boolean } }).scheduling;
    let done = this.model.foldPending(FOLD_SLICE_MS);
    while (!done && scheduling?.isInputPending && !scheduling.isInputPending() && performance.now() - t0 < FOLD_SLICE_NO_INPUT_MS) {
      done = this.model.foldPending(FOLD_SLICE_MS);
    }
    if (done) this.#folded();
    else this.#foldSoon();
  }

  /** Folds what is left now (export, persist, the task table need every task). */
  #foldAll(): void {
    if (this.model.pending && this.model.foldPending()) this.#folded();
  }

  #folded(): void {
    this.#layoutDirty = true;
    this.#panels.invalidate();
    this.#schedule();
  }

  // ───────────────────────────── frames ─────────────────────────────

  #schedule(): void {
    this.#frames.schedule();
  }

  #visibleRuns(): number[] {
    return this.model.runs.filter((r) => !this.#hidden.has(r.runId)).map((r) => r.index);
  }

  #flushLayout(): void {
    this.view.update(this.#refit, this.#visibleRuns());
    this.#refit = false;
    this.#layoutDirty = false;
  }

  /**
   * Tasks the page holds or has been told are coming (a live run's announced `inputsCount`): a large trace's first
   * batch is small, and its panels must not be computed between its batches as if the trace were small.
   */
  #expectedTasks(): number {
    let n = 0;
    for (const run of this.model.runs) n += run.end ? run.tasks : Math.max(run.tasks, run.start?.inputsCount ?? 0);
    return n;
  }

  #isLive(): boolean {
    return this.model.runs.some((r) => r.start && !r.end);
  }

  #paint(): void {
    this.#paintedEvents = this.model.events;
    const hasRuns = this.model.runs.length > 0;
    this.#empty.hidden = hasRuns;
    // With nothing drawn the legend explains nothing.
    this.#legend.hidden = !hasRuns;
    this.view.element.hidden = !hasRuns;
    if (this.#layoutDirty) {
      const tip = this.#tooltipOf;
      if (tip && this.model.runById(tip.runId)?.lastSeq !== tip.lastSeq) {
        // What the tooltip says may no longer be true (or its bar moved): close it.
        this.#tooltip.hide();
        this.#tooltipOf = undefined;
      }
      this.#flushLayout();
      if (this.#follow) this.view.follow();
      if (this.#restoreScroll !== undefined && this.#revealRun === undefined) {
        this.view.restoreLaneScroll(this.#restoreScroll);
        this.#restoreScroll = undefined;
      }
      if (this.#revealRun !== undefined) {
        const run = this.model.runById(this.#revealRun);
        if (run) this.view.revealRun(run.index);
        this.#revealRun = undefined;
      }
    }
    this.view.draw();
  }

  #renderPanels(): void {
    const all = this.summaries.all();
    const shown = all.filter((s) => !this.#hidden.has(s.runId));
    const speedups = speedupAgainstShownSerial(shown);
    const labels = new Map(this.model.runs.map((r) => [r.runId, runLabel(r)]));
    const focused = all.find((s) => s.runId === this.#focused) ?? all[all.length - 1];
    const focusedRun = focused ? this.model.runById(focused.runId) : undefined;
    // Where the work ran, for runs spread over machines or on a distributed engine (src/trace/hosts.ts).
    const hosts = focusedRun ? runHostLine(this.model, focusedRun) : undefined;
    this.#summaryView.render(focused, focused ? (labels.get(focused.runId) ?? focused.runId) : '', focused ? speedups.get(focused.runId) : undefined, hosts);
    renderStatsLine(this.#stats, focused, focused ? speedups.get(focused.runId) : undefined, hosts);
    this.#compare.render(shown, speedups, labels);
    renderRunsList(this.#runsList, this.model, all, this.#hidden, this.#focused, {
      setShown: (runId, shown) => {
        if (shown) this.#hidden.delete(runId);
        else this.#hidden.add(runId);
        this.#layoutDirty = true;
        this.#refit = true;
        this.#panels.invalidate();
        this.#schedule();
        this.#schedulePersist();
      },
      focus: (runId) => this.#focus(runId),
    });
    renderLegend(this.#legend, this.model, this.view.colorMode, readTheme());
    this.#renderTable();
    this.#updateStatus(focused);
    // Lane header details (identity) may have changed.
    this.view.update(false);
    this.view.draw();
  }

  /**
   * The newest run got its first bar (a click's last stage): drawn now, in this message's task, not on the next
   * animation frame nor after the live throttle; `#reportFirstBar` (after the draw) tells the host.
   */
  #drawFirstBar(): void {
    if (this.host.kind !== 'vscode' || this.#readOnly) return;
    const run = this.model.runs[this.model.runs.length - 1];
    if (this.#firstBarAt !== undefined || !run || run.bars === 0 || this.#firstBarSent.has(run.runId) || !run.start || run.end) return;
    this.#firstBarAt = this.#messageAt;
    this.#frames.drawNow();
  }

  /**
   * After a frame that drew the newest live run's first bar: one `first-bar` message, sent on the next animation
   * frame (the drawn frame has been presented by then), so the host can time a click to the bar on screen.
   */
  #reportFirstBar(): void {
    const at = this.#firstBarAt;
    if (at === undefined) return;
    this.#firstBarAt = undefined;
    const run = this.model.runs[this.model.runs.length - 1];
    if (!run || run.bars === 0 || this.#firstBarSent.has(run.runId)) return;
    this.#firstBarSent.add(run.runId);
    if (this.#hidden.has(run.runId)) return;
    requestAnimationFrame(() => {
      const now = performance.now();
      this.host.post({ type: 'first-bar', runId: run.runId, sinceMessageMs: Math.max(0, now - at), paintedAtEpochMs: performance.timeOrigin + now });
    });
  }

  /** Tells the host what is drawn (throttled by #reportRendered; the final state is always sent). */
  #sendRendered(): void {
    const rendered = {
      type: 'rendered' as const, runs: this.model.runs.length, lanes: this.model.lanes.length,
      bars: this.#barCount(), events: this.model.events,
    };
    const key = JSON.stringify(rendered);
    if (key === this.#renderedSent) return;
    this.#renderedSent = key;
    this.host.post(rendered);
  }

  #barCount(): number {
    let n = 0;
    for (const run of this.model.runs) if (!this.#hidden.has(run.runId)) n += run.bars;
    return n;
  }

  // ───────────────────────────── panels ─────────────────────────────

  #renderTable(): void {
    if (!this.#table.open) return;
    this.#foldAll();
    const run = this.model.runById(this.#focused ?? '') ?? this.model.runs[this.model.runs.length - 1];
    if (!run) { this.#table.render('No run', 0, []); return; }
    const t = this.model.tasks;
    const idx = [...this.model.taskIndicesOf(run)];
    idx.sort((a, b) => (t.start[a] || 0) - (t.start[b] || 0));
    this.#table.render(runLabel(run), idx.length, idx.slice(0, TASK_TABLE_CAP).map((i) => taskInfo(this.model, i)));
  }

  #updateStatus(s: RunSummary | undefined): void {
    if (!s) return;
    const now = performance.now();
    // Screen readers hear progress at most every 2 s; the final state always.
    if (!s.finished && now - this.#statusTimer < 2000) return;
    this.#statusTimer = now;
    const done = s.ok + s.failed;
    this.#status.textContent = s.finished
      ? `${s.backend} × ${s.workers}: ${formatCount(done)} tasks done${s.failed ? `, ${formatCount(s.failed)} failed` : ''}${s.error ? ` — ${s.error.name}: ${s.error.message}` : ''}`
      : `Running ${s.backend} × ${s.workers}: ${formatCount(done)} of ${formatCount(s.tasks)} tasks done`;
  }

  #setPhase(phase: RunPhase, message?: string): void {
    this.#phase = phase;
    document.body.dataset.phase = phase;
    if (message) this.#status.textContent = message;
    else if (phase === 'starting') this.#status.textContent = 'Starting run…';
    else if (phase === 'stopping') this.#status.textContent = 'Stopping…';
    else if (phase === 'stopped') this.#status.textContent = 'Run stopped.';
    this.#statusTimer = 0;
  }

  #setTitle(title: string): void {
    this.#title.textContent = title;
    document.title = `${title} — PoolScope`;
  }

  #focus(runId: string): void {
    this.#focused = runId;
    this.#panels.invalidate();
    this.#schedule();
    this.#schedulePersist();
  }

  // ───────────────────────────── interaction ─────────────────────────────

  #hover(hit: Hit | undefined, x: number, y: number): void {
    if (!hit) { this.#tooltip.hide(); this.#tooltipOf = undefined; return; }
    const run = this.model.runs[hit.runIndex];
    this.#tooltipOf = { runId: run.runId, lastSeq: run.lastSeq };
    if (hit.kind === 'task') {
      this.#tooltip.showTask(taskInfo(this.model, hit.task), x, y);
    } else if (hit.kind === 'main-wait') {
      const w = this.model.runs[hit.runIndex].mainWaits[hit.wait];
      this.#tooltip.showText(['main waited here', w.label, `${((w.end - w.start) / 1000).toFixed(2)} ms`], x, y);
    } else {
      const lane = this.model.lanes[hit.lane];
      const lines = [laneLabel(lane)];
      if (hit.marker === 'start') lines.push(`ready after ${(lane.startupUs / 1000).toFixed(1)} ms start-up`);
      else if (lane.exit) lines.push(`exited: ${lane.exit.reason}${lane.exit.code !== null ? ` (code ${lane.exit.code})` : ''}${lane.exit.signal ? ` (${lane.exit.signal})` : ''}`);
      this.#tooltip.showText(lines, x, y);
    }
  }

  #select(hit: Hit | undefined): void {
    if (hit?.kind !== 'task') { this.#details.hide(); return; }
    this.#showDetails(taskInfo(this.model, hit.task));
  }

  #selectTask(i: number, reveal: boolean): void {
    this.view.selectTask(i);
    if (reveal) this.view.reveal(i);
    this.#showDetails(taskInfo(this.model, i));
  }

  #showDetails(info: TaskInfo): void {
    const run = this.model.runById(info.runId);
    const logs = run ? run.logs.filter((l) => l.taskId === info.taskId).map((l) => l.text).slice(0, 200) : [];
    this.#details.show(info, logs);
  }

  #setFollow(on: boolean): void {
    if (this.#follow === on) return;
    this.#follow = on;
    this.#toolbar?.setFollow(on);
    if (on) {
      this.view.follow();
      this.view.draw();
    }
    this.#schedulePersist();
  }

  /** Events of the shown runs, rebuilt from the model (the webview does not keep raw events). */
  #shownEvents(): TraceEvent[] {
    return this.model.runs.filter((r) => !this.#hidden.has(r.runId)).flatMap((r) => this.model.eventsOf(r));
  }

  #export(format: ExportFormat): void {
    this.#foldAll();
    const runIds = this.model.runs.filter((r) => !this.#hidden.has(r.runId)).map((r) => r.runId);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    if (format === 'png') {
      const data = canvasPngDataUrl(this.view.canvas);
      if (this.host.kind === 'vscode') this.host.post({ type: 'export', format, runIds, data });
      else download(`poolscope-${stamp}.png`, dataUrlToBlob(data));
      return;
    }
    if (this.host.kind === 'vscode') {
      this.host.post({ type: 'export', format, runIds });
      return;
    }
    const events = this.#shownEvents();
    if (format === 'chrome-json') download(`poolscope-${stamp}.trace.json`, chromeJsonBlob(events));
    else download(`poolscope-${stamp}.csv`, csvBlob(events));
  }

  #openTrace(): void {
    if (this.host.kind === 'vscode') {
      this.host.post({ type: 'open-trace' });
      return;
    }
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,application/json';
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (!file) return;
      file.text().then((content) => this.loadTraceText(content, file.name)).catch((err: unknown) => {
        this.#status.textContent = `Could not read ${file.name}: ${(err as Error).message}`;
      });
    });
    input.click();
  }

  /** Replaces what is shown with a trace file's content (Chrome JSON or our own); returns the number of events. */
  loadTraceText(content: string, name: string): number {
    try {
      const events = parseTraceFile(content);
      this.#onMessage({ type: 'load-trace', events, title: name });
      return events.length;
    } catch (err) {
      const e = err as Error;
      this.#status.textContent = `${name} is not a trace PoolScope can open (${e.name}: ${e.message})`;
      return 0;
    }
  }

  // ───────────────────────────── persistence & plumbing ─────────────────────────────

  #schedulePersist(): void {
    if (this.host.kind !== 'vscode' || this.#persistTimer) return;
    // What a reload would restore lags what is shown until the timer fires: said on the body (`persist`), so a
    // test that reloads the window can wait until the view it compares with has been saved.
    document.body.dataset.persist = 'pending';
    // A live run changes every batch; serialising the whole state each second would cost O(history) per second.
    this.#persistTimer = setTimeout(() => {
      this.#persistTimer = undefined;
      this.#foldAll();
      this.host.setState(this.#snapshots.snapshot(this.model, {
        colorMode: this.view.colorMode, aligned: this.view.aligned, follow: this.#follow, hidden: [...this.#hidden],
        focused: this.#focused, domain: this.view.domain, laneScroll: this.view.laneScroll,
      }, this.#source));
      document.body.dataset.persist = 'saved';
    }, this.#isLive() ? LIVE_PERSIST_INTERVAL_MS : 1000);
  }

  #watchTheme(): void {
    // VS Code swaps body classes (vscode-light / vscode-dark / vscode-high-contrast) on theme change.
    new MutationObserver(() => { this.view.refreshTheme(); this.#panels.invalidate(); this.#schedule(); })
      .observe(document.body, { attributes: true, attributeFilter: ['class'] });
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.view.refreshTheme());
  }
}
