/**
 * The cheap structural check of one trace event that every receiver of
 * events runs (webview messages, runner messages, column batches, persisted
 * state, history). No DOM or Node dependencies.
 */
import type { TraceEvent, TraceEventType } from '../trace/events.js';

const EVENT_TYPES: ReadonlySet<string> = new Set<TraceEventType>([
  'run-start', 'worker-start', 'task-queued', 'task-start', 'task-slice', 'task-end',
  'log', 'worker-exit', 'main-wait', 'cpu-sample', 'machine-sample', 'run-end',
]);

/** Characters of a run id. */
export const RUN_ID_CHARS = 200;

/**
 * Cheap structural check of one trace event: known `type`, string `runId`,
 * integer `seq`, and finite times where the type has them. Deep field checks
 * are left to the renderer, which tolerates missing optional fields.
 */
export function isTraceEvent(v: unknown): v is TraceEvent {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  if (typeof e.type !== 'string' || !EVENT_TYPES.has(e.type)) return false;
  if (typeof e.runId !== 'string' || e.runId.length === 0 || e.runId.length > RUN_ID_CHARS) return false;
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 0 || e.seq > Number.MAX_SAFE_INTEGER) return false;
  if (e.type === 'task-slice' || e.type === 'main-wait') {
    return Number.isFinite(e.start) && Number.isFinite(e.end);
  }
  return Number.isFinite(e.t);
}
