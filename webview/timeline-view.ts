/**
 * The chart: lane labels (DOM), a time axis (SVG, d3-axis), an overview strip
 * with a brush (d3-brush), and the bars on a <canvas> (d3-zoom for pan and
 * zoom). Only what is on screen is visited per frame: each lane's tasks are
 * sorted by start, so a frame binary-searches the visible window; bars
 * narrower than a pixel are merged per pixel column.
 */
import { axisTop, brushX, scaleLinear, select, zoom, zoomIdentity, type BrushBehavior, type D3ZoomEvent, type ScaleLinear, type Selection, type ZoomBehavior, type ZoomTransform } from 'd3';
import { IN_FLIGHT_ROW, inFlightRows, layoutRows, rowAt, type Row } from './lane-layout.js';
import { axisTickFormatter, formatUs } from './format.js';
import { readTheme, type Theme } from './theme.js';
import { TaskStatus, type RunInfo, type TimelineModel, type WorkerLane } from './timeline-model.js';

const LABEL_WIDTH = 270;
const OVERVIEW_HEIGHT = 34;
const MAX_CHART_HEIGHT = 560;
/** Queue-wait lines are skipped on lanes with more visible tasks than this (they would only paint a solid band). */
const MAX_QUEUE_LINES_PER_LANE = 600;
const OVERVIEW_INTERVAL_MS = 400;
/** Bars narrower than this are merged per pixel column instead of drawn one by one. */
const BUCKET_BELOW_PX = 2;

export type ColorMode = 'function' | 'status';

/** What is under the mouse. */
export type Hit =
  | { kind: 'task'; task: number; runIndex: number; lane: number }
  | { kind: 'main-wait'; runIndex: number; wait: number }
  | { kind: 'worker'; runIndex: number; lane: number; marker: 'start' | 'exit' };

export interface TimelineViewOptions {
  onHover(hit: Hit | undefined, clientX: number, clientY: number): void;
  onSelect(hit: Hit | undefined): void;
  /** The user zoomed or panned (so follow mode should stop). */
  onUserZoom(): void;
  onFollowRequest(): void;
  identityOf(runId: string): string;
}

export class TimelineView {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #labels: HTMLElement;
  readonly #scroll: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #sticky: HTMLElement;
  readonly #axisSvg: Selection<SVGSVGElement, unknown, null, undefined>;
  readonly #overview: HTMLCanvasElement;
  readonly #overviewSvg: Selection<SVGSVGElement, unknown, null, undefined>;
  readonly #brushG: Selection<SVGGElement, unknown, null, undefined>;
  readonly #brush: BrushBehavior<unknown>;
  readonly #zoom: ZoomBehavior<HTMLCanvasElement, unknown>;
  #theme: Theme;
  #rows: Row[] = [];
  #totalHeight = 0;
  #width = 0;
  #viewHeight = 0;
  #visibleRuns: number[] = [];
  /** Per-run offset added to run-clock times to place them on the display axis. */
  #offsets = new Float64Array(0);
  #full: [number, number] = [0, 1];
  #domain: [number, number] = [0, 1];
  #syncing = false;
  #overviewDirty = true;
  #colorMode: ColorMode = 'function';
  #aligned = false;
  #selected = -1;
  #lastBars = 0;
  #colBuf = new Int32Array(0);
  #overviewAt = -Infinity;
  #layoutVersion = 0;
  #overviewCostMs = 0;
  #labelsKey = '';
  /** What the rows looked like at the last layout (label rebuilds follow changes of it). */
  #rowsKey = '';
  #overviewTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(public model: TimelineModel, private readonly opts: TimelineViewOptions) {
    this.element = document.createElement('section');
    this.element.className = 'ps-timeline';
    this.element.setAttribute('aria-label', 'Timeline');

