/**
 * A trace kept for export without an object per task: what the CLI holds
 * while a run goes on and hands to the file writers afterwards.
 *
 * Every event goes into a {@link TraceModel} (typed-array columns, what the
 * report and the statistics read). The events themselves are kept as objects
 * too, except the task events of large runs: once a run has
 * {@link COLUMNS_FROM_TASKS} tasks, its `task-queued`, `task-start` and
 * `task-end` events live only in the model's columns and the run is written
 * out as one batch of the columnar wire format (src/common/trace-columns.ts,
 * {@link runColumnsJson}), the form the timeline loads fastest. A
 * million tasks are then ~130 bytes each in memory instead of three event
 * objects (~600 bytes); runs below the threshold keep their events exactly,
 * so small traces still round-trip event for event.
 *
 * Not packed, ever: a `task-end` with `phases` (Dask), which the columns do
 * not hold; it stays an event next to the pack.
 */
import type { TraceEvent } from './events.js';
import { COLUMNS_FROM_TASKS } from './embedded-trace.js';
import { jsonItems, runColumnsJson } from './text-chunks.js';
import { TraceModel, type RunInfo } from './trace-model.js';
import { expandTraceColumns, type TraceColumns } from '../common/trace-columns.js';

function isColumnTaskEvent(e: TraceEvent): boolean {
  return e.type === 'task-queued' || e.type === 'task-start' || (e.type === 'task-end' && e.phases === undefined);
}

export interface TraceStoreOptions {
  /** Runs with at least this many tasks keep their task events as columns only. @default COLUMNS_FROM_TASKS */
  packFrom?: number;
}

export class TraceStore {
  readonly model = new TraceModel();
  /** Every event of unpacked runs, the other events of packed runs, in arrival order. */
  #events: TraceEvent[] = [];
  readonly #packed = new Set<string>();
  readonly #packFrom: number;

  constructor(options: TraceStoreOptions = {}) {
    this.#packFrom = options.packFrom ?? COLUMNS_FROM_TASKS;
  }

  /** A store holding these events (packing what is large). */
  static of(events: readonly TraceEvent[], options?: TraceStoreOptions): TraceStore {
    const store = new TraceStore(options);
    store.add(events);
    return store;
  }

  add(batch: readonly TraceEvent[]): void {
    this.model.add(batch);
    let grew: Set<string> | undefined;
    for (const e of batch) {
      if (this.#packed.size !== 0 && this.#packed.has(e.runId) && isColumnTaskEvent(e)) continue;
      this.#events.push(e);
      if (e.type === 'task-queued') (grew ??= new Set()).add(e.runId);
    }
    if (!grew) return;
    for (const runId of grew) this.#packIfLarge(runId);
  }

  /**
   * Adds a batch in the columnar wire format (the runner's): task rows go into the model's columns without
   * an object each; objects are made only for runs not packed (yet).
   */
  addColumns(columns: TraceColumns): void {
    this.model.addColumns(columns);
    const runId = columns.runId;
    if (this.#packed.has(runId)) {
      for (const e of columns.events) if (!isColumnTaskEvent(e)) this.#events.push(e);
      return;
    }
    for (const e of expandTraceColumns(columns)) this.#events.push(e);
    this.#packIfLarge(runId);
  }

  #packIfLarge(runId: string): void {
    const run = this.model.runById(runId);
    if (run && run.tasks >= this.#packFrom && !this.#packed.has(runId)) {
      this.#packed.add(runId);
      this.#events = this.#events.filter((e) => e.runId !== runId || !isColumnTaskEvent(e));
    }
  }

  /** Events accepted in total (task events of packed runs included). */
  get eventCount(): number {
    return this.model.events;
  }

  /** The events kept as objects: all of unpacked runs, the non-task events of packed runs. */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  isPacked(runId: string): boolean {
    return this.#packed.has(runId);
  }

  /** Packed runs, in the model's run order. */
  packedRuns(): RunInfo[] {
    return this.model.runs.filter((r) => this.#packed.has(r.runId));
  }

  /**
   * The store as the JSON members a trace document holds, in chunks: `"events":[…]` (every event of the runs
   * that are not packed) and, when there are packed runs, `,"<key>":[…]` with each packed run written by
   * `writeRun` (its kept events included). By default each run is one batch of columns under `columns`: the
   * HTML report's embedded trace; the trace file writes its runs as task tables under `tasks` (task-table.ts).
   */
  *eventsAndColumnsJson(
    key = 'columns',
    writeRun: (model: TraceModel, run: RunInfo, kept: readonly TraceEvent[]) => Iterable<string> = runColumnsJson,
  ): Generator<string> {
    const packed = this.packedRuns();
    yield '"events":';
    yield* jsonItems(function* (events: readonly TraceEvent[], isPacked: (runId: string) => boolean) {
      for (const e of events) if (!isPacked(e.runId)) yield JSON.stringify(e);
    }(this.#events, (runId) => this.#packed.has(runId)));
    if (!packed.length) return;
    yield `,${JSON.stringify(key)}:[`;
    for (const [k, run] of packed.entries()) {
      if (k) yield ',';
      yield* writeRun(this.model, run, this.#events.filter((e) => e.runId === run.runId));
    }
    yield ']';
  }

  /** Every event as an object, packed runs expanded (seq renumbered: mergeRunEvents): for small consumers and tests. */
  allEvents(): TraceEvent[] {
    if (this.#packed.size === 0) return [...this.#events];
    const out: TraceEvent[] = this.#events.filter((e) => !this.#packed.has(e.runId));
    for (const run of this.packedRuns()) {
      for (const e of mergeRunEvents(this.#events.filter((e) => e.runId === run.runId), taskEventsOf(this.model, run))) out.push(e);
    }
    return out;
  }
}

/** The task events a packed run's columns stand for (seq to be set by the caller). */
export function taskEventsOf(model: TraceModel, run: RunInfo): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const i of model.taskIndicesOf(run)) for (const e of model.taskEventsAt(i, run.runId)) out.push(e);
  return out;
}

/**
 * One run's events from its kept events and its task events (from columns): run-start first, then the kept
 * events in their order, then the tasks' events task by task, run-end last; seq renumbered 0, 1, 2 … (the
 * model takes a run's events in any order). A `task-end` among the kept events (one with phases) replaces
 * the columns' end of that task.
 */
export function mergeRunEvents(kept: readonly TraceEvent[], tasks: readonly TraceEvent[]): TraceEvent[] {
  const keptEnds = new Set<number>();
  for (const e of kept) if (e.type === 'task-end') keptEnds.add(e.taskId);
  const out: TraceEvent[] = [];
  let seq = 0;
  const start = kept.find((e) => e.type === 'run-start');
  if (start) out.push({ ...start, seq: seq++ });
  for (const e of kept) if (e.type !== 'run-start' && e.type !== 'run-end') out.push({ ...e, seq: seq++ });
  for (const e of tasks) {
    if (e.type === 'task-end' && keptEnds.has(e.taskId)) continue;
    e.seq = seq++;
    out.push(e);
  }
  const end = kept.find((e) => e.type === 'run-end');
  if (end) out.push({ ...end, seq: seq++ });
  return out;
}
