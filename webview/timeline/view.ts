/**
 * The chart's scaffold and state: lane labels (DOM), a time axis (SVG,
 * d3-axis), an overview strip with a brush, and the bars on a <canvas>. It
 * owns the rows, the visible window and the selection, and per frame hands
 * the painters (lane-painter.ts, overview.ts) only what is on screen; each
 * lane's tasks are sorted by start, so a frame binary-searches the window.
 * Hit-testing, keyboard and zoom live in their own files beside this one.
 */
import { axisTop, scaleLinear, select, type ScaleLinear, type Selection } from 'd3';
import { layoutRows, rowAt, type Row } from '../lane-layout.js';
import { axisTickFormatter } from '../../src/common/format.js';
import { readTheme, type Theme } from '../theme.js';
import type { TraceModel } from '../../src/trace/trace-model.js';
import { hitAt, taskBar, type ChartGeometry, type Hit } from './hit-test.js';
import { handleChartKey } from './keyboard.js';
import { LanePainter, type ColorMode } from './lane-painter.js';
import { OVERVIEW_HEIGHT, paintOverview } from './overview.js';
import { followDomain, fullExtent, newestExtent, normalizeDomain, runOffsets, zoomDomain, ZoomBrush, type Domain } from './zoom.js';

export type { ColorMode } from './lane-painter.js';
export type { Hit } from './hit-test.js';

/** Lane label column: narrower in a narrow panel, so the bars keep most of the width. */
const LABEL_WIDTH = 270;
const LABEL_WIDTH_NARROW = 160;
const NARROW_BELOW_PX = 800;
/** The lanes never get shorter than this (the page scrolls instead). */
const MIN_CHART_HEIGHT = 140;
/** Room kept under the lanes when they fill the window, for the line after the legend (the "Summary, runs and compare" toggle); the legend itself is `reservedBelow`. */
const BELOW_CHART_PX = 34;
const OVERVIEW_INTERVAL_MS = 400;

export interface TimelineViewOptions {
  onHover(hit: Hit | undefined, clientX: number, clientY: number): void;
  onSelect(hit: Hit | undefined): void;
  /** The user zoomed or panned (so follow mode should stop). */
  onUserZoom(): void;
  onFollowRequest(): void;
  identityOf(runId: string): string;
  /** The lanes were scrolled (the app persists where, so a reload shows the same lanes). */
  onLaneScroll?(): void;
  /** Height (px) of what must stay in view under the lanes besides BELOW_CHART_PX (the legend, however many rows it wraps to). */
  reservedBelow?(): number;
}

export class TimelineView {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #painter: LanePainter;
  readonly #labels: HTMLElement;
  readonly #scroll: HTMLElement;
  /** A lane scroll position still to be restored (see restoreLaneScroll). */
  #pendingScroll: number | undefined;
  readonly #spacer: HTMLElement;
  readonly #sticky: HTMLElement;
  readonly #axisSvg: Selection<SVGSVGElement, unknown, null, undefined>;
  readonly #overview: HTMLCanvasElement;
  readonly #overviewSvg: Selection<SVGSVGElement, unknown, null, undefined>;
  readonly #zoom: ZoomBrush;
  #theme: Theme;
  #rows: Row[] = [];
  #totalHeight = 0;
  #width = 0;
  #viewHeight = 0;
  #visibleRuns: number[] = [];
  /** Per-run offset added to run-clock times to place them on the display axis. */
  #offsets: Float64Array = new Float64Array(0);
  #full: Domain = [0, 1];
  /** What follow mode keeps in view: the newest run with its compare (newestExtent). */
  #focus: Domain = [0, 1];
  /** The focus before the updates since the last follow (follow keeps showing all of it if the window did). */
  #previousFocus: Domain | undefined;
  #domain: Domain = [0, 1];
  #overviewDirty = true;
  #colorMode: ColorMode = 'function';
  #aligned = false;
  #selected = -1;
  #lastBars = 0;
  #overviewAt = -Infinity;
  #layoutVersion = 0;
  #overviewCostMs = 0;
  #labelsKey = '';
  /** What the rows looked like at the last layout (label rebuilds follow changes of it). */
  #rowsKey = '';
  #overviewTimer: ReturnType<typeof setTimeout> | undefined;
  /** #sizeKey() when the sizes were last laid out. */
  #sizedFor = '';

