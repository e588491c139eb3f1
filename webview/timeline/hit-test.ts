/**
 * What is drawn where: from a point on the canvas to the task, main-program
 * wait or worker marker under it, and from a task back to its bar's
 * rectangle. Pure geometry over the model and the rows (no DOM).
 */
import { IN_FLIGHT_ROW, inFlightRows, rowAt, type Row } from '../lane-layout.js';
import type { TraceModel } from '../../src/trace/trace-model.js';

/** What is under the mouse. */
export type Hit =
  | { kind: 'task'; task: number; runIndex: number; lane: number }
  | { kind: 'main-wait'; runIndex: number; wait: number }
  | { kind: 'worker'; runIndex: number; lane: number; marker: 'start' | 'exit' };

/** The chart's geometry as drawn: rows, per-run offsets and the visible window over `width` px. */
export interface ChartGeometry {
  model: TraceModel;
  rows: readonly Row[];
  offsets: Float64Array;
  domain: readonly [number, number];
  width: number;
}

/** Canvas px → display µs. */
function invert(g: ChartGeometry, px: number): number {
  const [d0, d1] = g.domain;
  return d0 + (px * (d1 - d0)) / g.width;
}

/** Display µs → canvas px. */
function project(g: ChartGeometry, t: number): number {
  const [d0, d1] = g.domain;
  return ((t - d0) * g.width) / (d1 - d0);
}

/** The hit at canvas x `cx` and content y `cy` (scroll offset included). */
export function hitAt(g: ChartGeometry, cx: number, cy: number): Hit | undefined {
  const r = rowAt(g.rows, cy);
  if (r < 0) return undefined;
  const row = g.rows[r];
  const off = g.offsets[row.runIndex];
  const t = invert(g, cx) - off;
  const tol = (invert(g, cx + 3) - invert(g, cx)) || 0;
  const model = g.model;
  const run = model.runs[row.runIndex];
  if (row.kind === 'main') {
    const wait = run.mainWaits.findIndex((w) => w.start - tol <= t && t <= w.end + tol);
    return wait >= 0 ? { kind: 'main-wait', runIndex: row.runIndex, wait } : undefined;
  }
  if (row.kind !== 'worker') return undefined;
  // Rows received but not folded yet (the lanes are drawn coarse): no task to name until the fold ends.
  if (run.sketch) return undefined;
  const lane = model.lanes[row.lane];
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

/** A task's bar in canvas px (y in content coordinates), unclipped; undefined when its lane is not laid out. */
export function taskBar(g: ChartGeometry, task: number): { x0: number; x1: number; y: number; height: number; row: Row } | undefined {
  const model = g.model;
  const lane = model.tasks.lane[task];
  const row = g.rows.find((r) => r.kind === 'worker' && r.lane === lane);
  if (!row) return undefined;
  const off = g.offsets[row.runIndex];
  const tasks = model.tasks;
  let s = tasks.start[task];
  let e = Number.isNaN(tasks.end[task]) ? model.runs[row.runIndex].lastT : tasks.end[task];
  // On the event loop the solid part is a slice: point at the longest one.
  const sl = model.slices;
  let best = -1;
  for (let k = tasks.firstSlice[task]; k >= 0; k = sl.nextOfTask[k]) {
    if (best < 0 || sl.end[k] - sl.start[k] > sl.end[best] - sl.start[best]) best = k;
  }
  if (best >= 0) { s = sl.start[best]; e = sl.end[best]; }
  const flight = inFlightRows(model, model.lanes[lane]) * IN_FLIGHT_ROW;
  return { x0: project(g, s + off), x1: project(g, e + off), y: row.y + 5 + flight, height: row.height - 13 - flight, row };
}
