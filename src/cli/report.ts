/**
 * What the CLI prints after a run: the per-run table (or the compare table
 * with speed-up and efficiency), task results, failed tasks with their
 * errors, load errors with their place in the user's file, and the JSON
 * document of `--json`.
 */
import { join, relative, sep } from 'node:path';
import type { TaskError } from '../trace/events.js';
import { computeRunSummaries, type RunSummary } from '../trace/stats.js';
import { TraceModel, type TaskRecord } from '../trace/trace-model.js';
import { runTaskCpu, type TaskCpu } from '../trace/on-cpu.js';
import type { SourceLocation } from '../runner/protocol.js';
import { formatDuration, formatPercent, formatRatio, renderTable, truncate } from './format.js';
import type { RunOutcome } from './execute.js';

/** Results printed in full before "… n more". */
const RESULTS_SHOWN = 20;
const FAILURES_SHOWN = 20;

/** Everything a report is made of. */
export interface RunReport {
  summaries: RunSummary[];
  tasks: TaskRecord[];
  failedTasks: TaskRecord[];
  /** On-CPU time per task (src/trace/on-cpu.ts), where measured. */
  cpu: Map<TaskRecord, TaskCpu>;
}

export function buildReport(outcome: RunOutcome): RunReport {
  const model = new TraceModel().add(outcome.events);
  const summaries = computeRunSummaries(outcome.events);
  const tasks = model.runs().flatMap((run) => [...run.tasks.values()]);
  const cpu = new Map<TaskRecord, TaskCpu>();
  for (const run of model.runs()) {
    for (const [taskId, c] of runTaskCpu(run)) cpu.set(run.tasks.get(taskId)!, c);
  }
  return { summaries, tasks, failedTasks: tasks.filter((t) => t.ok === false), cpu };
}

/** One line per run: what ran where, how long, what failed. */
export function runTable(summaries: readonly RunSummary[]): string {
  return renderTable(
    ['backend', 'workers', 'tasks', 'ok', 'failed', 'wall', 'Σ task', 'PIDs', 'threads', 'on CPU', 'where'],
    summaries.map((s) => [
      s.backend, String(s.workers), String(s.tasks), String(s.ok), String(s.failed),
      formatDuration(s.wallUs), formatDuration(s.taskUs), String(s.pids.length), String(s.threads), onCpu(s), s.identity,
    ]));
}

/** The compare table: wall time, speed-up vs serial, efficiency, PIDs and threads seen, failures. */
export function compareTable(summaries: readonly RunSummary[]): string {
  return renderTable(
    ['backend', 'workers', 'wall', 'speedup', 'efficiency', 'on CPU', 'PIDs', 'threads', 'failed'],
    summaries.map((s) => [
      s.backend, String(s.workers), formatDuration(s.wallUs),
      isSerial(s) ? formatRatio(1) : formatRatio(s.speedupVsSerial),
      // Serial is one worker: its efficiency is 1 / 1.
      isSerial(s) ? formatPercent(1) : formatPercent(s.efficiency),
      onCpu(s), String(s.pids.length), String(s.threads), String(s.failed),
    ]));
}

/** Mean share of its run time a task was on a CPU ("–" when not measured). */
function onCpu(s: RunSummary): string {
  return s.cpuFraction === undefined ? '–' : formatPercent(s.cpuFraction);
}

function isSerial(s: RunSummary): boolean {
  return s.backend === 'serial' || s.backend === 'py-serial';
}

/** Task results, first few in full. */
export function resultLines(tasks: readonly TaskRecord[]): string {
  const ok = tasks.filter((t) => t.ok === true);
  if (ok.length === 0) return '';
  const lines = ok.slice(0, RESULTS_SHOWN).map((t) => `  #${t.taskId} ${t.fn}(${truncate(t.inputPreview, 40)}) → ${truncate(t.resultPreview ?? '', 80)}`);
  if (ok.length > RESULTS_SHOWN) lines.push(`  … ${ok.length - RESULTS_SHOWN} more (--json or --csv for all)`);
  return lines.join('\n');
}

