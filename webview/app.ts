/**
 * The timeline app: owns the model, wires host messages to the views, and
 * redraws at most once per animation frame however fast events arrive.
 */
import type { NodeBackend, TraceEvent } from '../src/trace/events.js';
import { NODE_BACKENDS } from '../src/trace/events.js';
import { CompareView } from './compare-view.js';
import { canvasPngDataUrl, chromeJsonBlob, csvBlob, dataUrlToBlob, download, parseTraceFile } from './exporter.js';
import { formatCount } from './format.js';
import { postedMessages, type Host } from './host.js';
import { laneLabel, runLabel } from './lane-layout.js';
import { PROTOCOL_VERSION, type ExportFormat, type PackedTasks, type RunPhase, type ToWebview } from './protocol.js';
import { RunSummaries, speedupAgainstShownSerial, type RunSummary } from './run-summaries.js';
import { DetailsPane, TASK_TABLE_CAP, TaskTable, Tooltip } from './task-panels.js';
import { taskInfo, type TaskInfo } from './task-info.js';
import { text } from './summary-view.js';
import { SummaryView } from './summary-view.js';
import { TimelineModel } from './timeline-model.js';
import { TimelineView, type ColorMode, type Hit } from './timeline-view.js';
import { readTheme } from './theme.js';
import { createButton, createCheckbox, createDropdown, createNumberField, registerToolkit, setEnabled } from './toolkit.js';

/** What survives the webview being torn down (VS Code `setState`). */
interface PersistedState {
  v: 1;
  ui: { colorMode: ColorMode; aligned: boolean; follow: boolean; hidden: string[]; focused?: string; domain?: [number, number] };
  /** Events of the runs small enough to keep; the host replays the rest by seq. */
  events: TraceEvent[];
}

/** Persist at most this many events; larger histories are replayed by the host. */
const PERSIST_EVENT_CAP = 50_000;
/** Summary, compare table and task table refresh at most this often while a run is live. */
const LIVE_PANEL_INTERVAL_MS = 250;
/** Above this many tasks, panels are computed after the chart has painted. */
const BIG_TRACE_TASKS = 50_000;
/**
 * While a run is live, the chart is re-laid out and redrawn at most this often
 * (and less often when a frame is costly): batches arrive every 40 ms, and a
 * redraw per batch starves ingestion on a busy machine.
 */
const LIVE_FRAME_INTERVAL_MS = 100;
/** While a run is live, the persisted state is written at most this often (the host replays what it lacks). */
const LIVE_PERSIST_INTERVAL_MS = 5000;
/** `rendered` reports go to the host at most this often. */
const RENDERED_INTERVAL_MS = 500;

