/**
 * Keyboard use of the chart: + / − zoom, 0 fits, F follows, arrows move the
 * selection along a lane and across lanes, Enter opens details, Escape clears.
 * The moves are pure (model + rows → next task); the view applies them.
 */
import type { Row } from '../lane-layout.js';
import type { TraceModel } from '../../src/trace/trace-model.js';

/** Zoom step of the + / − keys and buttons. */
export const KEY_ZOOM_FACTOR = 1.5;

export interface KeyTarget {
  zoomBy(factor: number): void;
  fit(): void;
  /** The user changed the view (follow mode stops). */
  userZoomed(): void;
  followRequested(): void;
  /** Selects and reveals a task (keyboard focus). */
  focusTask(task: number): void;
  openSelected(): void;
  clearSelection(): void;
  readonly selected: number;
  readonly model: TraceModel;
  readonly rows: readonly Row[];
  readonly offsets: Float64Array;
}

/** Handles a key on the chart; returns false when the key is not the chart's (the caller leaves it alone). */
export function handleChartKey(key: string, t: KeyTarget): boolean {
  if (key === '+' || key === '=') { t.zoomBy(KEY_ZOOM_FACTOR); t.userZoomed(); }
  else if (key === '-' || key === '_') { t.zoomBy(1 / KEY_ZOOM_FACTOR); t.userZoomed(); }
  else if (key === '0') { t.fit(); t.userZoomed(); }
  else if (key === 'f' || key === 'F') t.followRequested();
  else if (key === 'ArrowLeft' || key === 'ArrowRight') {
    const next = alongLane(t.model, t.rows, t.selected, key === 'ArrowRight' ? 1 : -1);
    if (next >= 0) t.focusTask(next);
  } else if (key === 'ArrowUp' || key === 'ArrowDown') {
    const next = acrossLanes(t.model, t.rows, t.offsets, t.selected, key === 'ArrowDown' ? 1 : -1);
    if (next >= 0) t.focusTask(next);
  } else if (key === 'Enter' && t.selected >= 0) t.openSelected();
  else if (key === 'Escape') t.clearSelection();
  else return false;
  return true;
}

/** The next task along the selected task's lane (or the first task of the first lane with tasks); -1 for none. */
export function alongLane(model: TraceModel, rows: readonly Row[], selected: number, dir: 1 | -1): number {
  const tasks = model.tasks;
  if (selected < 0) {
    const lane = rows.filter((r) => r.kind === 'worker').map((r) => model.lanes[r.lane]).find((l) => l.tasks.length > 0);
    if (!lane) return -1;
    lane.tasks.ensureSorted(tasks.start);
    return lane.tasks.items[0];
  }
  const lane = model.lanes[tasks.lane[selected]];
  lane.tasks.ensureSorted(tasks.start);
  const pos = lane.tasks.items.subarray(0, lane.tasks.length).indexOf(selected);
  const next = pos + dir;
  return pos >= 0 && next >= 0 && next < lane.tasks.length ? lane.tasks.items[next] : -1;
}

/** The task on the next lane (with tasks) that started closest to the selected one; -1 for none. */
export function acrossLanes(model: TraceModel, rows: readonly Row[], offsets: Float64Array, selected: number, dir: 1 | -1): number {
  const tasks = model.tasks;
  const workerRows = rows.filter((r) => r.kind === 'worker' && model.lanes[r.lane].tasks.length > 0);
  if (!workerRows.length) return -1;
  if (selected < 0) return alongLane(model, rows, selected, 1);
  const cur = workerRows.findIndex((r) => r.lane === tasks.lane[selected]);
  const target = workerRows[cur + dir];
  if (!target) return -1;
  const lane = model.lanes[target.lane];
  lane.tasks.ensureSorted(tasks.start);
  // Same moment on the other lane: the task there that started closest to this one.
  const t = tasks.start[selected] + offsets[tasks.run[selected]] - offsets[lane.runIndex];
  let pos = lane.tasks.lowerBound(tasks.start, t);
  if (pos >= lane.tasks.length) pos = lane.tasks.length - 1;
  if (pos > 0 && Math.abs(tasks.start[lane.tasks.items[pos - 1]] - t) < Math.abs(tasks.start[lane.tasks.items[pos]] - t)) pos--;
  return lane.tasks.items[pos];
}
