/**
 * Paints lanes onto a 2-D context: worker lanes (bars, queue waits, start-up,
 * exit markers, on-CPU strip), event-loop slices, run header spans and the
 * main program's lane. Pure: it touches nothing but the context it is given,
 * so it runs (and is tested) without a DOM, against a recording context.
 */
import { formatUs } from '../../src/common/format.js';
import { IN_FLIGHT_ROW, inFlightRows } from '../lane-layout.js';
import type { Theme } from '../theme.js';
import { TaskStatus, type OtherThreads, type RunInfo, type TraceModel, type WorkerLane } from '../../src/trace/trace-model.js';
import { cpuUsIn } from '../../src/trace/on-cpu.js';
import type { BusySketch } from '../../src/trace/busy-sketch.js';
import type { RunSketch } from '../../src/trace/trace-model.js';
import { isCancelledError } from '../../src/trace/run-numbers.js';

/** A task stopped by Stop / terminate / cancel: ended not ok, but not a failure of its own. */
export function isCancelledTask(model: TraceModel, task: number): boolean {
  return model.tasks.status[task] === TaskStatus.Failed && isCancelledError(model.tasks.errors.get(task));
}

/** A task that failed on its own (not cancelled): red, with a failure flag, wins its pixel column. */
export function isFailedTask(model: TraceModel, task: number): boolean {
  return model.tasks.status[task] === TaskStatus.Failed && !isCancelledError(model.tasks.errors.get(task));
}

export type ColorMode = 'function' | 'status';

/** The part of CanvasRenderingContext2D the painters use. */
export type Paint2D = Pick<CanvasRenderingContext2D,
  'fillStyle' | 'strokeStyle' | 'lineWidth' | 'globalAlpha' | 'font'
  | 'fillRect' | 'strokeRect' | 'beginPath' | 'moveTo' | 'lineTo' | 'closePath' | 'fill' | 'stroke'
  | 'arc' | 'setLineDash' | 'fillText' | 'save' | 'restore' | 'rect' | 'clip'>;

/** Queue-wait lines are skipped on lanes with more visible tasks than this (they would only paint a solid band). */
export const MAX_QUEUE_LINES_PER_LANE = 600;
/** Bars narrower than this are merged per pixel column instead of drawn one by one. */
export const BUCKET_BELOW_PX = 2;
/** A failed task is never drawn narrower than this (a 1-px sliver is easy to miss). */
export const MIN_FAILED_PX = 4;
/** At most this many narrow failures per lane get their own marker per frame (the rest keep their pixel column). */
const MAX_FAILED_MARKERS = 2000;

/** Opacity of the waiting part of a bar (its thread was off the CPU: GIL, event loop, busy cores). */
export const WAITING_ALPHA = 0.3;

/**
 * Colours of an engine's named task phases (Dask's task stream): `compute` is the task's own colour;
 * the engine's work around it gets a fixed colour per kind, the same in every theme (like the function
 * palette), none of them red (failures) or the queue grey. Unknown names: the muted colour.
 */
export const PHASE_COLORS: Readonly<Record<string, string>> = {
  transfer: '#b07cc6',
  deserialize: '#17becf',
  'disk-read': '#d4a017',
  'disk-write': '#a0522d',
};
/** Bars narrower than this draw no phases (they would be a pixel of noise). */
export const MIN_PHASES_PX = 3;

/** The colour of phase `name` on a bar filled with `fill`. */
export function phaseFill(name: string, fill: string, muted: string): string {
  return name === 'compute' ? fill : PHASE_COLORS[name] ?? muted;
}

/** What one frame paints: the model, the visible window and how it maps to pixels. */
export interface PaintFrame {
  model: TraceModel;
  theme: Theme;
  colorMode: ColorMode;
  /** Selected task index, or -1. */
  selected: number;
  /** Canvas width in CSS px. */
  width: number;
  /** Visible window (display µs). */
  domain: readonly [number, number];
  /** Per-run offset from run-clock µs to display µs. */
  offsets: Float64Array;
}

/** The fill of a task's bar. */
export function taskFill(model: TraceModel, task: number, th: Theme, colorMode: ColorMode): string {
  const tasks = model.tasks;
  const st = tasks.status[task];
  if (st === TaskStatus.Failed) return isCancelledError(tasks.errors.get(task)) ? th.cancelled : th.failed;
  if (colorMode === 'status') return st === TaskStatus.Running ? th.running : th.ok;
  // One function on an interleaving (event-loop) lane: colour by task, so the interleaving is visible.
  if (tasks.firstSlice[task] >= 0 && model.fnNames.length <= 2) return th.fn(1 + (tasks.taskId[task] % 10));
  return th.fn(tasks.fn[task]);
}