export class App {
  model = new TimelineModel();
  summaries = new RunSummaries(this.model);
  readonly view: TimelineView;
  readonly #summaryView = new SummaryView();
  readonly #compare: CompareView;
  readonly #tooltip = new Tooltip();
  readonly #details: DetailsPane;
  readonly #table: TaskTable;
  readonly #status: HTMLElement;
  readonly #title: HTMLElement;
  readonly #runsList: HTMLElement;
  readonly #legend: HTMLElement;
  readonly #empty: HTMLElement;
  #hidden = new Set<string>();
  #focused: string | undefined;
  #follow = true;
  #frame = 0;
  #dirty = false;
  #layoutDirty = true;
  #refit = true;
  #lastPanels = 0;
  #panelsVersion = -1;
  #renderedSent = '';
  #persistTimer: ReturnType<typeof setTimeout> | undefined;
  #panelsTimer: ReturnType<typeof setTimeout> | undefined;
  #renderedTimer: ReturnType<typeof setTimeout> | undefined;
  #renderedAt = -Infinity;
  /** When the chart was last laid out and drawn, and what that cost (live-frame throttle). */
  #drawnAt = -Infinity;
  #drawCostMs = 0;
  #frameTimer: ReturnType<typeof setTimeout> | undefined;
  /** Rebuilt events of finished runs, by run id, so persisting during a live run does not rebuild them again. */
  #persistCache = new Map<string, { lastSeq: number; events: TraceEvent[] }>();
  /** What the last panel render cost (adaptive throttle while live). */
  #panelsCostMs = 0;
  #phase: RunPhase = 'idle';
  #statusTimer = 0;
  #frames = 0;
  #config = { backend: 'thread' as NodeBackend, workers: 4, running: false, backends: [...NODE_BACKENDS] as NodeBackend[], maxWorkers: 64 };
  #controls!: {
    backend: ReturnType<typeof createDropdown<NodeBackend>>;
    workers: ReturnType<typeof createNumberField>;
    run: HTMLElement; compare: HTMLElement; stop: HTMLElement;
    follow: ReturnType<typeof createCheckbox>; aligned: ReturnType<typeof createCheckbox>;
    color: ReturnType<typeof createDropdown<ColorMode>>;
  };

  constructor(private readonly host: Host, private readonly root: HTMLElement) {
    registerToolkit();
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
      identityOf: (runId) => this.summaries.byRunId(runId)?.identity ?? '',
    });

    const header = document.createElement('header');
    header.className = 'ps-header';
    this.#title = text('h1', 'ps-title', 'PoolScope timeline');
    this.#status = text('div', 'ps-status', '');
    this.#status.setAttribute('role', 'status');
    this.#status.setAttribute('aria-live', 'polite');
    header.append(this.#title, this.#status);

    this.#runsList = document.createElement('div');
    this.#runsList.className = 'ps-runs';
    this.#runsList.setAttribute('aria-label', 'Runs');
    this.#legend = document.createElement('div');
    this.#legend.className = 'ps-legend';
    this.#empty = text('div', 'ps-empty', host.kind === 'vscode'
      ? 'Nothing to show yet. Run a function in a pool (▶ Run in pool above an exported function, or PoolScope: Run Function in Pool) and its tasks appear here live.'
      : 'This trace has no runs.');

    // One main landmark: the host page may already have made the root one (the VS Code panel does).
    const main = document.createElement(root.getAttribute('role') === 'main' ? 'div' : 'main');
    main.className = 'ps-main';
    main.append(this.#summaryView.element, this.#runsList, this.#compare.element, this.#empty, this.view.element, this.#legend, this.#details.element, this.#table.element);
    root.replaceChildren(header, this.#buildToolbar(), main, this.#tooltip.element);

    this.#watchTheme();
    this.#exposeModel();
  }

  /** Loads the embedded or persisted trace, starts listening, and tells the host it is ready. */
  start(): void {
    this.host.listen((m) => this.#onMessage(m));
    const persisted = this.host.getState() as PersistedState | undefined;
    if (persisted && persisted.v === 1) {
      this.#hidden = new Set(persisted.ui.hidden);
      this.#focused = persisted.ui.focused;
      this.#follow = persisted.ui.follow;
      this.view.colorMode = persisted.ui.colorMode;
      this.#controls.color.setValue(persisted.ui.colorMode);
      this.#controls.follow.setChecked(persisted.ui.follow);
      this.#controls.aligned.setChecked(persisted.ui.aligned);
      this.view.aligned = persisted.ui.aligned;
      this.#ingest(persisted.events);
      if (persisted.ui.domain && !this.#follow) {
        this.#flushLayout();
        this.view.setDomain(persisted.ui.domain);
        this.#refit = false;
      }
    }
    const embedded = this.host.embedded;
    if (embedded) {
      if (embedded.title) this.#setTitle(embedded.title);
      this.#ingest(embedded.events);
      for (const p of embedded.tasks ?? []) this.#ingestPacked(p);
      // A finished trace opens fitted, not following.
      this.#setFollow(false);
    }
    if (this.host.kind === 'standalone' && !this.model.runs.some((r) => r.start && !r.end)) this.#setPhase('done');
    this.host.post({ type: 'ready', protocol: PROTOCOL_VERSION, lastSeq: this.model.lastSeqByRun() });
    this.#schedule();
  }

  // ───────────────────────────── messages ─────────────────────────────

  #onMessage(m: ToWebview): void {
    switch (m.type) {
      case 'events':
        this.#ingest(m.batch);
        break;
      case 'tasks':
        this.#ingestPacked(m.packed);
        break;
      case 'reset':
        this.#reset();
        break;
      case 'load-trace':
        this.#reset();
        if (m.title) this.#setTitle(m.title);
        this.#ingest(m.events);
        for (const p of m.packed ?? []) this.#ingestPacked(p);
        this.#setFollow(false);
        this.#refit = true;
        break;
      case 'config':
        this.#config = {
          backend: m.backend, workers: m.workers, running: m.running,
          backends: m.backends ?? [...NODE_BACKENDS], maxWorkers: m.maxWorkers ?? 64,
        };
        this.#applyConfig();
        break;
      case 'run-state':
        this.#config.running = m.phase === 'starting' || m.phase === 'running' || m.phase === 'stopping';
        this.#applyConfig();
        this.#setPhase(m.phase, m.message);
        if (m.phase === 'starting') this.#setFollow(true);
        break;
    }
  }

  #ingest(events: readonly TraceEvent[]): void {
    if (!events.length) return;
    const knownRuns = this.model.runs.length;
    const accepted: TraceEvent[] = [];
    const n = this.model.add(events, accepted);
    if (!n) return;
    this.summaries.add(accepted);
    if (this.model.runs.length !== knownRuns) {
      // A new run takes the summary; earlier ones stay for compare.
      const latest = this.model.runs[this.model.runs.length - 1];
      this.#focused = latest.runId;
      if (knownRuns === 0) this.#refit = true;
    }
    this.#layoutDirty = true;
    this.#schedule();
    this.#schedulePersist();
  }

  #ingestPacked(p: PackedTasks): void {
    const knownRuns = this.model.runs.length;
    if (!this.model.addPacked(p)) return;
    this.summaries.useColumns();
    if (this.model.runs.length !== knownRuns) {
      this.#focused = p.runId;
      if (knownRuns === 0) this.#refit = true;
    }
    this.#layoutDirty = true;
    this.#schedule();
    this.#schedulePersist();
  }

  #reset(): void {
    this.model = new TimelineModel();
    this.summaries = new RunSummaries(this.model);
    this.view.setModel(this.model);
    this.#persistCache.clear();
    this.#hidden.clear();
    this.#focused = undefined;
    this.#details.hide();
    this.#tooltip.hide();
    this.#refit = true;
    this.#layoutDirty = true;
    this.#schedule();
    this.#schedulePersist();
  }

  // ───────────────────────────── frame loop ─────────────────────────────

  #schedule(): void {
    this.#dirty = true;
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => this.#onFrame());
  }

  #visibleRuns(): number[] {
    return this.model.runs.filter((r) => !this.#hidden.has(r.runId)).map((r) => r.index);
  }

  #flushLayout(): void {
    this.view.update(this.#refit, this.#visibleRuns());
    this.#refit = false;
    this.#layoutDirty = false;
  }

  #isLive(): boolean {
    return this.model.runs.some((r) => r.start && !r.end);
  }

  #onFrame(): void {
    this.#frame = 0;
    if (!this.#dirty) return;
    const live = this.#isLive();
    if (live && !this.#refit) {
      // Live stream: redraw at most every LIVE_FRAME_INTERVAL_MS, and spend at most ~20 % of the time drawing.
      const wait = this.#drawnAt + Math.max(LIVE_FRAME_INTERVAL_MS, this.#drawCostMs * 5) - performance.now();
      if (wait > 0) {
        this.#frameTimer ??= setTimeout(() => { this.#frameTimer = undefined; this.#schedule(); }, wait);
        return;
      }
    }
    this.#dirty = false;
    this.#frames++;
    const t0 = performance.now();
    const hasRuns = this.model.runs.length > 0;
    this.#empty.hidden = hasRuns;
    this.view.element.hidden = !hasRuns;
    if (this.#layoutDirty) {
      this.#flushLayout();
      if (this.#follow) this.view.follow();
    }
    this.view.draw();
    const now = performance.now();
    this.#drawnAt = now;
    this.#drawCostMs = now - t0;
    // While events stream in, the panels wait at least LIVE_PANEL_INTERVAL_MS, and longer when they are
    // costly (a big run's summary visits every task): never more than ~20 % of the time goes to them.
    const interval = Math.max(LIVE_PANEL_INTERVAL_MS, this.#panelsCostMs * 5);
    if (this.#panelsVersion !== this.model.version && (!live || now - this.#lastPanels >= interval)) {
      this.#panelsVersion = this.model.version;
      this.#lastPanels = now;
      if (this.model.tasks.count > BIG_TRACE_TASKS) {
        // Large trace: let the chart reach the screen first; the summary follows in the next task.
        setTimeout(() => this.#renderPanels(), 0);
      } else {
        this.#renderPanels();
      }
    } else if (this.#panelsVersion !== this.model.version && !this.#panelsTimer) {
      // Come back for the panels once the throttle interval has passed.
      this.#panelsTimer = setTimeout(() => { this.#panelsTimer = undefined; this.#schedule(); }, interval);
    }
    this.#reportRendered();
  }

  #renderPanels(): void {
    const t0 = performance.now();
    try {
      this.#renderPanelsNow();
    } finally {
      this.#panelsCostMs = performance.now() - t0;
    }
  }

  #renderPanelsNow(): void {
    const all = this.summaries.all();
    const shown = all.filter((s) => !this.#hidden.has(s.runId));
    const speedups = speedupAgainstShownSerial(shown);
    const labels = new Map(this.model.runs.map((r) => [r.runId, runLabel(r)]));
    const focused = all.find((s) => s.runId === this.#focused) ?? all[all.length - 1];
    this.#summaryView.render(focused, focused ? (labels.get(focused.runId) ?? focused.runId) : '', focused ? speedups.get(focused.runId) : undefined);
    this.#compare.render(shown, speedups, labels);
    this.#renderRunsList(all);
    this.#renderLegend();
    this.#renderTable();
    this.#updateStatus(focused);
    // Lane header details (identity) may have changed.
    this.view.update(false);
    this.view.draw();
  }

  /** Tells the host what is drawn, at most every RENDERED_INTERVAL_MS (trailing: the final state is always sent). */
  #reportRendered(): void {
    const wait = this.#renderedAt + RENDERED_INTERVAL_MS - performance.now();
    if (wait > 0) {
      if (!this.#renderedTimer) this.#renderedTimer = setTimeout(() => { this.#renderedTimer = undefined; this.#reportRendered(); }, wait);
      return;
    }
    this.#renderedAt = performance.now();
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

  #renderRunsList(all: RunSummary[]): void {
    if (this.model.runs.length < 2) {
      this.#runsList.replaceChildren();
      this.#runsList.hidden = true;
      return;
    }
    this.#runsList.hidden = false;
    const items = this.model.runs.map((run) => {
      const item = document.createElement('div');
      item.className = 'ps-run-chip';
      if (run.runId === this.#focused) item.classList.add('ps-run-focused');
      const cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.checked = !this.#hidden.has(run.runId);
      cb.setAttribute('aria-label', `Show ${runLabel(run)}`);
      cb.addEventListener('change', () => {
        if (cb.checked) this.#hidden.delete(run.runId);
        else this.#hidden.add(run.runId);
        this.#layoutDirty = true;
        this.#refit = true;
        this.#panelsVersion = -1;
        this.#schedule();
        this.#schedulePersist();
      });
      const b = document.createElement('button');
      b.className = 'ps-link';
      const s = all.find((x) => x.runId === run.runId);
      b.textContent = runLabel(run) + (s && !s.finished ? ' (live)' : '');
      b.title = 'Show this run in the summary';
      b.addEventListener('click', () => this.#focus(run.runId));
      item.append(cb, b);
      return item;
    });
    this.#runsList.replaceChildren(text('span', 'ps-runs-title', 'Runs:'), ...items);
  }

  #renderLegend(): void {
    const th = readTheme();
    const entries: [string, string, string][] = [];
    if (this.view.colorMode === 'function') {
      this.model.fnNames.slice(1, 11).forEach((name, k) => entries.push(['swatch', th.fn(k + 1), name]));
      if (this.model.fnNames.length > 11) entries.push(['swatch', th.muted, `+${this.model.fnNames.length - 11} more functions`]);
    } else {
      entries.push(['swatch', th.ok, 'ok'], ['swatch', th.running, 'running']);
    }
    entries.push(['swatch', th.failed, 'failed'], ['queue', th.queue, 'queue wait'], ['startup', th.muted, 'worker start-up'], ['start', th.ok, 'worker ready'],
      ['cross', th.failed, 'worker crashed'], ['ring', th.running, 'recycled'], ['swatch', th.mainWait, 'main program waited']);
    if (this.model.lanes.some((l) => l.cpu.length)) entries.push(['cpu', th.cpu, 'on CPU (sampled)']);
    if (this.model.slices.count) {
      entries.push(['thin', th.muted, 'in flight (event loop)']);
      if (this.view.colorMode === 'function' && this.model.fnNames.length <= 2) entries.push(['swatch', th.fn(2), 'event loop: one colour per task']);
    }
    this.#legend.replaceChildren(...entries.map(([kind, color, label]) => {
      const item = document.createElement('span');
      item.className = 'ps-legend-item';
      const sw = document.createElement('span');
      sw.className = `ps-legend-mark ps-mark-${kind}`;
      sw.style.setProperty('--mark', color);
      item.append(sw, document.createTextNode(label));
      return item;
    }));
  }

  #renderTable(): void {
    if (!this.#table.open) return;
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
    this.#panelsVersion = -1;
    this.#schedule();
    this.#schedulePersist();
  }

  // ───────────────────────────── interaction ─────────────────────────────

  #hover(hit: Hit | undefined, x: number, y: number): void {
    if (!hit) { this.#tooltip.hide(); return; }
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
    this.#controls?.follow.setChecked(on);
    if (on) {
      this.view.follow();
      this.view.draw();
    }
    this.#schedulePersist();
  }

  #buildToolbar(): HTMLElement {
    const bar = document.createElement('div');
    bar.className = 'ps-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Timeline actions');
    const hostOnly = document.createElement('div');
    hostOnly.className = 'ps-group ps-host-only';
    const backend = createDropdown<NodeBackend>({
      label: 'Backend', options: NODE_BACKENDS.map((b) => ({ value: b, text: b })), value: this.#config.backend,
      onChange: (b) => this.host.post({ type: 'set-backend', backend: b }),
    });
    const workers = createNumberField({
      label: 'Workers', value: this.#config.workers, min: 1, max: this.#config.maxWorkers,
      onChange: (n) => this.host.post({ type: 'set-workers', workers: n }),
    });
    const workersWrap = document.createElement('label');
    workersWrap.className = 'ps-field';
    workersWrap.append(text('span', 'ps-field-label', 'Workers'), workers.element);
    const run = createButton({ label: '▶ Run again', appearance: 'primary', title: 'Run again with this backend and pool size', onClick: () => this.host.post({ type: 'run-again' }) });
    const compare = createButton({ label: 'Compare backends', title: 'Run serial, event-loop, thread and process on one clock', onClick: () => this.host.post({ type: 'compare' }) });
    const stop = createButton({ label: '■ Stop', title: 'Stop the running pool', onClick: () => this.host.post({ type: 'stop' }) });
    setEnabled(stop, false);
    hostOnly.append(backend.element, workersWrap, run, compare, stop);

    const viewGroup = document.createElement('div');
    viewGroup.className = 'ps-group';
    const fit = createButton({ label: 'Fit', title: 'Fit all (0)', onClick: () => { this.#setFollow(false); this.view.fit(); } });
    const zoomIn = createButton({ label: '+', title: 'Zoom in (+)', onClick: () => { this.#setFollow(false); this.view.zoomBy(1.5); } });
    const zoomOut = createButton({ label: '−', title: 'Zoom out (−)', onClick: () => { this.#setFollow(false); this.view.zoomBy(1 / 1.5); } });
    const follow = createCheckbox('Follow', this.#follow, (on) => this.#setFollow(on));
    const aligned = createCheckbox('Aligned starts', false, (on) => {
      this.view.aligned = on;
      this.#refit = true;
      this.#layoutDirty = true;
      this.#schedule();
      this.#schedulePersist();
    });
    const color = createDropdown<ColorMode>({
      label: 'Colour', options: [{ value: 'function', text: 'by function' }, { value: 'status', text: 'by status' }], value: 'function',
      onChange: (m) => { this.view.colorMode = m; this.#panelsVersion = -1; this.#schedule(); this.#schedulePersist(); },
    });
    viewGroup.append(fit, zoomIn, zoomOut, follow.element, aligned.element, color.element);

    const fileGroup = document.createElement('div');
    fileGroup.className = 'ps-group';
    const exportJson = createButton({ label: 'Export JSON', title: 'Chrome Trace Event JSON (opens in Perfetto and speedscope)', onClick: () => this.#export('chrome-json') });
    const exportCsv = createButton({ label: 'CSV', title: 'One row per task', onClick: () => this.#export('csv') });
    const exportPng = createButton({ label: 'PNG', title: 'Snapshot of the chart', onClick: () => this.#export('png') });
    const open = createButton({ label: 'Open trace…', title: 'Open a Chrome trace JSON exported by PoolScope (or another tool)', onClick: () => this.#openTrace() });
    const clear = createButton({ label: 'Clear', title: 'Forget all runs', onClick: () => { this.#reset(); this.host.post({ type: 'clear' }); } });
    fileGroup.append(exportJson, exportCsv, exportPng, open, clear);

    if (this.host.kind === 'standalone') hostOnly.hidden = true;
    bar.append(hostOnly, viewGroup, fileGroup);
    this.#controls = { backend, workers, run, compare, stop, follow, aligned, color };
    return bar;
  }

  #applyConfig(): void {
    const c = this.#controls;
    c.backend.setOptions(this.#config.backends.map((b) => ({ value: b, text: b })));
    c.backend.setValue(this.#config.backend);
    c.workers.setMax(this.#config.maxWorkers);
    c.workers.setValue(this.#config.workers);
    setEnabled(c.run, !this.#config.running);
    setEnabled(c.compare, !this.#config.running);
    setEnabled(c.stop, this.#config.running);
  }

  /** Events of the shown runs, rebuilt from the model (the webview does not keep raw events). */
  #shownEvents(): TraceEvent[] {
    return this.model.runs.filter((r) => !this.#hidden.has(r.runId)).flatMap((r) => this.model.eventsOf(r));
  }

  #export(format: ExportFormat): void {
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
    // A live run changes every batch; serialising the whole state each second would cost O(history) per second.
    this.#persistTimer = setTimeout(() => {
      this.#persistTimer = undefined;
      this.host.setState(this.#snapshot());
    }, this.#isLive() ? LIVE_PERSIST_INTERVAL_MS : 1000);
  }

  #snapshot(): PersistedState {
    let budget = PERSIST_EVENT_CAP;
    const events: TraceEvent[] = [];
    // Keep the newest runs that fit; the host replays the others in full (they are absent from lastSeq).
    const cache = new Map<string, { lastSeq: number; events: TraceEvent[] }>();
    const kept: TraceEvent[][] = [];
    for (const run of [...this.model.runs].reverse()) {
      // A live run is left to the host's replay (its lastSeq is then absent); it is persisted once it ends.
      if (run.start && !run.end) continue;
      if (run.eventCount > budget) continue;
      let entry = this.#persistCache.get(run.runId);
      if (!entry || entry.lastSeq !== run.lastSeq) {
        const evs = this.model.eventsOf(run);
        // Rebuilt events are renumbered; restore the host's last seq on the final one so replay starts after it.
        if (evs.length) evs[evs.length - 1] = { ...evs[evs.length - 1], seq: run.lastSeq };
        entry = { lastSeq: run.lastSeq, events: evs };
      }
      cache.set(run.runId, entry);
      budget -= entry.events.length;
      kept.push(entry.events);
    }
    this.#persistCache = cache;
    for (let k = kept.length - 1; k >= 0; k--) for (const e of kept[k]) events.push(e);
    return {
      v: 1,
      ui: {
        colorMode: this.view.colorMode, aligned: this.view.aligned, follow: this.#follow, hidden: [...this.#hidden],
        focused: this.#focused, domain: this.view.domain,
      },
      events,
    };
  }

  #watchTheme(): void {
    // VS Code swaps body classes (vscode-light / vscode-dark / vscode-high-contrast) on theme change.
    new MutationObserver(() => { this.view.refreshTheme(); this.#panelsVersion = -1; this.#schedule(); })
      .observe(document.body, { attributes: true, attributeFilter: ['class'] });
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.view.refreshTheme());
  }

  /** A read-only model of what is shown, for tests and debugging: `window.__poolscope`. */
  #exposeModel(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below read the live app, not a snapshot
    const app = this;
    const api = {
      get host() { return app.host.kind; },
      get phase() { return app.#phase; },
      get runs() { return app.summaries.all(); },
      get runIds() { return app.model.runs.map((r) => r.runId); },
      get lanes() {
        return app.view.rows.filter((r) => r.kind !== 'run').map((r) => {
          const lane = r.lane >= 0 ? app.model.lanes[r.lane] : undefined;
          return {
            kind: r.kind, label: r.label, runId: app.model.runs[r.runIndex].runId, pid: lane?.pid ?? app.model.runs[r.runIndex].start?.pid,
            threadId: lane?.threadId, name: lane?.name, workerId: lane?.workerId, tasks: lane?.tasks.length ?? 0,
            exit: lane?.exit?.reason, cpuSamples: lane ? lane.cpu.length / 3 : 0,
          };
        });
      },
      get bars() { return app.#barCount(); },
      get barsDrawn() { return app.view.barsDrawn; },
      get domain() { return app.view.domain; },
      get fullDomain() { return app.view.fullDomain; },
      get summary() { return app.summaries.byRunId(app.#focused ?? ''); },
      get follow() { return app.#follow; },
      get frames() { return app.#frames; },
      get events() { return app.model.events; },
      get statsFromTraceLibrary() { return app.summaries.fromTraceLibrary; },
      posted: postedMessages,
      hitTest(clientX: number, clientY: number): TaskInfo | { kind: string } | undefined {
        const hit = app.view.hitTest(clientX, clientY);
        if (!hit) return undefined;
        return hit.kind === 'task' ? taskInfo(app.model, hit.task) : { kind: hit.kind };
      },
      /** Client rectangle of a task's bar as drawn, or undefined when not on screen. */
      taskRect(runId: string, taskId: number) {
        const run = app.model.runById(runId);
        if (!run) return undefined;
        const i = app.model.taskIndex(run, taskId);
        return i >= 0 ? app.view.taskClientRect(i) : undefined;
      },
      setDomain(a: number, b: number) { app.#setFollow(false); app.view.setDomain([a, b]); },
      loadTraceText: (content: string, name: string) => app.loadTraceText(content, name),
      /** Resolves after the next frame has been drawn (including one the live-frame throttle deferred; waits at most 5 s). */
      settled: () => new Promise<void>((resolve) => {
        const until = performance.now() + 5000;
        const check = () => requestAnimationFrame(() => requestAnimationFrame(() => {
          if (app.#dirty && performance.now() < until) setTimeout(check, 20);
          else resolve();
        }));
        check();
      }),
    };
    Object.defineProperty(window, '__poolscope', { value: Object.freeze(api), configurable: false });
  }
}
