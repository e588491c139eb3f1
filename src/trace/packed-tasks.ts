/**
 * A compact, columnar encoding of the task events (`task-queued`,
 * `task-start`, `task-end`) of one run, for large traces.
 *
 * A million tasks are three million event objects: structured-cloning or
 * JSON-parsing them costs seconds and hundreds of MB before the timeline sees
 * any of it. Packed, the same tasks are a dozen arrays (typed arrays when sent
 * by postMessage, plain number arrays in JSON) that the timeline copies
 * straight into its own columns. Everything else (run-start, worker-start,
 * slices, logs …) stays as ordinary events next to it.
 *
 * Pure data helpers, no DOM or Node APIs: the host, the HTML report writer and
 * the webview all use this file.
 */
import type { TaskError, TaskPhase, TraceEvent } from './events.js';

type NumberColumn = number[] | Float64Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float32Array;

/** Tasks of one run, one entry per task in every column. */
export interface PackedTasks {
  runId: string;
  /** Highest seq among the events this pack replaces (the webview's replay bookkeeping). */
  lastSeq: number;
  taskId: NumberColumn;
  /** Function names; `fnIndex[k]` points into it. */
  fns: string[];
  fnIndex: NumberColumn;
  inputPreview: (string | null)[];
  /** Run-clock µs; NaN (typed arrays) or null (JSON) when that event was not seen. */
  queued: NumberColumn | (number | null)[];
  start: NumberColumn | (number | null)[];
  end: NumberColumn | (number | null)[];
  /** Worker of task-start / task-end; -1 when unknown. */
  workerId: NumberColumn;
  /** 1 ok, 0 failed, 2 not ended. */
  outcome: NumberColumn;
  resultPreview: (string | null)[];
  /** [k, error] for failed tasks. */
  errors: [number, TaskError][];
  /** [k, cpuUs] where measured. */
  cpuUs?: [number, number][];
  /** [k, phases] where the engine reported them (checked by the model when stored). */
  phases?: [number, TaskPhase[]][];
}

const TASK_EVENTS = new Set(['task-queued', 'task-start', 'task-end']);

/** Whether a pack is internally consistent (every column as long as taskId, right element types). */
export function isPackedTasks(v: unknown, maxTasks: number): v is PackedTasks {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  if (typeof p.runId !== 'string' || !p.runId || p.runId.length > 200) return false;
  if (typeof p.lastSeq !== 'number' || !Number.isInteger(p.lastSeq)) return false;
  const n = lengthOf(p.taskId);
  if (n < 0 || n > maxTasks) return false;
  for (const key of ['fnIndex', 'queued', 'start', 'end', 'workerId', 'outcome'] as const) {
    if (lengthOf(p[key]) !== n) return false;
  }
  for (const key of ['inputPreview', 'resultPreview'] as const) {
    const col = p[key];
    if (!Array.isArray(col) || col.length !== n) return false;
  }
  if (!Array.isArray(p.fns) || p.fns.length > 65_535 || !p.fns.every((f) => typeof f === 'string')) return false;
  if (!Array.isArray(p.errors) || p.errors.length > n) return false;
  for (const e of p.errors) {
    if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'object' || e[1] === null) return false;
    const err = e[1] as Record<string, unknown>;
    if (typeof err.name !== 'string' || typeof err.message !== 'string') return false;
  }
  if (p.cpuUs !== undefined && (!Array.isArray(p.cpuUs) || p.cpuUs.length > n)) return false;
  if (p.phases !== undefined && (!Array.isArray(p.phases) || p.phases.length > n || !p.phases.every((e) => Array.isArray(e) && typeof e[0] === 'number'))) return false;
  return true;
}

function lengthOf(col: unknown): number {
  if (Array.isArray(col)) return col.length;
  if (ArrayBuffer.isView(col) && !(col instanceof DataView)) return (col as Float64Array).length;
  return -1;
}

