/**
 * VizTracer JSON → a PoolScope run. VizTracer records every function call
 * as an `X` span (name "fn (file.py:12)"), so taking every span as a task
 * would turn one call tree into thousands of "tasks". A task here is a span
 * whose function name matches `taskName` when one is given, else each
 * thread's outermost spans.
 */
import type { TraceEvent } from '../events.js';
import { chromeEventsOf, chromeSpans, outermostSpans, type ChromeSpan } from './chrome-spans.js';
import { isRecord, spansToRun, type ImportedSpan } from './spans-to-run.js';

export function isVizTracer(json: unknown): boolean {
  return isRecord(json) && isRecord(json.viztracer_metadata) && Array.isArray(json.traceEvents);
}

/** "work (/home/me/job.py:12)" → "work". */
export function vizFunctionName(spanName: string): string {
  return spanName.replace(/\s+\([^()]*:\d+\)$/, '');
}

export function importVizTracer(json: unknown, taskName?: string): TraceEvent[] {
  const { spans, processNames, threadNames } = chromeSpans(chromeEventsOf(json) ?? []);
  let chosen: ChromeSpan[];
  if (taskName) {
    const matching = spans.filter((s) => vizFunctionName(s.name) === taskName || s.name === taskName);
    // A recursive task function: count the outermost call only.
    chosen = outermostSpans(matching);
    if (chosen.length === 0) throw new Error(`no span of the VizTracer file is a call of "${taskName}"`);
  } else {
    chosen = outermostSpans(spans);
  }
  const out: ImportedSpan[] = chosen.map((s) => ({
    name: vizFunctionName(s.name), process: s.pid, thread: s.tid, start: s.start, end: s.end,
    detail: s.name !== vizFunctionName(s.name) ? s.name.slice(vizFunctionName(s.name).length).trim() : undefined,
  }));
  return spansToRun(out, { label: taskName ? `VizTracer · ${taskName}` : 'VizTracer', source: 'viztracer', processNames, threadNames });
}