/**
 * The fill of a run's lanes drawn from its busy sketch (rows received, not folded yet): its most frequent
 * function's colour (status colours: ok).
 */
export function coarseFill(sketch: RunSketch, th: Theme, colorMode: ColorMode): string {
  if (colorMode === 'status') return th.ok;
  let best = 0;
  let most = -1;
  for (const [fn, n] of sketch.fnCounts) if (n > most) { most = n; best = fn; }
  return th.fn(best);
}

export class LanePainter {
  #colBuf = new Int32Array(0);
  /** Per pixel column of the lane being drawn: the share of its time covered by sub-pixel tasks. */
  #busyBuf = new Float64Array(0);

  constructor(readonly ctx: Paint2D, public frame: PaintFrame) {}

  /** Display µs → canvas px for the current frame. */
  x(t: number): number {
    const [d0, d1] = this.frame.domain;
    return (t - d0) * (this.frame.width / (d1 - d0));
  }

  fillFor(task: number): string {
    return taskFill(this.frame.model, task, this.frame.theme, this.frame.colorMode);
  }

  /** Vertical grid lines at the axis ticks. */
  grid(ticks: readonly number[], h: number): void {
    const ctx = this.ctx;
    ctx.fillStyle = this.frame.theme.grid;
    for (const t of ticks) ctx.fillRect(Math.round(this.x(t)), 0, 1, h);
  }

  /** A run's header row: background, separator and the run's span. */
  runRow(run: RunInfo, top: number, height: number): void {
    const ctx = this.ctx;
    const th = this.frame.theme;
    ctx.fillStyle = th.laneAlt;
    ctx.fillRect(0, top, this.frame.width, height);
    ctx.fillStyle = th.grid;
    ctx.fillRect(0, top, this.frame.width, 1);
    this.runSpan(run, top, height);
  }

  runSpan(run: RunInfo, top: number, height: number): void {
    const off = this.frame.offsets[run.index];
    const s = run.start ? run.start.t : run.firstT;
    const e = run.end ? run.end.t : run.lastT;
    const ctx = this.ctx;
    const x0 = this.x(s + off);
    const x1 = this.x(e + off);
    ctx.fillStyle = this.frame.theme.muted;
    ctx.fillRect(x0, top + height - 6, Math.max(1, x1 - x0), 2);
    ctx.fillRect(x0, top + height - 9, 1, 8);
    if (run.end) ctx.fillRect(x1 - 1, top + height - 9, 1, 8);
    if (run.end?.error) {
      ctx.fillStyle = this.frame.theme.failed;
      ctx.fillRect(x1 - 4, top + height - 10, 4, 10);
    }
  }

