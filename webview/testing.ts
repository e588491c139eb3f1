/**
 * The webview's DOM-free parts as one module for Node tests
 * (dist/test/webview-lib.mjs): the model, lane layout, lane painter, hit
 * testing, keyboard moves, zoom arithmetic, tick labels and state validation.
 */
export { TraceModel, TaskStatus } from '../src/trace/trace-model.js';
export { layoutRows, runLabel, runTitle, visibleOtherThreads } from './lane-layout.js';
export { LanePainter, taskFill, isCancelledTask, isFailedTask, MIN_FAILED_PX, BUCKET_BELOW_PX } from './timeline/lane-painter.js';
export { hitAt, taskBar } from './timeline/hit-test.js';
export { alongLane, acrossLanes, handleChartKey, KEY_ZOOM_FACTOR } from './timeline/keyboard.js';
export {
  MIN_WINDOW_US, WHEEL_NOTCH_FACTOR, wheelDelta, maxZoomScale, normalizeDomain, zoomDomain, followDomain, fullExtent, newestExtent, runOffsets,
} from './timeline/zoom.js';
export { axisTickFormatter, formatUs } from '../src/common/format.js';
export { parsePersistedState, SnapshotBuilder } from './app/persisted-state.js';
export { FrameScheduler, PanelThrottle, CATCH_UP_HOLD_MS, LIVE_PANEL_INTERVAL_MS } from './app/frame-scheduler.js';
export { summarizeRuns } from '../src/trace/stats.js';
