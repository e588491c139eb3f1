/**
 * Vertical layout of the timeline: rows grouped run → host → process (PID) →
 * thread/worker, with a header row per run, a heading per machine when the
 * run's workers were spread over machines (distributed engines, imported
 * traces) and, when the program waited on the pool (Run File), the main
 * program's lane.
 */
import { formatUs } from '../src/common/format.js';
import type { OtherThreads, RunInfo, TraceModel, WorkerLane } from '../src/trace/trace-model.js';
import { isGroupedByHost, THIS_MACHINE } from '../src/trace/hosts.js';

export type RowKind = 'run' | 'host' | 'main' | 'worker' | 'other';

export interface Row {
  kind: RowKind;
  runIndex: number;
  /** Index into model.lanes for worker rows, -1 otherwise. */
  lane: number;
  y: number;
  height: number;
  label: string;
  /** Secondary text (identity, backend…) shown dimmed. */
  detail: string;
  /** Full text for the tooltip (run rows: every fact about the run). */
  title?: string;
  /** True for the first worker row of a new PID within a run (a group separator is drawn). */
  newPid: boolean;
  /** Host rows and the worker rows under them: the machine's name ("this machine" for the runner's own). */
  host?: string;
  /** 'other' rows: the CPU of the process's threads that ran no task. */
  other?: OtherThreads;
}

export const ROW_HEIGHT = { run: 34, host: 22, main: 24, worker: 28, other: 22 } as const;

/** The processes of a run whose other threads are worth a lane of their own (they did real work). */
export function visibleOtherThreads(model: TraceModel, run: RunInfo): OtherThreads[] {
  return model.notableOtherThreadsOf(run);
}

/** "PID 4242 · other threads". */
export function otherThreadsLabel(o: OtherThreads): string {
  return `PID ${o.pid} · other threads`;
}
/** Event-loop lanes get one thin sub-row per task in flight (capped) above the slices. */
export const IN_FLIGHT_ROW = 4;
export const MAX_IN_FLIGHT_ROWS = 8;

/** How many in-flight sub-rows a lane draws (0 unless it has slices). */
export function inFlightRows(model: TraceModel, lane: WorkerLane): number {
  if (!lane.slices.length) return 0;
  return Math.max(1, Math.min(MAX_IN_FLIGHT_ROWS, model.runs[lane.runIndex].start?.workers ?? 1));
}

/** "PID 4242 · thread 3 · PoolWorker-2" (thread 0 is the process's main thread). */
export function laneLabel(lane: WorkerLane): string {
  const pid = lane.known || lane.pid ? `PID ${lane.pid}` : 'PID ?';
  const thread = lane.threadId < 0 ? 'thread ?' : lane.threadId === 0 ? 'main thread' : `thread ${lane.threadId}`;
  return `${pid} · ${thread} · ${lane.name}`;
}

/** "Run 2 · thread × 4 · square": short, each fact once (the compare label repeats the backend; the file is in runTitle). */
export function runLabel(run: RunInfo): string {
  const s = run.start;
  if (!s) return `Run ${run.index + 1} · ${run.runId}`;
  const what = s.fn ?? (s.file ? s.file.split(/[\\/]/).pop() : undefined);
  return [`Run ${run.index + 1}`, `${s.backend} × ${s.workers}`, what].filter(Boolean).join(' · ');
}

/** Everything known about a run, for tooltips: "Run 2 · thread × 4 · compare 2/4 · thread · square · demo.ts". */
export function runTitle(run: RunInfo): string {
  const s = run.start;
  if (!s) return `Run ${run.index + 1} · ${run.runId}`;
  const file = s.file ? s.file.split(/[\\/]/).pop() : undefined;
  return [`Run ${run.index + 1}`, `${s.backend} × ${s.workers}`, s.label, s.fn, file, run.runId].filter(Boolean).join(' · ');
}

