/**
 * Open Trace / `poolscope view`: any supported trace file → PoolScope trace
 * events. Recognises, in this order, PoolScope's own traces (lossless), a
 * Dask task stream, a VizTracer file, a Ray timeline and any other Chrome /
 * Perfetto JSON (best effort). See docs/architecture.md ("Importers").
 */
import { chromeToTrace, parseTraceJson, TraceFormatError } from './chrome-trace.js';
import type { TraceEvent } from './events.js';
import { importDaskTaskStream, isDaskTaskStream } from './importers/dask.js';
import { importRayTimeline, isRayTimeline } from './importers/ray.js';
import { importVizTracer, isVizTracer } from './importers/viztracer.js';

export type TraceSourceFormat = 'poolscope' | 'dask' | 'viztracer' | 'ray' | 'chrome';

/** How each format is named to the user. */
export const TRACE_FORMAT_NAMES: Record<TraceSourceFormat, string> = {
  poolscope: 'PoolScope trace', dask: 'Dask task stream', viztracer: 'VizTracer trace', ray: 'Ray timeline', chrome: 'Chrome trace',
};

export interface ImportedTrace {
  format: TraceSourceFormat;
  events: TraceEvent[];
}

export interface ImportOptions {
  /** VizTracer: the function whose calls are the tasks (default: each thread's outermost spans). */
  taskName?: string;
}

function isOwn(json: unknown): boolean {
  if (Array.isArray(json)) return json.length > 0 && typeof json[0] === 'object' && json[0] !== null && 'runId' in json[0] && 'seq' in json[0];
  return typeof json === 'object' && json !== null && 'poolscope' in json;
}

/** @throws TraceFormatError naming the format and what is wrong with it. */
export function importTrace(input: unknown, options: ImportOptions = {}): ImportedTrace {
  const json = parseTraceJson(input);
  const attempt = (format: TraceSourceFormat, read: () => TraceEvent[]): ImportedTrace => {
    try {
      return { format, events: read() };
    } catch (err) {
      if (err instanceof TraceFormatError) throw err;
      throw new TraceFormatError(`${format} trace: ${(err as Error).message}`);
    }
  };
  if (isOwn(json)) return attempt('poolscope', () => chromeToTrace(json));
  if (isDaskTaskStream(json)) return attempt('dask', () => importDaskTaskStream(json));
  if (isVizTracer(json)) return attempt('viztracer', () => importVizTracer(json, options.taskName));
  if (isRayTimeline(json)) return attempt('ray', () => importRayTimeline(json));
  return attempt('chrome', () => chromeToTrace(json));
}
