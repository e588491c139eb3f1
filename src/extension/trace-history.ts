/**
 * The host's copy of every retained run's trace events: what the timeline
 * panel replays when it is (re)created or reloaded, what Export Trace writes,
 * and what Compare shows side by side. Bounded by `poolscope.maxTasksShown`:
 * the oldest finished runs go first; runs still in flight are never dropped.
 */
import type { TraceEvent } from '../trace/events.js';

interface RetainedRun {
  runId: string;
  events: TraceEvent[];
  /** Highest seq held (events arrive in seq order per run; -1 = none). */
  lastSeq: number;
  tasks: number;
  ended: boolean;
}

export class TraceHistory {
  /** Insertion order = run order. */
  readonly #runs = new Map<string, RetainedRun>();
  #maxTasks: number;

  constructor(maxTasks: number) {
    this.#maxTasks = maxTasks;
  }

  set maxTasks(value: number) {
    this.#maxTasks = value;
    this.#evict();
  }

  /** Adds a batch; events already held (seq ≤ lastSeq of their run) are skipped. Returns the new ones. */
  add(batch: readonly TraceEvent[]): TraceEvent[] {
    const fresh: TraceEvent[] = [];
    for (const e of batch) {
      let run = this.#runs.get(e.runId);
      if (!run) {
        run = { runId: e.runId, events: [], lastSeq: -1, tasks: 0, ended: false };
        this.#runs.set(e.runId, run);
      }
      if (e.seq <= run.lastSeq) continue;
      run.events.push(e);
      run.lastSeq = e.seq;
      if (e.type === 'task-queued') run.tasks++;
      else if (e.type === 'run-end') run.ended = true;
      fresh.push(e);
    }
    this.#evict();
    return fresh;
  }

  /** Every event the webview lacks, given the highest seq it holds per run. */
  since(lastSeq: Readonly<Record<string, number>>): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (const run of this.#runs.values()) {
      const have = Object.hasOwn(lastSeq, run.runId) ? lastSeq[run.runId] : -1;
      if (have >= run.lastSeq) continue;
      for (const e of run.events) if (e.seq > have) out.push(e);
    }
    return out;
  }

  /** Events of the given runs (all runs when omitted), run by run. */
  events(runIds?: readonly string[]): TraceEvent[] {
    const wanted = runIds ? new Set(runIds) : undefined;
    const out: TraceEvent[] = [];
    for (const run of this.#runs.values()) if (!wanted || wanted.has(run.runId)) out.push(...run.events);
    return out;
  }

  get runIds(): string[] {
    return [...this.#runs.keys()];
  }

  get size(): number {
    return this.#runs.size;
  }

  clear(): void {
    this.#runs.clear();
  }

  #evict(): void {
    let total = 0;
    for (const run of this.#runs.values()) total += run.tasks;
    // Oldest first; never the newest run (what the user is looking at) nor one still streaming.
    const candidates = [...this.#runs.values()].slice(0, -1);
    for (const run of candidates) {
      if (total <= this.#maxTasks) break;
      if (!run.ended) continue;
      this.#runs.delete(run.runId);
      total -= run.tasks;
    }
  }
}
