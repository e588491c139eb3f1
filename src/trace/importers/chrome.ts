/**
 * A Chrome / Perfetto trace from any other tool → a PoolScope run, best
 * effort: every complete span is a task, every (pid, tid) lane a worker.
 */
import type { TraceEvent } from '../events.js';
import { chromeSpans } from './chrome-spans.js';
import { spansToRun } from './spans-to-run.js';

export function importChromeSpans(events: readonly Record<string, unknown>[]): TraceEvent[] {
  const { spans, processNames, threadNames } = chromeSpans(events);
  if (spans.length === 0) throw new Error('no complete spans (X or B/E events) found in the trace');
  return spansToRun(spans.map((s) => ({ name: s.name, process: s.pid, thread: s.tid, start: s.start, end: s.end,
    error: s.args && typeof s.args.error === 'object' && s.args.error !== null ? (s.args.error as never) : undefined,
    detail: previewArgs(s.args) })), {
    label: 'imported Chrome trace', source: 'chrome',
    laneName: (s) => threadNames.get(`${String(s.process)}:${String(s.thread)}`) ?? processNames.get(String(s.process))
      ?? `pid ${String(s.process)} tid ${String(s.thread)}`,
  });
}

function previewArgs(args: Record<string, unknown> | undefined): string {
  if (!args) return '';
  const text = JSON.stringify(args);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
