/**
 * Dask distributed task stream → a PoolScope run. `Client.get_task_stream()`
 * (or the `task_stream` plugin's buffer) saved as JSON: a list of records
 * `{ key, worker, thread, status, startstops: [{ action, start, stop }], nbytes, typename }`
 * with times in seconds since the epoch. Lanes: host → worker process
 * (its address) → thread; each record's start-stops become the bar's phases.
 */
import type { TaskError, TraceEvent } from '../events.js';
import { hostOfAddress, isRecord, spansToRun, toMicrosecondsFactor, type ImportedSpan } from './spans-to-run.js';

export interface DaskStartStop {
  action: string;
  start: number;
  stop: number;
}

export interface DaskTaskRecord {
  key: unknown;
  worker: string;
  thread?: number;
  status?: string;
  startstops: DaskStartStop[];
  nbytes?: number;
  typename?: string;
  exception?: unknown;
  traceback?: unknown;
}

function recordsOf(json: unknown): unknown[] | undefined {
  if (Array.isArray(json)) return json;
  if (isRecord(json)) {
    for (const k of ['task_stream', 'taskStream', 'records']) if (Array.isArray(json[k])) return json[k] as unknown[];
  }
  return undefined;
}

function isStartStop(x: unknown): x is DaskStartStop {
  return isRecord(x) && typeof x.action === 'string' && typeof x.start === 'number' && typeof x.stop === 'number';
}

function isDaskRecord(x: unknown): x is DaskTaskRecord {
  return isRecord(x) && 'key' in x && typeof x.worker === 'string' && Array.isArray(x.startstops) && x.startstops.every(isStartStop);
}

/** True when the JSON is a Dask task stream (a non-empty list of task-stream records). */
export function isDaskTaskStream(json: unknown): boolean {
  const records = recordsOf(json);
  return !!records && records.length > 0 && records.every(isDaskRecord);
}

/**
 * Dask's own `key_split`, reduced: "inc-9b1c…" → "inc", ["sum-abc", 3] →
 * "sum"; a key that is only a name stays as it is.
 */
export function daskKeyName(key: unknown): string {
  const first = Array.isArray(key) ? key[0] : key;
  const text = typeof first === 'string' ? first.replace(/^\(?'?/, '').replace(/'.*$/, '') : String(first);
  const words = text.split('-');
  const kept: string[] = [];
  for (const w of words) {
    if (kept.length > 0 && (/^[0-9a-f]{8,}$/i.test(w) || /^\d+$/.test(w))) break;
    kept.push(w);
  }
  return kept.join('-') || text;
}

export function importDaskTaskStream(json: unknown): TraceEvent[] {
  const records = (recordsOf(json) ?? []).filter(isDaskRecord);
  const firstStart = records.find((r) => r.startstops.length > 0)?.startstops[0].start ?? 0;
  const f = toMicrosecondsFactor(firstStart);
  const base = Math.min(...records.flatMap((r) => r.startstops.map((p) => p.start)));
  const spans: ImportedSpan[] = [];
  for (const r of records) {
    if (r.startstops.length === 0) continue;
    const phases = r.startstops.map((p) => ({ name: p.action, start: (p.start - base) * f, end: (p.stop - base) * f }));
    const start = Math.min(...phases.map((p) => p.start));
    const end = Math.max(...phases.map((p) => p.end));
    const erred = typeof r.status === 'string' && r.status.toLowerCase() !== 'ok';
    const error: TaskError | undefined = erred
      ? { name: 'DaskTaskError', message: typeof r.exception === 'string' ? r.exception : `Dask reported status "${r.status}"`,
        ...(typeof r.traceback === 'string' ? { stack: r.traceback } : {}) }
      : undefined;
    const keyText = Array.isArray(r.key) ? JSON.stringify(r.key) : String(r.key);
    spans.push({
      name: daskKeyName(r.key), host: hostOfAddress(r.worker), process: r.worker,
      thread: typeof r.thread === 'number' ? r.thread : 0, start, end, phases, error,
      detail: [keyText, r.typename, typeof r.nbytes === 'number' ? `${r.nbytes} B` : undefined].filter(Boolean).join(' · '),
    });
  }
  if (spans.length === 0) throw new Error('the Dask task stream holds no task records');
  return spansToRun(spans, { label: 'Dask task stream', source: 'dask' });
}