  mainLane(run: RunInfo, top: number, height: number): void {
    const ctx = this.ctx;
    const off = this.frame.offsets[run.index];
    const th = this.frame.theme;
    ctx.font = `11px ${th.font}`;
    for (const wait of run.mainWaits) {
      const x0 = this.x(wait.start + off);
      const x1 = this.x(wait.end + off);
      if (x1 < 0 || x0 > this.frame.width) continue;
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

  /** A machine's heading row (runs spread over hosts): a faint band with a separator on top. */
  hostRow(top: number, height: number): void {
    const ctx = this.ctx;
    ctx.fillStyle = this.frame.theme.laneAlt;
    ctx.fillRect(0, top, this.frame.width, height);
    ctx.fillStyle = this.frame.theme.grid;
    ctx.fillRect(0, top, this.frame.width, 1);
  }

  /**
   * An "other threads of PID n" lane: per pixel column, the CPU the process's threads that ran no task used
   * (all of them together), as a filled height where the full lane is every core the run could use.
   * Returns the peak in cores drawn (tests).
   */
  otherThreadsLane(run: RunInfo, other: OtherThreads, top: number, height: number): number {
    const ctx = this.ctx;
    const { theme: th, width, offsets } = this.frame;
    const off = offsets[run.index];
    const [d0, d1] = this.frame.domain;
    const kx = width / (d1 - d0);
    const tmin = d0 - off;
    const cores = Math.max(1, run.start?.cores ?? run.machine.at(-1)?.cores ?? 1);
    const barTop = top + 3;
    const barH = height - 6;
    ctx.fillStyle = th.laneAlt;
    ctx.fillRect(0, barTop, width, barH);
    ctx.fillStyle = th.cpu;
    let peak = 0;
    let runStart = 0;
    let runH = 0;
    const flush = (end: number): void => {
      if (runH > 0) ctx.fillRect(runStart, barTop + barH - runH, end - runStart, runH);
    };
    for (let c = 0; c < width; c++) {
      const a = tmin + c / kx;
      const b = tmin + (c + 1) / kx;
      let used = 0;
      for (const series of other.series) used += cpuUsIn(series, a, b);
      const inCores = used / (b - a);
      if (inCores > peak) peak = inCores;
      const ph = Math.round(Math.min(1, inCores / cores) * barH);
      if (ph !== runH) {
        flush(c);
        runStart = c;
        runH = ph;
      }
    }
    flush(width);
    return peak;
  }

  /** A separator above a worker row that starts a new PID. */
  pidSeparator(top: number): void {
    this.ctx.fillStyle = this.frame.theme.grid;
    this.ctx.fillRect(0, top, this.frame.width, 1);
  }

  /** Draws one worker lane; returns the number of task bars in view. */
  workerLane(lane: WorkerLane, top: number, height: number): number {
    const ctx = this.ctx;
    const { model, theme: th, width, offsets, selected } = this.frame;
    const tasks = model.tasks;
    const run = model.runs[lane.runIndex];
    const off = offsets[lane.runIndex];
    const [d0, d1] = this.frame.domain;
    const kx = width / (d1 - d0);
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
        // The label sits inside the visible part of the start-up box, and only when that part has room for it.
        const vx0 = Math.max(sx0, 0);
        if (Math.min(sx1, width) - vx0 > 70) {
          ctx.fillStyle = th.muted;
          ctx.font = `10px ${th.font}`;
          ctx.fillText(`start-up ${formatUs(lane.startupUs)}`, vx0 + 4, barTop + barH / 2 + 3.5);
        }
      }
      this.#flag(th.ok, sx1, barTop, 4, 6);
    }

    // Tasks in view: those starting before the right edge and ending after the left edge.
    const spans = lane.tasks;
    const tmin = d0 - off;
    const tmax = d1 - off;
    // Rows received but not folded yet: the lane is drawn from its busy sketch (the real busy share, coarse).
    const sketch = run.sketch?.lanes.get(lane.workerId);
    if (sketch) {
      this.#coarseColumns(sketch, coarseFill(run.sketch!, th, this.frame.colorMode), tmin, kx, barTop, barH, nowT);
    } else {
      spans.ensureSorted(tasks.start);
    }
    const lo = sketch ? 0 : spans.lowerBound(tasks.start, tmin - spans.maxSpan - 1);
    const hi = sketch ? 0 : spans.lowerBound(tasks.start, tmax + 1e-9);
    const hasSlices = !sketch && lane.slices.length > 0;
    const sampled = lane.cpu.length >= 3;
    const drawQueue = hi - lo <= MAX_QUEUE_LINES_PER_LANE;
    if (this.#colBuf.length < width + 1) this.#colBuf = new Int32Array(width + 1);
    const cols = this.#colBuf;
    cols.fill(-1, 0, width + 1);
    if (this.#busyBuf.length < width + 1) this.#busyBuf = new Float64Array(width + 1);
    const busy = this.#busyBuf;
    busy.fill(0, 0, width + 1);
    let bucketed = 0;
    let bars = 0;
    /** Centres (px) of failed tasks too narrow to see; each gets a MIN_FAILED_PX marker after the columns. */
    const failedNarrow: number[] = [];
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
        const fill = this.fillFor(i);
        if (fill !== curFill) { ctx.fillStyle = fill; curFill = fill; }
        ctx.fillRect(Math.max(x0, -1), y, Math.max(1, Math.min(x1, width + 1) - Math.max(x0, -1)), IN_FLIGHT_ROW - 1);
        if (isFailedTask(model, i)) { this.failMark(x1, barTop, barH); curFill = ''; }
        continue;
      }
      if (x1 - x0 < BUCKET_BELOW_PX) {
        // Narrow bars are not drawn one by one: they mark the pixel columns they cover.
        // A failure wins its column: one failed task among thousands stays visible.
        const failed = isFailedTask(model, i);
        const v = failed ? -2 : i;
        const c1 = Math.min(width, Math.floor(x1));
        for (let c = Math.max(0, Math.floor(x0)); c <= c1; c++) {
          if (cols[c] !== -2) cols[c] = v;
          // The share of the column's time this task covered: a 3 %-busy lane stays 3 % busy at any zoom.
          busy[c] += Math.max(0, Math.min(x1, c + 1) - Math.max(x0, c));
        }
        if (failed && failedNarrow.length < MAX_FAILED_MARKERS) {
          const mid = (x0 + x1) / 2;
          // Neighbours closer than a marker share one.
          if (!failedNarrow.length || mid - failedNarrow[failedNarrow.length - 1] >= MIN_FAILED_PX) failedNarrow.push(mid);
        }
        bucketed++;
        continue;
      }
      if (x1 - x0 < MIN_FAILED_PX && isFailedTask(model, i)) {
        if (!failedNarrow.length || (x0 + x1) / 2 - failedNarrow[failedNarrow.length - 1] >= MIN_FAILED_PX) failedNarrow.push((x0 + x1) / 2);
        if (i === selected) this.selectionRing((x0 + x1) / 2 - MIN_FAILED_PX / 2, barTop, MIN_FAILED_PX, barH);
        continue;
      }
      const cx0 = Math.max(x0, -1);
      const cx1 = Math.min(x1, width + 1);
      const fill = this.fillFor(i);
      if (fill !== curFill) { ctx.fillStyle = fill; curFill = fill; }
      // Bars wider than 3 px leave a hairline gap at their end, so back-to-back tasks stay countable.
      const bw = x1 - x0 > 3 ? cx1 - cx0 - 1 : cx1 - cx0;
      const phases = x1 - x0 >= MIN_PHASES_PX ? tasks.phases.get(i) : undefined;
      if (phases) {
        // The engine's own parts of the task (Dask: transfer, deserialize, compute …), each in its colour;
        // time inside the bar that no phase covers (the engine between them) stays pale.
        this.#phases(phases, fill, cx0, bw, tmin, kx, barTop, barH);
      } else if (sampled) {
        // Drawn as it ran: pale while the thread waited, full colour for the share of each pixel's time it was on a CPU.
        this.#onCpuBar(lane.cpu, fill, cx0, bw, tmin, kx, barTop, barH);
      } else if (!Number.isNaN(tasks.cpuUs[i]) && e > s && tasks.status[i] !== TaskStatus.Running) {
        // No samples, but the task timed its own thread (Python): its mean share, evenly.
        this.#level(fill, cx0, bw, barTop, barH, Math.min(1, tasks.cpuUs[i] / (e - s)));
      } else {
        ctx.fillRect(cx0, barTop, bw, barH);
      }
      curFill = '';
      if (th.highContrast && cx1 - cx0 > 3) {
        // High contrast themes: bars get a border in the contrast colour, as VS Code's own widgets do.
        ctx.strokeStyle = th.foreground;
        ctx.strokeRect(cx0 + 0.5, barTop + 0.5, cx1 - cx0 - 2, barH - 1);
      }
      if (isFailedTask(model, i)) { this.failMark(x1, barTop, barH); curFill = ''; }
      if (i === selected) this.selectionRing(cx0, barTop, cx1 - cx0, barH);
    }
    if (bucketed) this.#denseColumns(cols, busy, sampled ? lane.cpu : undefined, tmin, kx, barTop, barH);
    if (failedNarrow.length) {
      // Very short failures: a MIN_FAILED_PX-wide bar and the failure flag, so a 100 µs failure in a 2 s run is seen.
      ctx.fillStyle = th.failed;
      for (const mid of failedNarrow) {
        ctx.fillRect(mid - MIN_FAILED_PX / 2, barTop, MIN_FAILED_PX, barH);
        this.failMark(mid + MIN_FAILED_PX / 2, barTop, barH);
      }
    }
    if (hasSlices) this.#slices(lane, tmin, tmax, kx, barTop + 3, barH - 3, sampled);
    if (selected >= 0 && hasSlices && tasks.lane[selected] === lane.index) {
      const s = tasks.start[selected];
      const e = Number.isNaN(tasks.end[selected]) ? nowT : tasks.end[selected];
      this.selectionRing((s - tmin) * kx, barTop, Math.max(2, (e - s) * kx), barH);
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

  /**
   * Sub-pixel tasks, one pixel column at a time: a column is filled to the share of its time that tasks
   * covered (so a lane busy 3 % of the time looks 3 % busy at any zoom, not solid), coloured by the last
   * task that landed there; a failure fills its column. Sampled lanes draw that share pale (the thread's
   * time in tasks) and the on-CPU share of the column in full colour. Equal neighbours merge into one rect.
   */
  #denseColumns(cols: Int32Array, busy: Float64Array, series: ArrayLike<number> | undefined, tmin: number, kx: number, top: number, h: number): void {
    const ctx = this.ctx;
    const { theme: th, width } = this.frame;
    let runStart = 0;
    let runFill = '';
    let runBusyH = 0;
    let runCpuH = 0;
    const flush = (end: number): void => {
      if (!runFill || runBusyH <= 0) return;
      const w = end - runStart;
      if (series) {
        ctx.fillStyle = runFill;
        ctx.globalAlpha = WAITING_ALPHA;
        ctx.fillRect(runStart, top + h - runBusyH, w, runBusyH);
        ctx.globalAlpha = 1;
        if (runCpuH > 0) ctx.fillRect(runStart, top + h - runCpuH, w, runCpuH);
      } else {
        ctx.fillStyle = runFill;
        ctx.fillRect(runStart, top + h - runBusyH, w, runBusyH);
      }
    };
    for (let c = 0; c <= width; c++) {
      const v = cols[c];
      let fill = '';
      let busyH = 0;
      let cpuH = 0;
      if (v === -2) {
        fill = th.failed;
        busyH = h;
      } else if (v !== -1) {
        fill = this.fillFor(v);
        busyH = Math.max(1, Math.round(Math.min(1, busy[c]) * h));
        if (series) cpuH = Math.min(busyH, Math.round(columnCpuShare(series, tmin, kx, c) * h));
      }
      if (fill !== runFill || busyH !== runBusyH || cpuH !== runCpuH) {
        flush(c);
        runStart = c;
        runFill = fill;
        runBusyH = busyH;
        runCpuH = cpuH;
      }
    }
    flush(width + 1);
  }

  /**
   * A lane from its busy sketch: per pixel column the share of its time the lane's tasks covered, as the dense
   * columns draw it (#denseColumns), in one colour; a column where a task failed is filled red.
   */
  #coarseColumns(sketch: BusySketch, fill: string, tmin: number, kx: number, top: number, h: number, nowT: number): void {
    const ctx = this.ctx;
    const { theme: th, width } = this.frame;
    let runStart = 0;
    let runFill = '';
    let runH = 0;
    const failed: number[] = [];
    const flush = (end: number): void => {
      if (!runFill || runH <= 0) return;
      ctx.fillStyle = runFill;
      ctx.fillRect(runStart, top + h - runH, end - runStart, runH);
    };
    for (let c = 0; c <= width; c++) {
      const a = tmin + c / kx;
      const b = tmin + (c + 1) / kx;
      let f = '';
      let bh = 0;
      if (a < nowT) {
        if (sketch.failedIn(a, b)) {
          f = th.failed;
          bh = h;
          if (failed.length < MAX_FAILED_MARKERS && (!failed.length || c + 0.5 - failed[failed.length - 1] >= MIN_FAILED_PX)) failed.push(c + 0.5);
        } else {
          const share = sketch.busyIn(a, Math.min(b, nowT)) / (b - a);
          if (share > 1e-9) {
            f = fill;
            bh = Math.max(1, Math.round(Math.min(1, share) * h));
          }
        }
      }
      if (f !== runFill || bh !== runH) {
        flush(c);
        runStart = c;
        runFill = f;
        runH = bh;
      }
    }
    flush(width + 1);
    // As the exact frame marks failures too narrow to see: a MIN_FAILED_PX-wide bar and the failure flag.
    ctx.fillStyle = th.failed;
    for (const mid of failed) {
      ctx.fillRect(mid - MIN_FAILED_PX / 2, top, MIN_FAILED_PX, h);
      this.failMark(mid + MIN_FAILED_PX / 2, top, h);
    }
  }

