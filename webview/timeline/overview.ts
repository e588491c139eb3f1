/**
 * The overview strip: every visible run compressed into one strip above the
 * axis, one thin row per worker lane, one pixel column at a time. It visits
 * every task, so the view redraws it only when the data changed (throttled).
 */
import type { Row } from '../lane-layout.js';
import type { Theme } from '../theme.js';
import type { TraceModel } from '../../src/trace/trace-model.js';
import { coarseFill, isFailedTask, taskFill, type ColorMode, type Paint2D } from './lane-painter.js';

export const OVERVIEW_HEIGHT = 34;

export interface OverviewFrame {
  model: TraceModel;
  theme: Theme;
  colorMode: ColorMode;
  rows: readonly Row[];
  offsets: Float64Array;
  /** The whole extent (display µs) the strip spans. */
  full: readonly [number, number];
  width: number;
}

export function paintOverview(c: Paint2D, f: OverviewFrame): void {
  const w = f.width;
  c.fillStyle = f.theme.background;
  c.fillRect(0, 0, w, OVERVIEW_HEIGHT);
  const workerRows = f.rows.filter((r) => r.kind === 'worker');
  if (!workerRows.length) return;
  const rowH = Math.max(1, (OVERVIEW_HEIGHT - 4) / workerRows.length);
  const [f0, f1] = f.full;
  const kx = w / (f1 - f0);
  const model = f.model;
  const tasks = model.tasks;
  const cols = new Int32Array(w + 1);
  workerRows.forEach((row, n) => {
    const lane = model.lanes[row.lane];
    const off = f.offsets[lane.runIndex];
    const nowT = model.runs[lane.runIndex].lastT;
    cols.fill(-1);
    const run = model.runs[lane.runIndex];
    const sketch = run.sketch?.lanes.get(lane.workerId);
    const coarse = run.sketch ? coarseFill(run.sketch, f.theme, f.colorMode) : '';
    if (sketch) {
      // Rows not folded yet: the columns the lane was busy in, from its busy sketch (-3: busy).
      for (let col = 0; col <= w; col++) {
        const a = f0 + col / kx - off;
        const b = a + 1 / kx;
        if (a >= nowT) break;
        if (sketch.failedIn(a, b)) cols[col] = -2;
        else if (sketch.busyIn(a, Math.min(b, nowT)) > 0) cols[col] = -3;
      }
    }
    const mark = (i: number, s: number, e: number) => {
      const a = Math.max(0, Math.floor((s + off - f0) * kx));
      const b = Math.min(w, Math.ceil((e + off - f0) * kx));
      const v = isFailedTask(model, i) ? -2 : i;
      for (let col = a; col <= b; col++) if (cols[col] !== -2) cols[col] = v;
    };
    if (sketch) {
      // drawn from the sketch above
    } else if (lane.slices.length) {
      // Event loop: what held the thread (slices), not the overlapping in-flight spans.
      const sl = model.slices;
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
    const h = Math.max(1, rowH - (rowH > 3 ? 1 : 0));
    // Neighbouring columns of one colour are one rect (the same pixels; a million-task strip is otherwise ~10 000 rects).
    let runStart = 0;
    let runFill = '';
    for (let col = 0; col <= w + 1; col++) {
      const v = col <= w ? cols[col] : -1;
      const fill = v === -1 ? '' : v === -2 ? f.theme.failed : v === -3 ? coarse : taskFill(model, v, f.theme, f.colorMode);
      if (fill === runFill) continue;
      if (runFill) {
        c.fillStyle = runFill;
        c.fillRect(runStart, y, col - runStart, h);
      }
      runStart = col;
      runFill = fill;
    }
  });
}