  constructor(public model: TraceModel, private readonly opts: TimelineViewOptions) {
    this.element = document.createElement('section');
    this.element.className = 'ps-timeline';
    this.element.setAttribute('aria-label', 'Timeline');

    const overviewWrap = div('ps-overview');
    this.#overview = document.createElement('canvas');
    this.#overview.className = 'ps-overview-canvas';
    this.#overview.setAttribute('aria-hidden', 'true');
    const overviewHead = div('ps-label-head', 'Overview');
    overviewHead.title = 'Drag on the strip to select a range';
    overviewWrap.append(overviewHead, this.#overview);
    const brushSvg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    brushSvg.classList.add('ps-overview-brush');
    overviewWrap.append(brushSvg);
    this.#overviewSvg = select(brushSvg);

    const axisRow = div('ps-axis-row');
    const axisSvg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    axisSvg.classList.add('ps-axis');
    axisRow.append(div('ps-label-head', 'Process · thread · worker'), axisSvg);
    this.#axisSvg = select(axisSvg);

    this.#scroll = div('ps-chart');
    this.#scroll.tabIndex = 0;
    this.#scroll.setAttribute('role', 'application');
    this.#scroll.setAttribute('aria-label', 'Task timeline. Arrow keys move between tasks, plus and minus zoom, 0 fits, F follows the newest time, Enter opens details.');
    this.#sticky = div('ps-chart-sticky');
    this.#labels = div('ps-labels');
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'ps-canvas';
    this.#sticky.append(this.#labels, this.canvas);
    this.#spacer = div('ps-chart-spacer');
    this.#scroll.append(this.#sticky, this.#spacer);

    this.element.append(overviewWrap, axisRow, this.#scroll);
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('canvas 2d context unavailable');
    this.#ctx = ctx;
    this.#theme = readTheme();
    this.#painter = new LanePainter(ctx, this.#frame());

    this.#zoom = new ZoomBrush(this.canvas, brushSvg, {
      wheelZooms: (we) => this.#totalHeight <= this.#viewHeight || Math.abs(we.deltaX) > Math.abs(we.deltaY),
      onZoom: (d, user) => {
        this.#domain = d;
        if (user) this.opts.onUserZoom();
        this.draw();
      },
      onBrush: (d) => {
        this.setDomain(d);
        this.opts.onUserZoom();
      },
    });

    this.canvas.addEventListener('mousemove', (e) => {
      const hit = this.hitTest(e.clientX, e.clientY);
      this.canvas.style.cursor = hit ? 'pointer' : 'default';
      this.opts.onHover(hit, e.clientX, e.clientY);
    });
    this.canvas.addEventListener('mouseleave', () => this.opts.onHover(undefined, 0, 0));
    this.canvas.addEventListener('click', (e) => {
      const hit = this.hitTest(e.clientX, e.clientY);
      if (hit?.kind === 'task') this.#selected = hit.task;
      this.opts.onSelect(hit);
      this.draw();
    });
    this.#scroll.addEventListener('scroll', () => { this.draw(); this.opts.onLaneScroll?.(); }, { passive: true });
    this.#scroll.addEventListener('keydown', (e) => this.#onKey(e));
    for (const type of ['wheel', 'pointerdown', 'keydown'] as const) this.#scroll.addEventListener(type, () => { this.#pendingScroll = undefined; }, { passive: true });
    new ResizeObserver(() => this.resize()).observe(this.#scroll);
    window.addEventListener('resize', () => this.resize());
  }

  // ─────────────────────────────── state ───────────────────────────────

  get domain(): Domain { return [this.#domain[0], this.#domain[1]]; }
  get fullDomain(): Domain { return [this.#full[0], this.#full[1]]; }
  get rows(): readonly Row[] { return this.#rows; }
  get barsDrawn(): number { return this.#lastBars; }
  get selectedTask(): number { return this.#selected; }
  get aligned(): boolean { return this.#aligned; }
  get colorMode(): ColorMode { return this.#colorMode; }

  set colorMode(mode: ColorMode) { this.#colorMode = mode; this.#overviewDirty = true; this.draw(); }

  /** Aligned starts: every run starts at 0 instead of sharing one clock. */
  set aligned(on: boolean) {
    this.#aligned = on;
    this.update(true);
  }

  /** Switches to another model (after a reset): forgets rows, selection and runs shown. */
  setModel(model: TraceModel): void {
    this.model = model;
    this.#selected = -1;
    this.update(true, []);
  }

  selectTask(task: number): void {
    this.#selected = task;
    this.draw();
  }

  /** Offset that puts run `r`'s times on the display axis. */
  offsetOf(runIndex: number): number {
    return this.#offsets[runIndex] ?? 0;
  }

  /** Re-reads theme colours (VS Code changed theme). */
  refreshTheme(): void {
    this.#theme = readTheme();
    this.#overviewDirty = true;
    this.draw();
  }

  /**
   * Recomputes layout and extent after the model or the visible runs changed.
   * `refit` also resets the view to the whole extent.
   */
  update(refit = false, visibleRuns?: number[]): void {
    if (visibleRuns) this.#visibleRuns = visibleRuns;
    const model = this.model;
    const { rows, height } = layoutRows(model, this.#visibleRuns, this.opts.identityOf);
    this.#rows = rows;
    // Live runs call this every frame; the DOM lane labels are rebuilt only when what they show changed.
    const rowsKey = rows.map((r) => `${r.kind}|${r.y}|${r.height}|${r.label}|${r.detail}|${r.host ?? ''}`).join('\n');
    if (rowsKey !== this.#rowsKey) {
      this.#rowsKey = rowsKey;
      this.#layoutVersion++;
    }
    this.#totalHeight = height;
    this.#offsets = runOffsets(model, this.#visibleRuns, this.#aligned);
    this.#previousFocus ??= this.#focus;
    this.#full = fullExtent(model, this.#visibleRuns, this.#offsets);
    this.#focus = newestExtent(model, this.#visibleRuns, this.#offsets);
    if (refit) this.#domain = [...this.#full];
    this.#overviewDirty = true;
    this.#layoutSizes();
    this.#zoom.sync(this.#full, this.#domain);
  }

  /** Shows [a, b] (display µs). */
  setDomain(d: [number, number]): void {
    this.#domain = normalizeDomain(d);
    this.#zoom.sync(this.#full, this.#domain);
    this.draw();
  }

  fit(): void {
    this.setDomain([...this.#full]);
  }

  /** Keeps the current zoom width and slides the window to the newest time (or shows the newest run whole while it did). */
  follow(): void {
    this.#domain = followDomain(this.#domain, this.#focus, this.#previousFocus);
    this.#previousFocus = undefined;
    this.#zoom.sync(this.#full, this.#domain);
  }

  /** Zooms by `factor` (> 1 zooms in) around the centre of the view. */
  zoomBy(factor: number): void {
    this.setDomain(zoomDomain(this.#domain, factor, this.#full));
  }

  resize(): void {
    // The observer also reports the size this frame's layout already measured (the chart shown for the first
    // time): a second draw of the same frame would change nothing.
    if (this.#sizeKey() === this.#sizedFor) return;
    this.#layoutSizes();
    this.#overviewDirty = true;
    this.#zoom.sync(this.#full, this.#domain);
    this.draw();
  }

  // ───────────────────────────── geometry ─────────────────────────────

  /** What the chart's size depends on: the lanes' box, the window's height, what is reserved below the lanes. */
  #sizeKey(): string {
    const rect = this.#scroll.getBoundingClientRect();
    return `${rect.width}|${rect.top + window.scrollY}|${window.innerHeight}|${this.#totalHeight}|${this.opts.reservedBelow?.() ?? 0}|${window.devicePixelRatio || 1}`;
  }

  #layoutSizes(): void {
    this.#sizedFor = this.#sizeKey();
    const rect = this.#scroll.getBoundingClientRect();
    const labelWidth = rect.width < NARROW_BELOW_PX ? LABEL_WIDTH_NARROW : LABEL_WIDTH;
    this.element.style.setProperty('--ps-label-w', `${labelWidth}px`);
    this.#width = Math.max(50, Math.floor(rect.width) - labelWidth);
    // The lanes take the rest of the window below them: one scroll area (the lanes), not a page scrolling around it.
    const top = rect.top + window.scrollY;
    const available = Math.floor(window.innerHeight - top - BELOW_CHART_PX - (this.opts.reservedBelow?.() ?? 0));
    this.#viewHeight = Math.max(Math.min(60, this.#totalHeight || 60), Math.min(this.#totalHeight, Math.max(MIN_CHART_HEIGHT, available)));
    this.#scroll.style.height = `${this.#viewHeight}px`;
    this.#sticky.style.height = `${this.#viewHeight}px`;
    this.#spacer.style.height = `${Math.max(0, this.#totalHeight - this.#viewHeight)}px`;
    this.#applyPendingScroll();
    const dpr = window.devicePixelRatio || 1;
    setCanvasSize(this.canvas, this.#width, this.#viewHeight, dpr);
    setCanvasSize(this.#overview, this.#width, OVERVIEW_HEIGHT, dpr);
    this.#overviewSvg.attr('width', this.#width).attr('height', OVERVIEW_HEIGHT);
    this.#zoom.layout(this.#width, this.#viewHeight, OVERVIEW_HEIGHT);
    this.#axisSvg.attr('width', this.#width).attr('height', 24);
  }

  /** The x scale of the visible window: display µs → canvas px. */
  xScale(): ScaleLinear<number, number> {
    return scaleLinear().domain(this.#domain).range([0, this.#width]);
  }

  #geometry(): ChartGeometry {
    return { model: this.model, rows: this.#rows, offsets: this.#offsets, domain: this.#domain, width: this.#width };
  }

  #frame() {
    return {
      model: this.model, theme: this.#theme, colorMode: this.#colorMode, selected: this.#selected,
      width: this.#width, domain: this.#domain, offsets: this.#offsets,
    };
  }

  // ───────────────────────────── drawing ─────────────────────────────

  /** Draws the visible window now (callers batch through requestAnimationFrame). */
  draw(): void {
    const ctx = this.#ctx;
    const dpr = window.devicePixelRatio || 1;
    const w = this.#width;
    const h = this.#viewHeight;
    const th = this.#theme;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = th.background;
    ctx.fillRect(0, 0, w, h);
    const painter = this.#painter;
    painter.frame = this.#frame();
    const x = this.xScale();
    painter.grid(x.ticks(Math.max(2, Math.floor(w / 110))), h);
    const scrollTop = this.#scroll.scrollTop;
    let first = rowAt(this.#rows, scrollTop);
    if (first < 0) first = 0;
    let bars = 0;
    // Lane labels are DOM: rebuild them only when the rows or the scroll position changed, not on every pan.
    const labelsKey = `${this.#layoutVersion}:${scrollTop}:${h}`;
    const rebuildLabels = labelsKey !== this.#labelsKey;
    this.#labelsKey = labelsKey;
    const labelHtml: HTMLElement[] = [];
    for (let r = first; r < this.#rows.length; r++) {
      const row = this.#rows[r];
      const top = row.y - scrollTop;
      if (top > h) break;
      if (row.kind === 'run') {
        painter.runRow(this.model.runs[row.runIndex], top, row.height);
      } else if (row.kind === 'host') {
        painter.hostRow(top, row.height);
      } else if (row.kind === 'main') {
        painter.mainLane(this.model.runs[row.runIndex], top, row.height);
      } else if (row.kind === 'other' && row.other) {
        if (row.newPid) painter.pidSeparator(top);
        painter.otherThreadsLane(this.model.runs[row.runIndex], row.other, top, row.height);
      } else {
        if (row.newPid) painter.pidSeparator(top);
        bars += painter.workerLane(this.model.lanes[row.lane], top, row.height);
      }
      if (rebuildLabels) labelHtml.push(this.#labelFor(row, top));
    }
    if (rebuildLabels) this.#labels.replaceChildren(...labelHtml);
    this.#lastBars = bars;
    this.#drawAxis(x);
    if (this.#overviewDirty) this.#maybeDrawOverview();
  }

  /**
   * The overview visits every task, so while events stream in it is redrawn at
   * most every OVERVIEW_INTERVAL_MS (and once more when they stop).
   */
  #maybeDrawOverview(): void {
    const now = performance.now();
    // Adaptive: a costly overview (millions of tasks) is redrawn proportionally less often.
    const wait = this.#overviewAt + Math.max(OVERVIEW_INTERVAL_MS, this.#overviewCostMs * 5) - now;
    if (wait <= 0) {
      this.#overviewAt = now;
      if (this.#overviewTimer) { clearTimeout(this.#overviewTimer); this.#overviewTimer = undefined; }
      this.#drawOverview();
      this.#overviewCostMs = performance.now() - now;
    } else if (!this.#overviewTimer) {
      this.#overviewTimer = setTimeout(() => {
        this.#overviewTimer = undefined;
        if (this.#overviewDirty) this.#maybeDrawOverview();
      }, wait);
    }
  }

  #drawOverview(): void {
    this.#overviewDirty = false;
    const c = this.#overview.getContext('2d');
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    paintOverview(c, {
      model: this.model, theme: this.#theme, colorMode: this.#colorMode, rows: this.#rows,
      offsets: this.#offsets, full: this.#full, width: this.#width,
    });
  }

  #labelFor(row: Row, top: number): HTMLElement {
    const el = div(`ps-lane-label ps-lane-${row.kind}`);
    el.style.top = `${top}px`;
    el.style.height = `${row.height}px`;
    const full = row.title ?? row.label;
    el.title = row.detail ? `${full} — ${row.detail}` : full;
    const main = document.createElement('span');
    main.className = 'ps-lane-text';
    main.textContent = row.label;
    el.append(main);
    if ((row.kind === 'run' || row.kind === 'host') && row.detail) {
      const d = document.createElement('span');
      d.className = 'ps-lane-detail';
      d.textContent = row.detail;
      el.append(d);
    }
    el.dataset.kind = row.kind;
    if (row.lane >= 0) el.dataset.lane = String(row.lane);
    if (row.host !== undefined) {
      el.dataset.host = row.host;
      if (row.kind === 'worker' || row.kind === 'other') el.classList.add('ps-under-host');
    }
    return el;
  }

  #drawAxis(x: ScaleLinear<number, number>): void {
    const span = this.#domain[1] - this.#domain[0];
    const count = Math.max(2, Math.floor(this.#width / 110));
    const fmt = axisTickFormatter(span, count);
    const axis = axisTop<number>(x).ticks(count).tickFormat(fmt).tickSizeOuter(0);
    let g = this.#axisSvg.select<SVGGElement>('g');
    if (g.empty()) g = this.#axisSvg.append('g');
    g.attr('transform', 'translate(0,23)').call(axis);
  }

  // ───────────────────────────── hit testing ─────────────────────────────

  /** What is drawn at client coordinates (clientX, clientY), if anything. */
  hitTest(clientX: number, clientY: number): Hit | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const cx = clientX - rect.left;
    const cy = clientY - rect.top;
    if (cx < 0 || cy < 0 || cx > rect.width || cy > rect.height) return undefined;
    return hitAt(this.#geometry(), cx, cy + this.#scroll.scrollTop);
  }

  /** Client-coordinate rectangle of a task's bar as drawn now (tests, keyboard focus), or undefined when off screen. */
  taskClientRect(task: number): { x: number; y: number; width: number; height: number } | undefined {
    const bar = taskBar(this.#geometry(), task);
    if (!bar) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const y = bar.y - this.#scroll.scrollTop;
    if (bar.x1 < 0 || bar.x0 > this.#width || y < 0 || y > this.#viewHeight) return undefined;
    return { x: rect.left + Math.max(0, bar.x0), y: rect.top + y, width: Math.max(1, Math.min(bar.x1, this.#width) - Math.max(0, bar.x0)), height: bar.height };
  }

  /** Scrolls the lanes so run `runIndex` starts at the top (when the rows overflow). */
  /** How far the lanes are scrolled (px). */
  get laneScroll(): number { return this.#scroll.scrollTop; }

  /**
   * Scrolls the lanes to `top` (a position from before a reload), now and
   * after each layout change until it holds: the panels above the lanes
   * render after the first frame and change the lanes' height. A scroll by
   * the user ends it.
   */
  restoreLaneScroll(top: number): void {
    this.#pendingScroll = top;
    this.#applyPendingScroll();
  }

  #applyPendingScroll(): void {
    if (this.#pendingScroll === undefined) return;
    this.#scroll.scrollTop = this.#pendingScroll;
    if (Math.abs(this.#scroll.scrollTop - this.#pendingScroll) < 1) this.#pendingScroll = undefined;
  }

  revealRun(runIndex: number): void {
    const row = this.#rows.find((r) => r.kind === 'run' && r.runIndex === runIndex);
    if (!row) return;
    const top = Math.max(0, Math.min(row.y, this.#totalHeight - this.#viewHeight));
    if (this.#scroll.scrollTop !== top) this.#scroll.scrollTop = top;
  }

  /** Scrolls vertically so the task's lane is visible and pans if it is outside the window. */
  reveal(task: number): void {
    const tasks = this.model.tasks;
    const row = this.#rows.find((r) => r.kind === 'worker' && r.lane === tasks.lane[task]);
    if (!row) return;
    if (row.y < this.#scroll.scrollTop || row.y + row.height > this.#scroll.scrollTop + this.#viewHeight) {
      this.#scroll.scrollTop = Math.max(0, row.y - this.#viewHeight / 2);
    }
    const off = this.#offsets[row.runIndex];
    const s = tasks.start[task] + off;
    const e = (Number.isNaN(tasks.end[task]) ? s : tasks.end[task] + off);
    const [d0, d1] = this.#domain;
    if (e < d0 || s > d1) {
      const half = (d1 - d0) / 2;
      this.setDomain([(s + e) / 2 - half, (s + e) / 2 + half]);
    }
  }

  // ───────────────────────────── keyboard ─────────────────────────────

  #onKey(e: KeyboardEvent): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the target's getters read the live view
    const view = this;
    const handled = handleChartKey(e.key, {
      zoomBy: (f) => this.zoomBy(f),
      fit: () => this.fit(),
      userZoomed: () => this.opts.onUserZoom(),
      followRequested: () => this.opts.onFollowRequest(),
      focusTask: (t) => this.#focusTask(t),
      openSelected: () => this.opts.onSelect(this.#taskHit(this.#selected)),
      clearSelection: () => { this.#selected = -1; this.opts.onSelect(undefined); this.draw(); },
      get selected() { return view.#selected; },
      get model() { return view.model; },
      get rows() { return view.#rows; },
      get offsets() { return view.#offsets; },
    });
    if (handled) e.preventDefault();
  }

  #taskHit(task: number): Hit {
    return { kind: 'task', task, runIndex: this.model.tasks.run[task], lane: this.model.tasks.lane[task] };
  }

  #focusTask(task: number): void {
    this.#selected = task;
    this.reveal(task);
    this.draw();
    const rect = this.taskClientRect(task);
    const hit = this.#taskHit(task);
    if (rect) this.opts.onHover(hit, rect.x + rect.width / 2, rect.y + rect.height);
    this.opts.onSelect(hit);
  }
}

function div(className: string, text?: string): HTMLDivElement {
  const el = document.createElement('div');
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function setCanvasSize(c: HTMLCanvasElement, w: number, h: number, dpr: number): void {
  const pw = Math.round(w * dpr);
  const ph = Math.round(h * dpr);
  if (c.width !== pw) c.width = pw;
  if (c.height !== ph) c.height = ph;
  c.style.width = `${w}px`;
  c.style.height = `${h}px`;
}
