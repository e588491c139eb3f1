/**
 * Run summaries for the summary cards and the compare table: `summarizeRuns`
 * (src/trace/stats.ts) over the timeline's own `TraceModel`, the same model
 * and the same code the CLI, the exports and the HTML report use, so every
 * number agrees at any trace size.
 */
import { summarizeRuns, type RunSummary } from '../src/trace/stats.js';
import type { RunInfo, TraceModel } from '../src/trace/trace-model.js';

export type { RunSummary };

/** Keeps summaries current while events stream in; recomputes lazily, at most once per model version. */
export class RunSummaries {
  #cache: RunSummary[] = [];
  #cacheVersion = -1;

  constructor(private readonly model: TraceModel) {}

  /** Forget the cached figures (after a reset). */
  clear(): void {
    this.#cacheVersion = -1;
  }

  /** One summary per run that has a `run-start`, in arrival order. */
  all(): RunSummary[] {
    if (this.#cacheVersion === this.model.version) return this.#cache;
    this.#cache = summarizeRuns(this.model);
    this.#cacheVersion = this.model.version;
    return this.#cache;
  }

  byRunId(runId: string): RunSummary | undefined {
    return this.all().find((s) => s.runId === runId);
  }
}

const SERIAL = new Set(['serial', 'py-serial']);

/**
 * Speed-up of each run against a serial run among `summaries` (compare mode across separate runs).
 * Only a serial run of the same work counts as a baseline: same file, function and task count —
 * a serial run of another function says nothing about this one.
 */
export function speedupAgainstShownSerial(summaries: RunSummary[]): Map<string, number> {
  const out = new Map<string, number>();
  const sameWork = (a: RunSummary, b: RunSummary) => a.fn === b.fn && a.file === b.file && a.tasks === b.tasks;
  const serials = summaries.filter((s) => SERIAL.has(s.backend) && isCompleteRun(s) && s.taskPhaseUs).reverse();
  for (const s of summaries) {
    // A run cut short (stopped, broken pool) did less work: its task phase is no speed-up.
    if (!isCompleteRun(s)) continue;
    if (s.speedupVsSerial !== undefined) { out.set(s.runId, s.speedupVsSerial); continue; }
    const serial = serials.find((b) => sameWork(b, s));
    // Task phase against task phase, and only for finished runs: a live run's figures are not a speed-up yet.
    if (serial && s.taskPhaseUs && s.finished) out.set(s.runId, serial.taskPhaseUs! / s.taskPhaseUs);
  }
  return out;
}

/** Finished with every task done (ok or failed): not stopped, nothing cancelled or left unrun. */
export function isCompleteRun(s: RunSummary): boolean {
  return s.finished && s.cancelled === 0 && s.pending === 0;
}

/** Whether a run is still receiving events. */
export function isLive(run: RunInfo): boolean {
  return run.start !== undefined && run.end === undefined;
}
