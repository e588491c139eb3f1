/**
 * The time axis: where each run sits on it (shared clock or aligned starts),
 * its full extent, the visible window and how zoom, pan, follow and the
 * overview brush move that window. The domain arithmetic is pure; ZoomBrush
 * wires it to d3-zoom on the canvas and d3-brush on the overview.
 */
import { brushX, scaleLinear, select, zoom, zoomIdentity, type BrushBehavior, type D3ZoomEvent, type ScaleLinear, type Selection, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { TraceModel } from '../../src/trace/trace-model.js';

export type Domain = [number, number];

/** The narrowest window the chart zooms to (µs): below it ticks and bars carry no more information. */
export const MIN_WINDOW_US = 10;
/** One Ctrl+wheel notch (or pinch step) zooms by this factor. */
export const WHEEL_NOTCH_FACTOR = 1.2;

/**
 * d3-zoom scales by 2^wheelDelta per wheel event. A mouse notch is ~100 px
 * (deltaMode 0), 3 lines (deltaMode 1) or 1 page (deltaMode 2); each maps to
 * one WHEEL_NOTCH_FACTOR step. (d3's default is ~4× per notch with Ctrl held.)
 */
export function wheelDelta(e: Pick<WheelEvent, 'deltaY' | 'deltaMode'>): number {
  const notches = e.deltaMode === 1 ? e.deltaY / 3 : e.deltaMode === 2 ? e.deltaY : e.deltaY / 100;
  return -notches * Math.log2(WHEEL_NOTCH_FACTOR);
}

/** The largest d3-zoom scale for a full extent: the window never gets narrower than MIN_WINDOW_US. */
export function maxZoomScale(full: readonly [number, number]): number {
  return Math.max(1, (full[1] - full[0]) / MIN_WINDOW_US);
}

/** Offsets that put each run's times on the display axis (shared clock, or every run starting at 0). */
export function runOffsets(model: TraceModel, visibleRuns: readonly number[], aligned: boolean): Float64Array {
  const runs = model.runs;
  const offsets = new Float64Array(runs.length);
  let minOrigin = Infinity;
  for (const ri of visibleRuns) {
    const s = runs[ri].start;
    if (s) minOrigin = Math.min(minOrigin, s.originUs);
  }
  for (const run of runs) {
    const s = run.start;
    if (aligned || !s || !Number.isFinite(minOrigin)) {
      offsets[run.index] = -(s ? s.t : Number.isFinite(run.firstT) ? run.firstT : 0);
    } else {
      // Shared clock: every run's t is relative to its own origin; originUs puts them on one axis.
      offsets[run.index] = s.originUs - minOrigin;
    }
  }
  return offsets;
}

/**
 * What follow mode keeps in view: the newest of the visible runs on the display axis, with the other runs of its
 * compare. A run started half a minute after a compare is followed on its own, not squeezed beside the compare
 * and the gap between them (press 0 to fit everything).
 */
export function newestExtent(model: TraceModel, visibleRuns: readonly number[], offsets: Float64Array): Domain {
  let newest = -1;
  let newestStart = -Infinity;
  for (const ri of visibleRuns) {
    const run = model.runs[ri];
    const start = (Number.isFinite(run.firstT) ? run.firstT : 0) + offsets[ri];
    if (start >= newestStart) {
      newestStart = start;
      newest = ri;
    }
  }
  if (newest < 0) return fullExtent(model, visibleRuns, offsets);
  const compareId = model.runs[newest].start?.compareId;
  const group = compareId === undefined ? [newest] : visibleRuns.filter((ri) => model.runs[ri].start?.compareId === compareId);
  return fullExtent(model, group, offsets);
}

/** Everything the visible runs cover (worker start-up included), padded 1 % each side. */
export function fullExtent(model: TraceModel, visibleRuns: readonly number[], offsets: Float64Array): Domain {
  let lo = Infinity;
  let hi = -Infinity;
  for (const ri of visibleRuns) {
    const run = model.runs[ri];
    const off = offsets[ri];
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
  return [lo - pad, hi + pad];
}

/** A window at least MIN_WINDOW_US wide, grown around its centre when narrower. */
export function normalizeDomain(d: readonly [number, number]): Domain {
  if (!(d[1] - d[0] >= MIN_WINDOW_US)) {
    const mid = Number.isFinite(d[0] + d[1]) ? (d[0] + d[1]) / 2 : 0;
    return [mid - MIN_WINDOW_US / 2, mid + MIN_WINDOW_US / 2];
  }
  return [d[0], d[1]];
}

/**
 * `factor` > 1 zooms in around the window's centre; never narrower than
 * MIN_WINDOW_US, and (given `full`) never wider than the whole extent.
 */
export function zoomDomain(d: readonly [number, number], factor: number, full?: readonly [number, number]): Domain {
  const [a, b] = d;
  const mid = (a + b) / 2;
  let half = Math.max(MIN_WINDOW_US / 2, (b - a) / 2 / factor);
  if (full && half * 2 >= full[1] - full[0]) return [full[0], full[1]];
  if (full) half = Math.min(half, (full[1] - full[0]) / 2);
  return [mid - half, mid + half];
}

/**
 * Keeps the window's width and slides it to the newest time — or shows all of `focus` (the newest run and its
 * compare: newestExtent) while the window showed all of it before it grew (`previousFocus`): a run whose first
 * events came alone (a millisecond of extent) would otherwise be followed at that millisecond's width, its
 * earlier tasks off screen; and a new run takes the view from the runs before it. Zoom in and the window keeps
 * the width you chose.
 */
export function followDomain(d: readonly [number, number], focus: readonly [number, number], previousFocus?: readonly [number, number]): Domain {
  const span = d[1] - d[0];
  const focusSpan = focus[1] - focus[0];
  const showedAll = previousFocus !== undefined && d[0] <= previousFocus[0] && d[1] >= previousFocus[1] - (previousFocus[1] - previousFocus[0]) * 0.001;
  if (showedAll || span >= focusSpan * 0.999 || span <= 0) return [focus[0], focus[1]];
  return [focus[1] - span, focus[1]];
}

export interface ZoomBrushOptions {
  /** A wheel event without Ctrl/⌘ zooms only when this says so (else it scrolls the lanes). */
  wheelZooms(e: WheelEvent): boolean;
  /** The window moved by d3-zoom (user: by a user gesture). */
  onZoom(domain: Domain, user: boolean): void;
  /** The user brushed a range on the overview. */
  onBrush(domain: Domain): void;
}

/** d3-zoom on the canvas and d3-brush on the overview, kept in step with the view's window. */
export class ZoomBrush {
  readonly #zoom: ZoomBehavior<HTMLCanvasElement, unknown>;
  readonly #brush: BrushBehavior<unknown>;
  readonly #brushG: Selection<SVGGElement, unknown, null, undefined>;
  #syncing = false;
  #full: Domain = [0, 1];
  #width = 1;

  constructor(private readonly canvas: HTMLCanvasElement, brushSvg: SVGSVGElement, opts: ZoomBrushOptions) {
    this.#brushG = select(brushSvg).append('g');
    this.#zoom = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([1, 1e7])
      .wheelDelta((event: WheelEvent) => wheelDelta(event))
      .filter((event: Event) => {
        if (event.type === 'wheel') {
          // Plain wheel scrolls the lanes when they overflow; Ctrl/⌘ + wheel (and trackpad pinch) zooms.
          const we = event as WheelEvent;
          return we.ctrlKey || we.metaKey || opts.wheelZooms(we);
        }
        return !(event as MouseEvent).button;
      })
      .on('zoom', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        if (this.#syncing) return;
        const d = event.transform.rescaleX(this.#baseScale()).domain() as Domain;
        this.#moveBrush(d);
        opts.onZoom(d, !!event.sourceEvent);
      });
    select(canvas).call(this.#zoom).on('dblclick.zoom', null);
    this.#brush = brushX<unknown>().on('brush end', (event: { selection: [number, number] | null; sourceEvent?: Event }) => {
      if (this.#syncing || !event.sourceEvent || !event.selection) return;
      const ox = this.#baseScale();
      opts.onBrush([ox.invert(event.selection[0]), ox.invert(event.selection[1])]);
    });
  }

  /** New sizes: the canvas is `width` × `height`, the overview `width` × `overviewHeight`. */
  layout(width: number, height: number, overviewHeight: number): void {
    this.#width = width;
    this.#brush.extent([[0, 0], [width, overviewHeight]]);
    this.#brushG.call(this.#brush);
    this.#zoom.extent([[0, 0], [width, height]]).translateExtent([[0, -Infinity], [width, Infinity]]);
  }

  /** Puts d3-zoom's transform and the brush where the window `domain` of `full` is. */
  sync(full: Domain, domain: Domain): void {
    this.#full = full;
    const [f0, f1] = full;
    const [d0, d1] = domain;
    const k = (f1 - f0) / Math.max(1e-9, d1 - d0);
    const base = this.#baseScale();
    const t: ZoomTransform = zoomIdentity.translate(-base(d0) * k, 0).scale(k);
    this.#syncing = true;
    try {
      const kMin = Math.min(1, k);
      this.#zoom.scaleExtent([kMin, Math.max(maxZoomScale(full), k)]);
      select(this.canvas).call(this.#zoom.transform, t);
    } finally {
      this.#syncing = false;
    }
    this.#moveBrush(domain);
  }

  #baseScale(): ScaleLinear<number, number> {
    return scaleLinear().domain(this.#full).range([0, this.#width]);
  }

  #moveBrush(d: Domain): void {
    this.#syncing = true;
    try {
      const ox = this.#baseScale();
      const b0 = Math.max(0, ox(d[0]));
      const b1 = Math.min(this.#width, ox(d[1]));
      this.#brushG.call(this.#brush.move, b1 - b0 >= this.#width - 0.5 ? null : [b0, Math.max(b0 + 1, b1)]);
    } finally {
      this.#syncing = false;
    }
  }
}
