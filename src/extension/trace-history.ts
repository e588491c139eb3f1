/**
 * The host's copy of every retained run's trace events: what the timeline
 * panel replays when it is (re)created or reloaded, what Export Trace writes,
 * and what Compare shows side by side. Bounded by `poolscope.maxTasksShown`:
 * the oldest finished runs go first; runs still in flight are never dropped.
 */
import type { RunEndEvent, TaskEndEvent, TaskError, TraceEvent } from '../trace/events.js';

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

  /** The input previews of some tasks of a run (from their task-queued events), as far as they are retained. */
  inputPreviews(runId: string, taskIds: ReadonlySet<number>): Map<number, string> {
    const out = new Map<number, string>();
    const run = this.#runs.get(runId);
    if (!run) return out;
    for (const e of run.events) {
      if (e.type === 'task-queued' && taskIds.has(e.taskId)) {
        out.set(e.taskId, e.inputPreview);
        if (out.size === taskIds.size) break;
      }
    }
    return out;
  }

  /**
   * Ends the runs that started but never reported their end (the runner was
   * killed after Stop, or crashed): each task seen running ends with `error`
   * and the run with a run-end carrying `error` and the figures its events
   * show, at its last event's time. Returns the events added — the caller
   * sends them on, so the live panel, the stored history and a reloaded panel
   * all show the run ended, never running.
   */
  closeOpenRuns(error: TaskError): TraceEvent[] {
    const added: TraceEvent[] = [];
    for (const run of this.#runs.values()) {
      if (run.ended) continue;
      const start = run.events.find((e) => e.type === 'run-start');
      if (!start) continue;
      let t = start.t;
      let tasks = 0, ok = 0, failed = 0, taskUs = 0;
      const pids = new Set<number>([start.pid]);
      const threadIds = new Set<number>();
      let workersStarted = 0;
      const running = new Map<number, { t: number; workerId: number }>();
      for (const e of run.events) {
        if ('t' in e && typeof e.t === 'number') t = Math.max(t, e.t);
        if (e.type === 'task-slice') t = Math.max(t, e.end);
        switch (e.type) {
          case 'worker-start': workersStarted++; pids.add(e.pid); threadIds.add(e.threadId); break;
          case 'task-queued': tasks++; break;
          case 'task-start': running.set(e.taskId, { t: e.t, workerId: e.workerId }); break;
          case 'task-end': {
            const began = running.get(e.taskId);
            if (began) taskUs += e.t - began.t;
            running.delete(e.taskId);
            if (e.ok) ok++; else failed++;
            break;
          }
          default: break;
        }
      }
      let seq = run.lastSeq;
      const ends: TraceEvent[] = [];
      for (const [taskId, began] of running) {
        const end: TaskEndEvent = { type: 'task-end', runId: run.runId, seq: ++seq, t, taskId, workerId: began.workerId, ok: false, error };
        ends.push(end);
        taskUs += t - began.t;
        failed++;
      }
      const runEnd: RunEndEvent = {
        type: 'run-end', runId: run.runId, seq: ++seq, t, error,
        stats: { wallUs: t - start.t, tasks, ok, failed, taskUs, pids: [...pids], threadIds: [...threadIds], workersStarted },
      };
      ends.push(runEnd);
      added.push(...this.add(ends));
    }
    return added;
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
