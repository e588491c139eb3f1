/**
 * Turns spans read from another tool's trace into one PoolScope run: lanes
 * host → process → thread, one task per span. Every importer ends here, so a
 * Ray timeline, a Dask task stream and a VizTracer file are drawn and summed
 * exactly like a run PoolScope made itself.
 */
import type { Backend, TaskError, TraceEvent, UnstampedEvent } from '../events.js';

/** One unit of work from a foreign trace. Times are absolute microseconds on the source's clock. */
export interface ImportedSpan {
  name: string;
  /** Machine the work ran on (IP or hostname); undefined when the source does not say. */
  host?: string;
  /** The process: a PID, or the source's own name for it (Ray "worker:…", a Dask worker address). */
  process: number | string;
  /** The thread inside that process: a TID, or the source's own name for it. */
  thread: number | string;
  start: number;
  end: number;
  /** When the task was submitted, if the source records it (queue wait = start − queued). */
  queued?: number;
  error?: TaskError;
  /** Named parts of the span (Dask: deserialize, compute, transfer …), absolute µs like start/end. */
  phases?: Array<{ name: string; start: number; end: number }>;
  /** Shown as the task's input column. */
  detail?: string;
}

export interface ImportedRunOptions {
  /** Run label shown in the timeline, e.g. "Dask task stream". */
  label: string;
  /** The format the spans came from; becomes part of the runId. */
  source: string;
  /** Optional names for processes and threads the source declared (keys as in ImportedSpan). */
  processNames?: ReadonlyMap<string, string>;
  threadNames?: ReadonlyMap<string, string>;
  /** Overrides how a lane is named (default: the thread's declared name, else "process · thread"). */
  laneName?: (span: ImportedSpan) => string;
}

interface Lane {
  workerId: number;
  host?: string;
  pid: number;
  threadId: number;
  name: string;
  firstT: number;
}

/** Synthetic PIDs for sources that name processes with strings: far above any real Linux PID. */
const SYNTHETIC_PID_BASE = 10_000_000;