/** Failed tasks with error name, message and the first frames of the (source-mapped) stack. */
export function failureLines(failed: readonly TaskRecord[], cwd: string): string {
  const lines: string[] = [];
  for (const t of failed.slice(0, FAILURES_SHOWN)) {
    lines.push(`  #${t.taskId} ${t.fn}(${truncate(t.inputPreview, 40)}): ${formatError(t.error, cwd)}`);
  }
  if (failed.length > FAILURES_SHOWN) lines.push(`  … ${failed.length - FAILURES_SHOWN} more failed (--json or --csv for all)`);
  return lines.join('\n');
}

/** This package's root (cli.js lives in dist/): frames under it are PoolScope's own, not the user's. */
const PACKAGE_ROOT = join(__dirname, '..');
/** PoolScope's own bundles, wherever they are installed (a frame in one is never the user's code). */
const OWN_BUNDLE = /[\\/]dist[\\/](?:worker|runner|cli|extension)\.js:|[\\/]dist[\\/](?:api|pool|python)\.mjs:/;

/** Node's own frames (`node:internal/…`, `node:events`, `node:async_hooks` …) and PoolScope's say nothing about the user's code. */
export function isInternalFrame(line: string): boolean {
  return /[( ]node:/.test(line) || OWN_BUNDLE.test(line)
    || line.includes(join(PACKAGE_ROOT, 'src') + sep) || line.includes(join(PACKAGE_ROOT, 'dist') + sep);
}

/** Causes printed under an error (its `cause`, the cause's cause …). */
const CAUSES_SHOWN = 4;

/** "Name: message" plus up to three stack frames of the user's code, indented; then the cause chain. */
export function formatError(error: TaskError | undefined, cwd: string, indent = '      '): string {
  if (!error) return 'failed (no error reported)';
  const lines = [`${error.name}: ${error.message}`, ...userFrames(error.stack, cwd, indent)];
  let cause = error.cause;
  for (let depth = 0; cause && depth < CAUSES_SHOWN; depth++, cause = cause.cause) {
    lines.push(`${indent}[cause] ${cause.name}: ${cause.message}`, ...userFrames(cause.stack, cwd, `${indent}  `));
  }
  if (cause) lines.push(`${indent}[cause] …`);
  return lines.join('\n');
}

function userFrames(stack: string | undefined, cwd: string, indent: string): string[] {
  // PoolScope's own frames (engine, runner, Node internals) say nothing about the user's code.
  return (stack ?? '').split('\n').filter((l) => /^\s+at /.test(l) && !isInternalFrame(l)).slice(0, 3)
    .map((l) => `${indent}${l.trim().replace(/\(?(\/[^():]+)(:\d+:\d+)\)?$/, (m, p: string, pos: string) => m.replace(p + pos, shortPath(p, cwd) + pos))}`);
}

/** "file.ts:3:9: FunctionNotExported: …" — the form editors and terminals link. */
export function formatLoadError(error: TaskError & { location?: SourceLocation }, cwd: string): string {
  const where = error.location ? `${shortPath(error.location.file, cwd)}:${error.location.line}:${error.location.column}: ` : '';
  return `${where}${error.name}: ${error.message}`;
}

function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}

/** The `--json` document. */
export function jsonReport(outcome: RunOutcome, report: RunReport, exitCode: number): unknown {
  return {
    ok: exitCode === 0,
    exitCode,
    loadError: outcome.loadError,
    mainErrors: outcome.mainErrors.length > 0 ? outcome.mainErrors : undefined,
    runs: report.summaries,
    tasks: report.tasks.map((t) => {
      const cpu = report.cpu.get(t);
      const results = outcome.results.get(t.runId);
      return {
        runId: t.runId, taskId: t.taskId, fn: t.fn, input: t.inputPreview, ok: t.ok,
        // The value itself (JSON as is, anything else tagged: result-json.ts); `preview` is what the tables show.
        result: t.ok === true && results?.has(t.taskId) ? results.get(t.taskId) : undefined,
        preview: t.resultPreview, error: t.error, queuedT: t.queuedT, startT: t.startT, endT: t.endT, workerId: t.workerId,
        cpuUs: cpu?.cpuUs, cpuFraction: cpu?.cpuFraction, cpuSource: cpu?.source,
      };
    }),
  };
}