  #slices(lane: WorkerLane, tmin: number, tmax: number, kx: number, top: number, h: number, sampled: boolean): void {
    const ctx = this.ctx;
    const sl = this.frame.model.slices;
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
      const fill = this.fillFor(sl.task[s]);
      if (fill !== lastFill) { ctx.fillStyle = fill; lastFill = fill; }
      const w = Math.max(1, Math.min(x1, this.frame.width + 1) - Math.max(-1, x0));
      // A slice is when the task held the thread; sampled, it also shows whether the thread then had a core.
      if (sampled && w >= 2) {
        this.#onCpuBar(lane.cpu, fill, Math.max(-1, x0), w > 4 ? w - 1 : w, tmin, kx, top, h);
        lastFill = '';
      } else {
        ctx.fillRect(Math.max(-1, x0), top, w > 4 ? w - 1 : w, h);
      }
    }
  }

  /**
   * A bar as it ran, at the sampler's resolution: the whole bar pale (waiting),
   * then per pixel column a full-colour block whose height is the share of
   * that column's time the thread was on a CPU (from its cpu-samples, see
   * src/trace/on-cpu.ts). Columns with the same height are merged into one rect.
   */
  #onCpuBar(series: ArrayLike<number>, fill: string, x: number, w: number, tmin: number, kx: number, top: number, h: number): void {
    const ctx = this.ctx;
    ctx.fillStyle = fill;
    ctx.globalAlpha = WAITING_ALPHA;
    ctx.fillRect(x, top, w, h);
    ctx.globalAlpha = 1;
    const c0 = Math.max(0, Math.floor(x));
    const c1 = Math.min(this.frame.width, Math.ceil(x + w));
    const xEnd = x + w;
    let runStart = c0;
    let runH = -1;
    const flush = (end: number): void => {
      if (runH > 0) {
        const left = Math.max(x, runStart);
        ctx.fillRect(left, top + h - runH, Math.min(xEnd, end) - left, runH);
      }
    };
    for (let c = c0; c < c1; c++) {
      const ph = Math.round(columnCpuShare(series, tmin, kx, c) * h);
      if (ph !== runH) {
        flush(c);
        runStart = c;
        runH = ph;
      }
    }
    flush(c1);
  }

  /** A bar pale, with each phase drawn over its own time span in its colour (clipped to the bar). */
  #phases(phases: readonly { name: string; start: number; end: number }[], fill: string, x: number, w: number, tmin: number, kx: number, top: number, h: number): void {
    const ctx = this.ctx;
    ctx.fillStyle = fill;
    ctx.globalAlpha = WAITING_ALPHA;
    ctx.fillRect(x, top, w, h);
    ctx.globalAlpha = 1;
    const muted = this.frame.theme.muted;
    for (const p of phases) {
      const p0 = Math.max(x, (p.start - tmin) * kx);
      const p1 = Math.min(x + w, (p.end - tmin) * kx);
      if (p1 < x || p0 > x + w) continue;
      ctx.fillStyle = phaseFill(p.name, fill, muted);
      ctx.fillRect(p0, top, Math.max(1, p1 - p0), h);
    }
  }

  /** A bar pale (waiting) with a full-colour bottom part of height `share` (on a CPU). */
  #level(fill: string, x: number, w: number, top: number, h: number, share: number): void {
    const ctx = this.ctx;
    ctx.fillStyle = fill;
    ctx.globalAlpha = WAITING_ALPHA;
    ctx.fillRect(x, top, w, h);
    ctx.globalAlpha = 1;
    const ph = Math.round(share * h);
    if (ph > 0) ctx.fillRect(x, top + h - ph, w, ph);
  }

  failMark(x1: number, top: number, h: number): void {
    const ctx = this.ctx;
    this.#flag(this.frame.theme.failed, x1, top, 5, 7);
    ctx.fillStyle = this.frame.theme.failed;
    ctx.fillRect(x1 - 2, top, 2, h);
  }

  /** A small right-angled flag at `x` above `top`: `w` wide, reaching `h` px down from 4 px above `top`. */
  #flag(color: string, x: number, top: number, w: number, h: number): void {
    const ctx = this.ctx;
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.moveTo(x, top - 4);
    ctx.lineTo(x + w, top - 4);
    ctx.lineTo(x, top - 4 + h);
    ctx.closePath();
    ctx.fill();
  }

  selectionRing(x: number, y: number, w: number, h: number): void {
    const ctx = this.ctx;
    ctx.strokeStyle = this.frame.theme.focus;
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, y - 1, Math.max(2, w) + 2, h + 2);
    ctx.lineWidth = 1;
  }
}

/** The share of pixel column `c`'s time (at `kx` px per µs from `tmin`) that a thread was on a CPU, from its cpu samples. */
function columnCpuShare(series: ArrayLike<number>, tmin: number, kx: number, c: number): number {
  const a = tmin + c / kx;
  const b = tmin + (c + 1) / kx;
  return Math.min(1, cpuUsIn(series, a, b) / (b - a));
}