/** Lays out the given runs (in order); returns rows and total height. */
export function layoutRows(model: TraceModel, runIndices: readonly number[], identityOf: (runId: string) => string): { rows: Row[]; height: number } {
  const rows: Row[] = [];
  let y = 0;
  for (const ri of runIndices) {
    const run = model.runs[ri];
    rows.push({ kind: 'run', runIndex: ri, lane: -1, y, height: ROW_HEIGHT.run, label: runLabel(run), detail: identityOf(run.runId), title: runTitle(run), newPid: false });
    y += ROW_HEIGHT.run;
    if (run.mainWaits.length) {
      rows.push({
        kind: 'main', runIndex: ri, lane: -1, y, height: ROW_HEIGHT.main,
        label: `PID ${run.start?.pid ?? '?'} · main program`, detail: 'waits on the pool', newPid: false,
      });
      y += ROW_HEIGHT.main;
    }
    const lanes = run.lanes.map((li) => model.lanes[li]);
    const byHost = isGroupedByHost(run.start?.backend, lanes);
    // This machine first, then the others by name; within a host by PID, thread, start.
    const hostKey = (l: WorkerLane) => (l.host === undefined ? '' : ` ${l.host}`);
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    lanes.sort((a, b) => (byHost ? byName(hostKey(a), hostKey(b)) : 0)
      || a.pid - b.pid || a.threadId - b.threadId || a.startT - b.startT || a.workerId - b.workerId);
    let lastPid = NaN;
    let lastHost: string | undefined;
    // The other threads of a process (sampled from this machine's /proc) go right under its worker lanes;
    // those of processes without a worker lane after this machine's lanes.
    const others = visibleOtherThreads(model, run);
    let nextOther = 0;
    const pushOther = (o: OtherThreads): void => {
      rows.push({
        kind: 'other', runIndex: ri, lane: -1, y, height: ROW_HEIGHT.other, label: otherThreadsLabel(o),
        detail: `${formatUs(o.cpuUs)} on CPU`, newPid: o.pid !== lastPid, other: o,
        title: `CPU of the threads of PID ${o.pid} that ran no task — Node's libuv pool (async crypto, zlib, fs), `
          + `GC helpers, the runner's own thread: ${formatUs(o.cpuUs)} on CPU, at most ${o.peakCores.toFixed(1)} cores at once`,
        ...(byHost ? { host: THIS_MACHINE } : {}),
      });
      lastPid = o.pid;
      y += ROW_HEIGHT.other;
    };
    for (let k = 0; k < lanes.length; k++) {
      const lane = lanes[k];
      const host = lane.host ?? THIS_MACHINE;
      if (lane.host !== undefined) while (nextOther < others.length) pushOther(others[nextOther++]);
      if (byHost && host !== lastHost) {
        let end = k;
        while (end < lanes.length && (lanes[end].host ?? THIS_MACHINE) === host) end++;
        const group = lanes.slice(k, end);
        const pids = new Set(group.map((l) => l.pid)).size;
        rows.push({
          kind: 'host', runIndex: ri, lane: -1, y, height: ROW_HEIGHT.host, label: host,
          detail: `${pids} process${pids === 1 ? '' : 'es'} · ${group.length} lane${group.length === 1 ? '' : 's'}`, newPid: false, host,
        });
        y += ROW_HEIGHT.host;
        lastHost = host;
        lastPid = NaN;
      }
      if (lane.host === undefined) while (nextOther < others.length && others[nextOther].pid < lane.pid) pushOther(others[nextOther++]);
      const height = ROW_HEIGHT.worker + inFlightRows(model, lane) * IN_FLIGHT_ROW;
      rows.push({
        kind: 'worker', runIndex: ri, lane: lane.index, y, height, label: laneLabel(lane),
        detail: lane.exit ? `exited: ${lane.exit.reason}` : '', newPid: lane.pid !== lastPid,
        ...(byHost ? { host } : {}),
      });
      lastPid = lane.pid;
      y += height;
    }
    while (nextOther < others.length) pushOther(others[nextOther++]);
  }
  return { rows, height: y };
}

/** Index of the row at `y` (binary search), or -1. */
export function rowAt(rows: readonly Row[], y: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = rows[mid];
    if (y < r.y) hi = mid - 1;
    else if (y >= r.y + r.height) lo = mid + 1;
    else return mid;
  }
  return -1;
}
