/**
 * Validation of what the runner sends its parent. User code runs in the
 * runner, so its IPC messages are not trusted: `launchRunner()` passes on only
 * what {@link parseFromRunner} accepts and counts the rest as rejected.
 */
import { isTraceEvent } from '../common/trace-event-check.js';
import { isTraceColumns } from '../common/trace-columns.js';
import type { FromRunner } from './protocol.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A TaskError's required fields (name, message), and a location of the right shape when there is one. */
function isErrorWithLocation(v: unknown): boolean {
  if (!isObj(v) || typeof v.name !== 'string' || typeof v.message !== 'string') return false;
  if (v.stack !== undefined && typeof v.stack !== 'string') return false;
  const at = v.location;
  return at === undefined || (isObj(at) && typeof at.file === 'string' && Number.isInteger(at.line) && Number.isInteger(at.column));
}

/** A message from the runner, typed, or `undefined` when it has an unknown type or a wrong shape. */
export function parseFromRunner(raw: unknown): FromRunner | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'trace-columns':
      return isTraceColumns(raw.columns) ? raw as FromRunner : undefined;
    case 'events':
      return Array.isArray(raw.batch) && raw.batch.every(isTraceEvent) ? raw as FromRunner : undefined;
    case 'load-error':
    case 'main-error':
      return isErrorWithLocation(raw.error) ? raw as FromRunner : undefined;
    case 'bundled':
      return typeof raw.cacheHit === 'boolean' && typeof raw.durationMs === 'number' && (raw.marks === undefined || isObj(raw.marks))
        ? raw as FromRunner : undefined;
    case 'results':
      return typeof raw.runId === 'string' && Array.isArray(raw.results)
        && raw.results.every((r) => Array.isArray(r) && r.length === 2 && Number.isInteger(r[0])) ? raw as FromRunner : undefined;
    case 'done':
      return typeof raw.ok === 'boolean' && Number.isInteger(raw.failed) && Array.isArray(raw.runIds)
        && raw.runIds.every((id) => typeof id === 'string') ? raw as FromRunner : undefined;
    default:
      return undefined;
  }
}