    const overviewWrap = div('ps-overview');
    this.#overview = document.createElement('canvas');
    this.#overview.className = 'ps-overview-canvas';
    this.#overview.setAttribute('aria-hidden', 'true');
    overviewWrap.append(div('ps-label-head', 'Overview — drag to select a range'), this.#overview);
    const brushSvg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    brushSvg.classList.add('ps-overview-brush');
    overviewWrap.append(brushSvg);
    this.#overviewSvg = select(brushSvg);
    this.#brushG = this.#overviewSvg.append('g');

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

    this.#zoom = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([1, 1e7])
      .filter((event: Event) => {
        if (event.type === 'wheel') {
          // Plain wheel scrolls the lanes when they overflow; Ctrl/⌘ + wheel (and trackpad pinch) zooms.
          const we = event as WheelEvent;
          return we.ctrlKey || we.metaKey || this.#totalHeight <= this.#viewHeight || Math.abs(we.deltaX) > Math.abs(we.deltaY);
        }
        return !(event as MouseEvent).button;
      })
      .on('zoom', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => this.#onZoom(event));
    select(this.canvas).call(this.#zoom).on('dblclick.zoom', null);

    this.#brush = brushX<unknown>().on('brush end', (event: { selection: [number, number] | null; sourceEvent?: Event }) => {
      if (this.#syncing || !event.sourceEvent || !event.selection) return;
      const ox = this.#overviewScale();
      this.setDomain([ox.invert(event.selection[0]), ox.invert(event.selection[1])]);
      this.opts.onUserZoom();
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
    this.#scroll.addEventListener('scroll', () => this.draw(), { passive: true });
    this.#scroll.addEventListener('keydown', (e) => this.#onKey(e));
    new ResizeObserver(() => this.resize()).observe(this.#scroll);
  }

  // ─────────────────────────────── state ───────────────────────────────

  get domain(): [number, number] { return [this.#domain[0], this.#domain[1]]; }
  get fullDomain(): [number, number] { return [this.#full[0], this.#full[1]]; }
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
  setModel(model: TimelineModel): void {
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
    const rowsKey = rows.map((r) => `${r.kind}|${r.y}|${r.height}|${r.label}|${r.detail}`).join('\n');
    if (rowsKey !== this.#rowsKey) {
      this.#rowsKey = rowsKey;
      this.#layoutVersion++;
    }
    this.#totalHeight = height;
    this.#computeOffsets();
    let lo = Infinity;
    let hi = -Infinity;
    for (const ri of this.#visibleRuns) {
      const run = model.runs[ri];
      const off = this.#offsets[ri];
      const first = Number.isFinite(run.firstT) ? run.firstT : 0;
      lo = Math.min(lo, first + off);
      hi = Math.max(hi, run.lastT + off);
      for (const li of run.lanes) {
        const lane = model.lanes[li];
        if (lane.known && Number.isFinite(lane.startT)) lo = Math.min(lo, lane.startT - lane.startupUs + off);
      }
    }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1) hi = lo + 1;
    const pad = (hi - lo) * 0.01;
    this.#full = [lo - pad, hi + pad];
    if (refit) this.#domain = [...this.#full];
    this.#overviewDirty = true;
    this.#layoutSizes();
    this.#syncZoomToDomain();
  }

  /** Shows [a, b] (display µs). */
  setDomain(d: [number, number]): void {
    const span = Math.max(1, d[1] - d[0]);
    this.#domain = [d[0], d[0] + span];
    this.#syncZoomToDomain();
    this.draw();
  }

  fit(): void {
    this.setDomain([...this.#full]);
  }

  /** Keeps the current zoom width and slides the window to the newest time (or fits while everything fits). */
  follow(): void {
    const span = this.#domain[1] - this.#domain[0];
    const fullSpan = this.#full[1] - this.#full[0];
    if (span >= fullSpan * 0.999 || span <= 0) this.#domain = [...this.#full];
    else this.#domain = [this.#full[1] - span, this.#full[1]];
    this.#syncZoomToDomain();
  }

  /** Zooms by `factor` (> 1 zooms in) around the centre of the view. */
  zoomBy(factor: number): void {
    const [a, b] = this.#domain;
    const mid = (a + b) / 2;
    const half = (b - a) / 2 / factor;
    this.setDomain([mid - half, mid + half]);
  }

  resize(): void {
    this.#layoutSizes();
    this.#overviewDirty = true;
    this.#syncZoomToDomain();
    this.draw();
  }

  // ───────────────────────────── geometry ─────────────────────────────

  #computeOffsets(): void {
    const runs = this.model.runs;
    this.#offsets = new Float64Array(runs.length);
    let minOrigin = Infinity;
    for (const ri of this.#visibleRuns) {
      const s = runs[ri].start;
      if (s) minOrigin = Math.min(minOrigin, s.originUs);
    }
    for (const run of runs) {
      const s = run.start;
      if (this.#aligned || !s || !Number.isFinite(minOrigin)) {
        this.#offsets[run.index] = -(s ? s.t : Number.isFinite(run.firstT) ? run.firstT : 0);
      } else {
        // Shared clock: every run's t is relative to its own origin; originUs puts them on one axis.
        this.#offsets[run.index] = s.originUs - minOrigin;
      }
    }
  }

  #layoutSizes(): void {
    const rect = this.#scroll.getBoundingClientRect();
    this.#width = Math.max(50, Math.floor(rect.width) - LABEL_WIDTH);
    this.#viewHeight = Math.max(60, Math.min(this.#totalHeight, MAX_CHART_HEIGHT));
    this.#scroll.style.height = `${this.#viewHeight}px`;
    this.#sticky.style.height = `${this.#viewHeight}px`;
    this.#spacer.style.height = `${Math.max(0, this.#totalHeight - this.#viewHeight)}px`;
    const dpr = window.devicePixelRatio || 1;
    setCanvasSize(this.canvas, this.#width, this.#viewHeight, dpr);
    setCanvasSize(this.#overview, this.#width, OVERVIEW_HEIGHT, dpr);
    this.#overviewSvg.attr('width', this.#width).attr('height', OVERVIEW_HEIGHT);
    this.#brush.extent([[0, 0], [this.#width, OVERVIEW_HEIGHT]]);
    this.#brushG.call(this.#brush);
    this.#axisSvg.attr('width', this.#width).attr('height', 24);
    this.#zoom.extent([[0, 0], [this.#width, this.#viewHeight]]).translateExtent([[0, -Infinity], [this.#width, Infinity]]);
  }

  #baseScale(): ScaleLinear<number, number> {
    return scaleLinear().domain(this.#full).range([0, this.#width]);
  }

  #overviewScale(): ScaleLinear<number, number> {
    return this.#baseScale();
  }

  /** The x scale of the visible window: display µs → canvas px. */
  xScale(): ScaleLinear<number, number> {
    return scaleLinear().domain(this.#domain).range([0, this.#width]);
  }

  #syncZoomToDomain(): void {
    const [f0, f1] = this.#full;
    const [d0, d1] = this.#domain;
    const k = (f1 - f0) / Math.max(1e-9, d1 - d0);
    const base = this.#baseScale();
    const t: ZoomTransform = zoomIdentity.translate(-base(d0) * k, 0).scale(k);
    this.#syncing = true;
    try {
      const kMin = Math.min(1, k);
      this.#zoom.scaleExtent([kMin, Math.max(1e7, k)]);
      select(this.canvas).call(this.#zoom.transform, t);
      const ox = this.#overviewScale();
      const b0 = Math.max(0, ox(d0));
      const b1 = Math.min(this.#width, ox(d1));
      this.#brushG.call(this.#brush.move, b1 - b0 >= this.#width - 0.5 ? null : [b0, Math.max(b0 + 1, b1)]);
    } finally {
      this.#syncing = false;
    }
  }

  #onZoom(event: D3ZoomEvent<HTMLCanvasElement, unknown>): void {
    if (this.#syncing) return;
    const d = event.transform.rescaleX(this.#baseScale()).domain() as [number, number];
    this.#domain = d;
    this.#syncing = true;
    try {
      const ox = this.#overviewScale();
      const b0 = Math.max(0, ox(d[0]));
      const b1 = Math.min(this.#width, ox(d[1]));
      this.#brushG.call(this.#brush.move, b1 - b0 >= this.#width - 0.5 ? null : [b0, Math.max(b0 + 1, b1)]);
    } finally {
      this.#syncing = false;
    }
    if (event.sourceEvent) this.opts.onUserZoom();
    this.draw();
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
    const x = this.xScale();
    this.#drawGrid(x, h);
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
        ctx.fillStyle = th.laneAlt;
        ctx.fillRect(0, top, w, row.height);
        ctx.fillStyle = th.grid;
        ctx.fillRect(0, top, w, 1);
        this.#drawRunSpan(this.model.runs[row.runIndex], top, row.height, x);
      } else if (row.kind === 'main') {
        this.#drawMainLane(this.model.runs[row.runIndex], top, row.height, x);
      } else {
        if (row.newPid) {
          ctx.fillStyle = th.grid;
          ctx.fillRect(0, top, w, 1);
        }
        bars += this.#drawWorkerLane(this.model.lanes[row.lane], top, row.height, x);
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

  #labelFor(row: Row, top: number): HTMLElement {
    const el = div(`ps-lane-label ps-lane-${row.kind}`);
    el.style.top = `${top}px`;
    el.style.height = `${row.height}px`;
    el.title = row.detail ? `${row.label} — ${row.detail}` : row.label;
    const main = document.createElement('span');
    main.className = 'ps-lane-text';
    main.textContent = row.label;
    el.append(main);
    if (row.kind === 'run' && row.detail) {
      const d = document.createElement('span');
      d.className = 'ps-lane-detail';
      d.textContent = row.detail;
      el.append(d);
    }
    el.dataset.kind = row.kind;
    if (row.lane >= 0) el.dataset.lane = String(row.lane);
    return el;
  }

  #drawGrid(x: ScaleLinear<number, number>, h: number): void {
    const ctx = this.#ctx;
    ctx.fillStyle = this.#theme.grid;
    for (const t of x.ticks(Math.max(2, Math.floor(this.#width / 110)))) {
      ctx.fillRect(Math.round(x(t)), 0, 1, h);
    }
  }

  #drawAxis(x: ScaleLinear<number, number>): void {
    const span = this.#domain[1] - this.#domain[0];
    const fmt = axisTickFormatter(span);
    const axis = axisTop<number>(x).ticks(Math.max(2, Math.floor(this.#width / 110))).tickFormat(fmt).tickSizeOuter(0);
    let g = this.#axisSvg.select<SVGGElement>('g');
    if (g.empty()) g = this.#axisSvg.append('g');
    g.attr('transform', 'translate(0,23)').call(axis);
  }

  #drawRunSpan(run: RunInfo, top: number, height: number, x: ScaleLinear<number, number>): void {
    const off = this.#offsets[run.index];
    const s = run.start ? run.start.t : run.firstT;
    const e = run.end ? run.end.t : run.lastT;
    const ctx = this.#ctx;
    const x0 = x(s + off);
    const x1 = x(e + off);
    ctx.fillStyle = this.#theme.muted;
    ctx.fillRect(x0, top + height - 6, Math.max(1, x1 - x0), 2);
    ctx.fillRect(x0, top + height - 9, 1, 8);
    if (run.end) ctx.fillRect(x1 - 1, top + height - 9, 1, 8);
    if (run.end?.error) {
      ctx.fillStyle = this.#theme.failed;
      ctx.fillRect(x1 - 4, top + height - 10, 4, 10);
    }
  }

  #drawMainLane(run: RunInfo, top: number, height: number, x: ScaleLinear<number, number>): void {
    const ctx = this.#ctx;
    const off = this.#offsets[run.index];
    const th = this.#theme;
    ctx.font = `11px ${this.#theme.font}`;
    for (const wait of run.mainWaits) {
      const x0 = x(wait.start + off);
      const x1 = x(wait.end + off);
      if (x1 < 0 || x0 > this.#width) continue;
      const bw = Math.max(1, x1 - x0);
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = th.mainWait;
      ctx.fillRect(x0, top + 4, bw, height - 8);
      ctx.globalAlpha = 1;
      ctx.fillRect(x0, top + 4, bw, 2);
      if (bw > 90) {
        ctx.fillStyle = th.foreground;
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, top, bw, height);
        ctx.clip();
        ctx.fillText(`main waited here: ${wait.label}`, Math.max(x0, 0) + 4, top + height / 2 + 4);
        ctx.restore();
      }
    }
  }

  #fillFor(task: number, th: Theme): string {
    const tasks = this.model.tasks;
    const st = tasks.status[task];
    if (st === TaskStatus.Failed) return th.failed;
    if (this.#colorMode === 'status') return st === TaskStatus.Running ? th.running : th.ok;
    // One function on an interleaving (event-loop) lane: colour by task, so the interleaving is visible.
    if (tasks.firstSlice[task] >= 0 && this.model.fnNames.length <= 2) return th.fn(1 + (tasks.taskId[task] % 10));
    return th.fn(tasks.fn[task]);
  }

  /** Draws one worker lane; returns the number of task bars in view. */
  #drawWorkerLane(lane: WorkerLane, top: number, height: number, _x: ScaleLinear<number, number>): number {
    const ctx = this.#ctx;
    const th = this.#theme;
    const model = this.model;
    const tasks = model.tasks;
    const run = model.runs[lane.runIndex];
    const off = this.#offsets[lane.runIndex];
    const [d0, d1] = this.#domain;
    const kx = this.#width / (d1 - d0);
    const px = (t: number) => (t + off - d0) * kx;
    const flightRows = inFlightRows(model, lane);
    const flightTop = top + 4;
    const barTop = top + 5 + flightRows * IN_FLIGHT_ROW;
    const barH = height - 13 - flightRows * IN_FLIGHT_ROW;
    const queueY = top + height - 7;
    const cpuY = top + height - 4;
    const nowT = run.lastT;

    // Worker life: startup (spawn → ready) hatched, then a faint band until exit.
    if (lane.known && Number.isFinite(lane.startT)) {
      const sx0 = px(lane.startT - lane.startupUs);
      const sx1 = px(lane.startT);
      const ex = px(lane.exit ? lane.exit.t : nowT);
      ctx.fillStyle = th.laneAlt;
      ctx.fillRect(sx1, barTop, Math.max(0, ex - sx1), barH);
      if (sx1 - sx0 >= 1) {
        // Start-up (spawn → ready): what a process or thread costs before its first task.
        ctx.globalAlpha = 0.5;
        ctx.strokeStyle = th.muted;
        ctx.setLineDash([3, 3]);
        ctx.strokeRect(sx0 + 0.5, barTop + 0.5, sx1 - sx0 - 1, barH - 1);
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
        if (sx1 - sx0 > 70) {
          ctx.fillStyle = th.muted;
          ctx.font = `10px ${th.font}`;
          ctx.fillText(`start-up ${formatUs(lane.startupUs)}`, Math.max(sx0, 0) + 4, barTop + barH / 2 + 3.5);
        }
      }
      ctx.fillStyle = th.ok;
      ctx.beginPath();
      ctx.moveTo(sx1, barTop - 4);
      ctx.lineTo(sx1 + 4, barTop - 4);
      ctx.lineTo(sx1, barTop + 2);
      ctx.closePath();
      ctx.fill();
    }

    // Tasks in view: those starting before the right edge and ending after the left edge.
    const spans = lane.tasks;
    spans.ensureSorted(tasks.start);
    const tmin = d0 - off;
    const tmax = d1 - off;
    const lo = spans.lowerBound(tasks.start, tmin - spans.maxSpan - 1);
    const hi = spans.lowerBound(tasks.start, tmax + 1e-9);
    const hasSlices = lane.slices.length > 0;
    const drawQueue = hi - lo <= MAX_QUEUE_LINES_PER_LANE;
    const width = this.#width;
    if (this.#colBuf.length < width + 1) this.#colBuf = new Int32Array(width + 1);
    const cols = this.#colBuf;
    cols.fill(-1, 0, width + 1);
    let bucketed = 0;
    let bars = 0;
    let curFill = '';
    const items = spans.items;
    for (let k = lo; k < hi; k++) {
      const i = items[k];
      const s = tasks.start[i];
      let e = tasks.end[i];
      if (Number.isNaN(e)) e = nowT;
      if (e < tmin) continue;
      bars++;
      const x0 = (s - tmin) * kx;
      const x1 = (e - tmin) * kx;
      if (drawQueue) {
        const q = tasks.queued[i];
        if (q < s) {
          const qx = (q - tmin) * kx;
          if (x0 - qx >= 1) {
            if (curFill !== th.queue) { ctx.fillStyle = th.queue; curFill = th.queue; }
            ctx.fillRect(Math.max(qx, -1), queueY, Math.min(x0, width + 1) - Math.max(qx, -1), 2);
          }
        }
      }
      if (hasSlices) {
        // Event loop: each task's whole span is "in flight" (a thin line in its own sub-row); the solid bar
        // below is made of slices — the moments a task actually held the one thread.
        const y = flightTop + (tasks.taskId[i] % flightRows) * IN_FLIGHT_ROW;
        const fill = this.#fillFor(i, th);
        if (fill !== curFill) { ctx.fillStyle = fill; curFill = fill; }
        ctx.fillRect(Math.max(x0, -1), y, Math.max(1, Math.min(x1, width + 1) - Math.max(x0, -1)), IN_FLIGHT_ROW - 1);
        if (tasks.status[i] === TaskStatus.Failed) { this.#failMark(x1, barTop, barH); curFill = ''; }
        continue;
      }
      if (x1 - x0 < BUCKET_BELOW_PX) {
        // Narrow bars are not drawn one by one: they mark the pixel columns they cover.
        // A failure wins its column: one failed task among thousands stays visible.
        const v = tasks.status[i] === TaskStatus.Failed ? -2 : i;
        const c1 = Math.min(width, Math.floor(x1));
        for (let c = Math.max(0, Math.floor(x0)); c <= c1; c++) if (cols[c] !== -2) cols[c] = v;
        bucketed++;
        continue;
      }
      const cx0 = Math.max(x0, -1);
      const cx1 = Math.min(x1, width + 1);
      const fill = this.#fillFor(i, th);
      if (fill !== curFill) { ctx.fillStyle = fill; curFill = fill; }
      // Bars wider than 3 px leave a hairline gap at their end, so back-to-back tasks stay countable.
      ctx.fillRect(cx0, barTop, x1 - x0 > 3 ? cx1 - cx0 - 1 : cx1 - cx0, barH);
      if (th.highContrast && cx1 - cx0 > 3) {
        // High contrast themes: bars get a border in the contrast colour, as VS Code's own widgets do.
        ctx.strokeStyle = th.foreground;
        ctx.strokeRect(cx0 + 0.5, barTop + 0.5, cx1 - cx0 - 2, barH - 1);
      }
      if (tasks.status[i] === TaskStatus.Failed) { this.#failMark(x1, barTop, barH); curFill = ''; }
      if (i === this.#selected) this.#selectionRing(cx0, barTop, cx1 - cx0, barH);
    }
    if (bucketed) {
      // Sub-pixel tasks: one column per pixel, coloured by the last task that landed there; runs of a colour merged.
      let runStart = -1;
      let runFill = '';
      for (let c = 0; c <= width; c++) {
        const v = cols[c];
        const fill = v === -1 ? '' : v === -2 ? th.failed : this.#fillFor(v, th);
        if (fill !== runFill) {
          if (runFill) { ctx.fillStyle = runFill; ctx.fillRect(runStart, barTop, c - runStart, barH); }
          runStart = c;
          runFill = fill;
        }
      }
    }
    if (hasSlices) this.#drawSlices(lane, tmin, tmax, kx, barTop + 3, barH - 3);
    if (this.#selected >= 0 && hasSlices && tasks.lane[this.#selected] === lane.index) {
      const s = tasks.start[this.#selected];
      const e = Number.isNaN(tasks.end[this.#selected]) ? nowT : tasks.end[this.#selected];
      this.#selectionRing((s - tmin) * kx, barTop, Math.max(2, (e - s) * kx), barH);
    }

    // Exit marker: idle grey bar, crash red cross, recycled blue ring, killed/timeout orange square.
    if (lane.exit) {
      const ex = px(lane.exit.t);
      const cy = barTop + barH / 2;
      switch (lane.exit.reason) {
        case 'crash':
          ctx.strokeStyle = th.failed;
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(ex - 5, cy - 5); ctx.lineTo(ex + 5, cy + 5);
          ctx.moveTo(ex + 5, cy - 5); ctx.lineTo(ex - 5, cy + 5);
          ctx.stroke();
          break;
        case 'recycled':
          ctx.strokeStyle = th.running;
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.arc(ex, cy, 4, 0, Math.PI * 2);
          ctx.stroke();
          break;
        case 'killed':
        case 'timeout':
          ctx.fillStyle = '#d18616';
          ctx.fillRect(ex - 4, cy - 4, 8, 8);
          break;
        default:
          ctx.fillStyle = th.muted;
          ctx.fillRect(ex - 1, barTop, 2, barH);
      }
      ctx.lineWidth = 1;
    }

    // On-CPU strip from cpu-sample events: opacity = share of the interval the thread was on a CPU.
    if (lane.cpu.length) {
      ctx.fillStyle = th.cpu;
      for (let k = 0; k + 2 < lane.cpu.length; k += 3) {
        const t = lane.cpu[k];
        const iv = lane.cpu[k + 1];
        if (t < tmin || t - iv > tmax) continue;
        const share = iv > 0 ? Math.min(1, lane.cpu[k + 2] / iv) : 0;
        if (share <= 0.02) continue;
        ctx.globalAlpha = 0.25 + 0.75 * share;
        const x0 = (t - iv - tmin) * kx;
        ctx.fillRect(x0, cpuY, Math.max(1, iv * kx), 3);
      }
      ctx.globalAlpha = 1;
    }
    return bars;
  }

  #drawSlices(lane: WorkerLane, tmin: number, tmax: number, kx: number, top: number, h: number): void {
    const ctx = this.#ctx;
    const th = this.#theme;
    const sl = this.model.slices;
    const spans = lane.slices;
    spans.ensureSorted(sl.start);
    const lo = spans.lowerBound(sl.start, tmin - spans.maxSpan - 1);
    const hi = spans.lowerBound(sl.start, tmax + 1e-9);
    let lastFill = '';
    for (let k = lo; k < hi; k++) {
      const s = spans.items[k];
      if (sl.end[s] < tmin) continue;
      const x0 = (sl.start[s] - tmin) * kx;
      const x1 = (sl.end[s] - tmin) * kx;
      const fill = this.#fillFor(sl.task[s], th);
      if (fill !== lastFill) { ctx.fillStyle = fill; lastFill = fill; }
      const w = Math.max(1, Math.min(x1, this.#width + 1) - Math.max(-1, x0));
      ctx.fillRect(Math.max(-1, x0), top, w > 4 ? w - 1 : w, h);
    }
  }

  #failMark(x1: number, top: number, h: number): void {
    const ctx = this.#ctx;
    ctx.fillStyle = this.#theme.failed;
    ctx.beginPath();
    ctx.moveTo(x1, top - 4);
    ctx.lineTo(x1 + 5, top - 4);
    ctx.lineTo(x1, top + 3);
    ctx.closePath();
    ctx.fill();
    ctx.fillRect(x1 - 2, top, 2, h);
  }

  #selectionRing(x: number, y: number, w: number, h: number): void {
    const ctx = this.#ctx;
    ctx.strokeStyle = this.#theme.focus;
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, y - 1, Math.max(2, w) + 2, h + 2);
    ctx.lineWidth = 1;
  }

  /** Overview: every visible run compressed into one strip, redrawn only when data changes. */
  #drawOverview(): void {
    this.#overviewDirty = false;
    const c = this.#overview.getContext('2d');
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    const w = this.#width;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.fillStyle = this.#theme.background;
    c.fillRect(0, 0, w, OVERVIEW_HEIGHT);
    const workerRows = this.#rows.filter((r) => r.kind === 'worker');
    if (!workerRows.length) return;
    const rowH = Math.max(1, (OVERVIEW_HEIGHT - 4) / workerRows.length);
    const [f0, f1] = this.#full;
    const kx = w / (f1 - f0);
    const tasks = this.model.tasks;
    const cols = new Int32Array(w + 1);
    workerRows.forEach((row, n) => {
      const lane = this.model.lanes[row.lane];
      const off = this.#offsets[lane.runIndex];
      const nowT = this.model.runs[lane.runIndex].lastT;
      cols.fill(-1);
      const mark = (i: number, s: number, e: number) => {
        const a = Math.max(0, Math.floor((s + off - f0) * kx));
        const b = Math.min(w, Math.ceil((e + off - f0) * kx));
        const v = tasks.status[i] === TaskStatus.Failed ? -2 : i;
        for (let col = a; col <= b; col++) if (cols[col] !== -2) cols[col] = v;
      };
      if (lane.slices.length) {
        // Event loop: what held the thread (slices), not the overlapping in-flight spans.
        const sl = this.model.slices;
        for (let k = 0; k < lane.slices.length; k++) {
          const x = lane.slices.items[k];
          mark(sl.task[x], sl.start[x], sl.end[x]);
        }
      } else {
        const items = lane.tasks.items;
        for (let k = 0; k < lane.tasks.length; k++) {
          const i = items[k];
          mark(i, tasks.start[i], Number.isNaN(tasks.end[i]) ? nowT : tasks.end[i]);
        }
      }
      const y = 2 + n * rowH;
      for (let col = 0; col <= w; col++) {
        const v = cols[col];
        if (v === -1) continue;
        c.fillStyle = v === -2 ? this.#theme.failed : this.#fillFor(v, this.#theme);
        c.fillRect(col, y, 1, Math.max(1, rowH - (rowH > 3 ? 1 : 0)));
      }
    });
  }

  // ───────────────────────────── hit testing ─────────────────────────────

  /** What is drawn at client coordinates (clientX, clientY), if anything. */
  hitTest(clientX: number, clientY: number): Hit | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const cx = clientX - rect.left;
    const cy = clientY - rect.top;
    if (cx < 0 || cy < 0 || cx > rect.width || cy > rect.height) return undefined;
    const r = rowAt(this.#rows, cy + this.#scroll.scrollTop);
    if (r < 0) return undefined;
    const row = this.#rows[r];
    const x = this.xScale();
    const off = this.#offsets[row.runIndex];
    const t = x.invert(cx) - off;
    const tol = (x.invert(cx + 3) - x.invert(cx)) || 0;
    const run = this.model.runs[row.runIndex];
    if (row.kind === 'main') {
      const wait = run.mainWaits.findIndex((w) => w.start - tol <= t && t <= w.end + tol);
      return wait >= 0 ? { kind: 'main-wait', runIndex: row.runIndex, wait } : undefined;
    }
    if (row.kind !== 'worker') return undefined;
    const lane = this.model.lanes[row.lane];
    const model = this.model;
    const tasks = model.tasks;
    // Event loop: the slice under the mouse names the task that held the thread.
    if (lane.slices.length) {
      const sl = model.slices;
      lane.slices.ensureSorted(sl.start);
      const hi = lane.slices.lowerBound(sl.start, t + tol + 1e-9);
      for (let k = hi - 1; k >= 0; k--) {
        const s = lane.slices.items[k];
        if (sl.start[s] < t - tol - lane.slices.maxSpan) break;
        if (sl.start[s] - tol <= t && t <= sl.end[s] + tol) return { kind: 'task', task: sl.task[s], runIndex: row.runIndex, lane: row.lane };
      }
    }
    const spans = lane.tasks;
    spans.ensureSorted(tasks.start);
    const hi = spans.lowerBound(tasks.start, t + tol + 1e-9);
    let best = -1;
    let bestDist = Infinity;
    for (let k = hi - 1; k >= 0; k--) {
      const i = spans.items[k];
      const s = tasks.start[i];
      if (s < t - tol - spans.maxSpan) break;
      const e = Number.isNaN(tasks.end[i]) ? run.lastT : tasks.end[i];
      if (s - tol <= t && t <= e + tol) {
        const inside = s <= t && t <= e;
        const dist = inside ? 0 : Math.min(Math.abs(t - s), Math.abs(t - e));
        if (dist < bestDist || (dist === bestDist && best >= 0 && e - s < tasks.end[best] - tasks.start[best])) {
          best = i;
          bestDist = dist;
        }
      }
    }
    if (best >= 0) return { kind: 'task', task: best, runIndex: row.runIndex, lane: row.lane };
    if (lane.exit && Math.abs(t - lane.exit.t) <= tol * 2) return { kind: 'worker', runIndex: row.runIndex, lane: row.lane, marker: 'exit' };
    if (lane.known && Math.abs(t - lane.startT) <= tol * 2) return { kind: 'worker', runIndex: row.runIndex, lane: row.lane, marker: 'start' };
    return undefined;
  }

  /** Client-coordinate rectangle of a task's bar as drawn now (tests, keyboard focus), or undefined when off screen. */
  taskClientRect(task: number): { x: number; y: number; width: number; height: number } | undefined {
    const lane = this.model.tasks.lane[task];
    const row = this.#rows.find((r) => r.kind === 'worker' && r.lane === lane);
    if (!row) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const x = this.xScale();
    const off = this.#offsets[row.runIndex];
    const tasks = this.model.tasks;
    let s = tasks.start[task];
    let e = Number.isNaN(tasks.end[task]) ? this.model.runs[row.runIndex].lastT : tasks.end[task];
    // On the event loop the solid part is a slice: point at the longest one.
    let best = -1;
    for (let k = tasks.firstSlice[task]; k >= 0; k = this.model.slices.nextOfTask[k]) {
      if (best < 0 || this.model.slices.end[k] - this.model.slices.start[k] > this.model.slices.end[best] - this.model.slices.start[best]) best = k;
    }
    if (best >= 0) { s = this.model.slices.start[best]; e = this.model.slices.end[best]; }
    const x0 = x(s + off);
    const x1 = x(e + off);
    const flight = inFlightRows(this.model, this.model.lanes[lane]) * IN_FLIGHT_ROW;
    const y = row.y - this.#scroll.scrollTop + 5 + flight;
    if (x1 < 0 || x0 > this.#width || y < 0 || y > this.#viewHeight) return undefined;
    return { x: rect.left + Math.max(0, x0), y: rect.top + y, width: Math.max(1, Math.min(x1, this.#width) - Math.max(0, x0)), height: row.height - 13 - flight };
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
    const key = e.key;
    if (key === '+' || key === '=') { this.zoomBy(1.5); this.opts.onUserZoom(); }
    else if (key === '-' || key === '_') { this.zoomBy(1 / 1.5); this.opts.onUserZoom(); }
    else if (key === '0') { this.fit(); this.opts.onUserZoom(); }
    else if (key === 'f' || key === 'F') this.opts.onFollowRequest();
    else if (key === 'ArrowLeft' || key === 'ArrowRight') this.#moveAlongLane(key === 'ArrowRight' ? 1 : -1);
    else if (key === 'ArrowUp' || key === 'ArrowDown') this.#moveAcrossLanes(key === 'ArrowDown' ? 1 : -1);
    else if (key === 'Enter' && this.#selected >= 0) this.opts.onSelect({ kind: 'task', task: this.#selected, runIndex: this.model.tasks.run[this.#selected], lane: this.model.tasks.lane[this.#selected] });
    else if (key === 'Escape') { this.#selected = -1; this.opts.onSelect(undefined); this.draw(); }
    else return;
    e.preventDefault();
  }

  #focusTask(task: number): void {
    this.#selected = task;
    this.reveal(task);
    this.draw();
    const rect = this.taskClientRect(task);
    const hit: Hit = { kind: 'task', task, runIndex: this.model.tasks.run[task], lane: this.model.tasks.lane[task] };
    if (rect) this.opts.onHover(hit, rect.x + rect.width / 2, rect.y + rect.height);
    this.opts.onSelect(hit);
  }

  #moveAlongLane(dir: 1 | -1): void {
    const tasks = this.model.tasks;
    const workerRows = this.#rows.filter((r) => r.kind === 'worker');
    if (this.#selected < 0) {
      const lane = workerRows.map((r) => this.model.lanes[r.lane]).find((l) => l.tasks.length > 0);
      if (lane) { lane.tasks.ensureSorted(tasks.start); this.#focusTask(lane.tasks.items[0]); }
      return;
    }
    const lane = this.model.lanes[tasks.lane[this.#selected]];
    lane.tasks.ensureSorted(tasks.start);
    const pos = lane.tasks.items.subarray(0, lane.tasks.length).indexOf(this.#selected);
    const next = pos + dir;
    if (pos >= 0 && next >= 0 && next < lane.tasks.length) this.#focusTask(lane.tasks.items[next]);
  }

  #moveAcrossLanes(dir: 1 | -1): void {
    const tasks = this.model.tasks;
    const workerRows = this.#rows.filter((r) => r.kind === 'worker' && this.model.lanes[r.lane].tasks.length > 0);
    if (!workerRows.length) return;
    if (this.#selected < 0) { this.#moveAlongLane(1); return; }
    const cur = workerRows.findIndex((r) => r.lane === tasks.lane[this.#selected]);
    const target = workerRows[cur + dir];
    if (!target) return;
    const lane = this.model.lanes[target.lane];
    lane.tasks.ensureSorted(tasks.start);
    // Same moment on the other lane: the task there that started closest to this one.
    const t = tasks.start[this.#selected] + this.#offsets[tasks.run[this.#selected]] - this.#offsets[lane.runIndex];
    let pos = lane.tasks.lowerBound(tasks.start, t);
    if (pos >= lane.tasks.length) pos = lane.tasks.length - 1;
    if (pos > 0 && Math.abs(tasks.start[lane.tasks.items[pos - 1]] - t) < Math.abs(tasks.start[lane.tasks.items[pos]] - t)) pos--;
    this.#focusTask(lane.tasks.items[pos]);
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
