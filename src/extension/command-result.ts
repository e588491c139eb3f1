/**
 * What a run command resolves with: enough to assert on without any UI
 * (tests) and to describe the run in one line (notifications).
 */
import type { TaskError, TraceEvent } from '../trace/events.js';

export interface CommandResult {
  /** One run, or one per backend in compare mode. */
  runIds: string[];
  /** True when the runner finished normally and no task failed. */
  ok: boolean;
  /** Tasks that failed. */
  failed: number;
  /** Tasks that ended (ok or not). */
  tasks: number;
  /** Distinct PIDs that ran tasks (from worker-start, plus the runner for serial). */
  pids: number[];
  /** Distinct Node threadIds that ran tasks. */
  threadIds: number[];
  /** PID of the runner process (never the extension host's). */
  runnerPid: number | undefined;
  /** Every trace event of the run(s), in arrival order. */
  events: TraceEvent[];
  /** Set when the run was stopped by the user. */
  stopped: boolean;
  /** Set when the file could not be loaded (syntax error, missing export …) or the runner died. */
  error?: TaskError;
}

/** Accumulates a summary from event batches as they arrive. */
export class CommandResultBuilder {
  readonly events: TraceEvent[] = [];
  readonly #runIds: string[] = [];
  readonly #pids = new Set<number>();
  readonly #threadIds = new Set<number>();
  readonly #ended = new Set<string>();
  #failed = 0;
  #tasks = 0;
  runnerPid: number | undefined;

  add(batch: readonly TraceEvent[]): void {
    for (const e of batch) {
      this.events.push(e);
      switch (e.type) {
        case 'run-start':
          if (!this.#runIds.includes(e.runId)) this.#runIds.push(e.runId);
          break;
        case 'worker-start':
          this.#pids.add(e.pid);
          this.#threadIds.add(e.threadId);
          break;
        case 'task-end':
          this.#tasks++;
          if (!e.ok) this.#failed++;
          break;
        case 'run-end':
          this.#ended.add(e.runId);
          for (const p of e.stats.pids) this.#pids.add(p);
          for (const t of e.stats.threadIds) this.#threadIds.add(t);
          break;
        default:
          break;
      }
    }
  }

  /** Tasks ended so far (ok or not). */
  get tasksEnded(): number {
    return this.#tasks;
  }

  /** True when at least one run started and every started run has its run-end. */
  allRunsEnded(): boolean {
    return this.#runIds.length > 0 && this.#runIds.every((id) => this.#ended.has(id));
  }

  build(outcome: { ok: boolean; runIds?: string[]; stopped: boolean; error?: TaskError }): CommandResult {
    const runIds = [...this.#runIds];
    for (const id of outcome.runIds ?? []) if (!runIds.includes(id)) runIds.push(id);
    const summary: CommandResult = {
      runIds,
      ok: outcome.ok && this.#failed === 0 && !outcome.stopped && !outcome.error,
      failed: this.#failed,
      tasks: this.#tasks,
      pids: [...this.#pids].sort((a, b) => a - b),
      threadIds: [...this.#threadIds].sort((a, b) => a - b),
      runnerPid: this.runnerPid,
      events: this.events,
      stopped: outcome.stopped,
    };
    if (outcome.error) summary.error = outcome.error;
    return summary;
  }
}