/** Reads a time column cell: null/NaN → NaN. */
export function cell(col: PackedTasks['queued'], k: number): number {
  const v = (col as ArrayLike<number | null>)[k];
  return v === null || v === undefined ? NaN : v;
}

/**
 * Splits events into packs of task events (one per run, when the events
 * touch at least `minTasks` tasks of that run) and the remaining events, in
 * order. Packs may be partial (a live batch): the webview merges them per task.
 */
export function packTaskEvents(events: readonly TraceEvent[], minTasks = 10_000): { packs: PackedTasks[]; rest: TraceEvent[] } {
  // Tasks are counted by id, not by task-queued: a live batch may hold only the starts and ends of tasks queued earlier.
  const tasksByRun = new Map<string, Set<number>>();
  for (const e of events) {
    if (!TASK_EVENTS.has(e.type)) continue;
    let ids = tasksByRun.get(e.runId);
    if (!ids) tasksByRun.set(e.runId, (ids = new Set()));
    ids.add((e as { taskId: number }).taskId);
  }
  const packedRuns = new Set([...tasksByRun].filter(([, ids]) => ids.size >= minTasks).map(([r]) => r));
  if (!packedRuns.size) return { packs: [], rest: [...events] };

  interface Builder { pack: PackedTasks; byTask: Map<number, number>; fnIndex: Map<string, number> }
  const builders = new Map<string, Builder>();
  const rest: TraceEvent[] = [];
  const nulls = <T>(): (T | null)[] => [];
  for (const e of events) {
    if (!packedRuns.has(e.runId) || !TASK_EVENTS.has(e.type)) {
      rest.push(e);
      continue;
    }
    let b = builders.get(e.runId);
    if (!b) {
      b = {
        pack: {
          runId: e.runId, lastSeq: -1, taskId: [], fns: [], fnIndex: [], inputPreview: nulls<string>(), queued: nulls<number>(),
          start: nulls<number>(), end: nulls<number>(), workerId: [], outcome: [], resultPreview: nulls<string>(), errors: [], cpuUs: [],
        },
        byTask: new Map(), fnIndex: new Map(),
      };
      builders.set(e.runId, b);
    }
    const p = b.pack;
    if (e.seq > p.lastSeq) p.lastSeq = e.seq;
    const taskId = (e as { taskId: number }).taskId;
    let k = b.byTask.get(taskId);
    if (k === undefined) {
      k = (p.taskId as number[]).length;
      b.byTask.set(taskId, k);
      (p.taskId as number[]).push(taskId);
      (p.fnIndex as number[]).push(0);
      p.inputPreview.push(null);
      (p.queued as (number | null)[]).push(null);
      (p.start as (number | null)[]).push(null);
      (p.end as (number | null)[]).push(null);
      (p.workerId as number[]).push(-1);
      (p.outcome as number[]).push(2);
      p.resultPreview.push(null);
    }
    if (e.type === 'task-queued') {
      let f = b.fnIndex.get(e.fn);
      if (f === undefined) {
        f = p.fns.length;
        p.fns.push(e.fn);
        b.fnIndex.set(e.fn, f);
      }
      (p.fnIndex as number[])[k] = f;
      p.inputPreview[k] = e.inputPreview;
      (p.queued as (number | null)[])[k] = e.t;
    } else if (e.type === 'task-start') {
      (p.start as (number | null)[])[k] = e.t;
      (p.workerId as number[])[k] = e.workerId;
    } else if (e.type === 'task-end') {
      (p.end as (number | null)[])[k] = e.t;
      (p.workerId as number[])[k] = e.workerId;
      (p.outcome as number[])[k] = e.ok ? 1 : 0;
      if (e.resultPreview !== undefined) p.resultPreview[k] = e.resultPreview;
      if (e.error) p.errors.push([k, e.error]);
      if (e.cpuUs !== undefined) p.cpuUs?.push([k, e.cpuUs]);
      if (e.phases?.length) (p.phases ??= []).push([k, e.phases]);
    }
  }
  return { packs: [...builders.values()].map((b) => b.pack), rest };
}