/** @throws Error when there are no spans (the caller words the format-specific message). */
export function spansToRun(input: readonly ImportedSpan[], options: ImportedRunOptions): TraceEvent[] {
  const spans = input.filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end))
    .map((s) => (s.end < s.start ? { ...s, end: s.start } : s))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  if (spans.length === 0) throw new Error('no tasks found');
  const origin = Math.min(...spans.map((s) => s.queued ?? s.start));

  const multiHost = new Set(spans.map((s) => s.host)).size > 1;
  const pids = new Map<string, number>();
  const pidOf = (span: ImportedSpan): number => {
    const key = `${span.host ?? ''}\u0000${String(span.process)}`;
    let pid = pids.get(key);
    if (pid === undefined) {
      // A real PID is kept when it names one process unambiguously (one host); names get a synthetic one.
      const real = typeof span.process === 'number' && Number.isInteger(span.process) && span.process >= 0 && !multiHost;
      pid = real ? (span.process as number) : SYNTHETIC_PID_BASE + pids.size;
      pids.set(key, pid);
    }
    return pid;
  };
  const threadIds = new Map<string, number>();
  const threadOf = (span: ImportedSpan): number => {
    if (typeof span.thread === 'number' && Number.isInteger(span.thread) && span.thread >= 0) return span.thread;
    const key = String(span.thread);
    let id = threadIds.get(key);
    if (id === undefined) {
      id = threadIds.size + 1;
      threadIds.set(key, id);
    }
    return id;
  };

  const lanes = new Map<string, Lane>();
  const laneOf = (span: ImportedSpan): Lane => {
    const key = `${span.host ?? ''}\u0000${String(span.process)}\u0000${String(span.thread)}`;
    let lane = lanes.get(key);
    if (!lane) {
      const processName = options.processNames?.get(String(span.process)) ?? String(span.process);
      const threadName = options.threadNames?.get(`${String(span.process)}:${String(span.thread)}`);
      const name = options.laneName?.(span) ?? threadName ?? (typeof span.thread === 'number' && String(span.thread) === '0'
        ? processName
        : `${processName} · ${String(span.thread)}`);
      lane = { workerId: lanes.size + 1, host: span.host, pid: pidOf(span), threadId: threadOf(span), name, firstT: (span.queued ?? span.start) - origin };
      lanes.set(key, lane);
    }
    return lane;
  };
  for (const span of spans) laneOf(span);

  const hosts = new Set([...lanes.values()].map((l) => l.host).filter((h): h is string => h !== undefined));
  const processCount = new Set([...lanes.values()].map((l) => `${l.host ?? ''}:${l.pid}`)).size;
  const backend: Backend = processCount > 1 ? 'process' : lanes.size > 1 ? 'thread' : 'serial';
  const runId = `imported-${options.source}`;
  const events: TraceEvent[] = [];
  const push = (e: UnstampedEvent): void => {
    events.push({ ...e, runId, seq: events.length } as TraceEvent);
  };
  push({ type: 'run-start', t: 0, backend, workers: lanes.size, inputsCount: spans.length, node: options.source,
    pid: [...lanes.values()][0].pid, originUs: origin, label: options.label,
    ...(hosts.size > 0 ? { hosts: [...hosts] } : {}) });
  for (const lane of lanes.values()) {
    push({ type: 'worker-start', t: lane.firstT, workerId: lane.workerId, name: lane.name, pid: lane.pid,
      threadId: lane.threadId, startupUs: 0, ...(lane.host !== undefined ? { host: lane.host } : {}) });
  }
  let end = 0;
  let failed = 0;
  let taskUs = 0;
  spans.forEach((span, taskId) => {
    const lane = laneOf(span);
    const start = span.start - origin;
    const stop = span.end - origin;
    end = Math.max(end, stop);
    taskUs += stop - start;
    if (span.error) failed++;
    push({ type: 'task-queued', t: (span.queued ?? span.start) - origin, taskId, fn: span.name, inputPreview: span.detail ?? '' });
    push({ type: 'task-start', t: start, taskId, workerId: lane.workerId });
    const phases = span.phases?.map((p) => ({ name: p.name, start: p.start - origin, end: p.end - origin }));
    push({ type: 'task-end', t: stop, taskId, workerId: lane.workerId, ok: !span.error,
      ...(span.error ? { error: span.error } : {}), ...(phases && phases.length > 0 ? { phases } : {}) });
  });
  push({ type: 'run-end', t: end, stats: { wallUs: end, tasks: spans.length, ok: spans.length - failed, failed, taskUs,
    pids: [...new Set([...lanes.values()].map((l) => l.pid))],
    threadIds: [...new Set([...lanes.values()].map((l) => l.threadId))], workersStarted: lanes.size } });
  return events;
}

/** Reads the host part of an address such as "tcp://10.0.0.5:39451" or "Node:10.0.0.5". */
export function hostOfAddress(address: string): string | undefined {
  const url = /^[a-z]+:\/\/\[?([^\]/]+?)\]?(?::\d+)?(?:\/.*)?$/i.exec(address);
  if (url) return url[1];
  const node = /^node:(.+)$/i.exec(address);
  if (node) return node[1];
  return undefined;
}

/**
 * Chooses the factor that turns a source's timestamps into microseconds from
 * their magnitude: tools have written seconds, milliseconds, microseconds and
 * nanoseconds since the epoch (Ray changed between versions). Relative clocks
 * (small values) are taken as microseconds, the Chrome trace default.
 */
export function toMicrosecondsFactor(sample: number): number {
  const a = Math.abs(sample);
  if (a >= 1e17) return 1e-3; // ns since the epoch (~1.7e18 in 2026)
  if (a >= 1e14) return 1; // µs since the epoch (~1.7e15)
  if (a >= 1e11) return 1e3; // ms since the epoch (~1.7e12)
  if (a >= 1e8) return 1e6; // s since the epoch (~1.7e9)
  return 1;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
