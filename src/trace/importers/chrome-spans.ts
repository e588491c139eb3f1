/**
 * Complete spans out of Chrome Trace Event JSON: `X` events and `B`/`E`
 * pairs (per lane, nested), with the `M` names of processes and threads.
 * Shared by the plain Chrome/Perfetto, Ray and VizTracer importers.
 */
import { isRecord } from './spans-to-run.js';

export interface ChromeSpan {
  name: string;
  cat: string;
  pid: number | string;
  tid: number | string;
  /** In the file's own unit (µs for Chrome traces; Ray has varied). */
  start: number;
  end: number;
  args?: Record<string, unknown>;
}

export interface ChromeSpans {
  spans: ChromeSpan[];
  processNames: Map<string, string>;
  threadNames: Map<string, string>;
}

/** Reads the traceEvents array of a Chrome trace (array or object form); undefined when it is neither. */
export function chromeEventsOf(json: unknown): Record<string, unknown>[] | undefined {
  const list = Array.isArray(json) ? json : isRecord(json) && Array.isArray(json.traceEvents) ? json.traceEvents : undefined;
  return list?.filter(isRecord);
}

const laneId = (x: unknown): number | string => (typeof x === 'number' || typeof x === 'string' ? x : 0);

export function chromeSpans(events: readonly Record<string, unknown>[]): ChromeSpans {
  const spans: ChromeSpan[] = [];
  const open = new Map<string, Record<string, unknown>[]>();
  const processNames = new Map<string, string>();
  const threadNames = new Map<string, string>();
  for (const ev of events) {
    const pid = laneId(ev.pid);
    const tid = laneId(ev.tid);
    const name = typeof ev.name === 'string' ? ev.name : '';
    const cat = typeof ev.cat === 'string' ? ev.cat : '';
    const args = isRecord(ev.args) ? ev.args : undefined;
    if (ev.ph === 'M') {
      const metaName = typeof args?.name === 'string' ? args.name : undefined;
      if (metaName && name === 'process_name') processNames.set(String(pid), metaName);
      if (metaName && name === 'thread_name') threadNames.set(`${String(pid)}:${String(tid)}`, metaName);
      continue;
    }
    const ts = typeof ev.ts === 'number' ? ev.ts : typeof ev.ts === 'string' ? Number(ev.ts) : NaN;
    if (!Number.isFinite(ts)) continue;
    if (ev.ph === 'X') {
      const dur = typeof ev.dur === 'number' && Number.isFinite(ev.dur) ? Math.max(0, ev.dur) : 0;
      spans.push({ name, cat, pid, tid, start: ts, end: ts + dur, args });
    } else if (ev.ph === 'B') {
      const key = `${String(pid)}:${String(tid)}`;
      const stack = open.get(key) ?? [];
      stack.push({ ...ev, ts });
      open.set(key, stack);
    } else if (ev.ph === 'E') {
      const begin = open.get(`${String(pid)}:${String(tid)}`)?.pop();
      if (begin) {
        spans.push({ name: (typeof begin.name === 'string' && begin.name) || name, cat: typeof begin.cat === 'string' ? begin.cat : cat,
          pid, tid, start: begin.ts as number, end: ts, args: isRecord(begin.args) ? begin.args : undefined });
      }
    }
  }
  return { spans, processNames, threadNames };
}

/**
 * The outermost spans of each lane: a span inside another span of the same
 * lane is part of that one's work, not a task of its own.
 */
export function outermostSpans<T extends { pid: number | string; tid: number | string; start: number; end: number }>(spans: readonly T[]): T[] {
  const byLane = new Map<string, T[]>();
  for (const s of spans) {
    const key = `${String(s.pid)}:${String(s.tid)}`;
    const lane = byLane.get(key) ?? [];
    lane.push(s);
    byLane.set(key, lane);
  }
  const out: T[] = [];
  for (const lane of byLane.values()) {
    lane.sort((a, b) => a.start - b.start || b.end - a.end);
    let coveredUntil = -Infinity;
    for (const s of lane) {
      if (s.start >= coveredUntil) {
        out.push(s);
        coveredUntil = s.end;
      } else if (s.end > coveredUntil) {
        // Overlapping but not nested (async work): still its own unit.
        out.push(s);
        coveredUntil = s.end;
      }
    }
  }
  return out;
}
