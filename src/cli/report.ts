/**
 * What the CLI prints after a run: the per-run table (or the compare table
 * with speed-up and efficiency), task results, failed tasks with their
 * errors, load errors with their place in the user's file, and the JSON
 * document of `--json`.
 */
import { join, relative, sep } from 'node:path';
import type { TaskError } from '../trace/events.js';
import { backendRounds, medianRun, summarizeRuns, type BackendRounds, type RunSummary, type Spread } from '../trace/stats.js';
import { compareFindings, isSerialBackend, type CompareFindings } from '../trace/run-numbers.js';
import { TaskStatus, type TraceModel, type TaskRecord } from '../trace/trace-model.js';
import { coalesce } from '../trace/text-chunks.js';
import { runTaskCpu } from '../trace/on-cpu.js';
import { runHostLine } from '../trace/hosts.js';
import type { SourceLocation } from '../runner/protocol.js';
import { clip, formatPercent, formatSpeedup, formatUs } from '../common/format.js';
import { renderTable } from './format.js';
import type { RunOutcome } from './execute.js';

/** Results printed in full before "… n more". */
const RESULTS_SHOWN = 20;
const FAILURES_SHOWN = 20;

/** Everything a report is made of: figures per run, task counts and the few tasks printed (never an object per task). */
export interface RunReport {
  summaries: RunSummary[];
  model: TraceModel;
  taskCount: number;
  okCount: number;
  /** The first ok tasks, in run and task order (what the results list prints). */
  okShown: TaskRecord[];
  failedCount: number;
  /** The first failed tasks (what the failures list prints). */
  failedShown: TaskRecord[];
}

export function buildReport(outcome: RunOutcome): RunReport {
  const model = outcome.trace.model;
  const report: RunReport = { summaries: summarizeRuns(model), model, taskCount: 0, okCount: 0, okShown: [], failedCount: 0, failedShown: [] };
  const status = model.tasks.status;
  for (const run of model.runs) {
    for (const i of model.taskIndicesOf(run)) {
      report.taskCount++;
      if (status[i] === TaskStatus.Ok) {
        if (report.okCount++ < RESULTS_SHOWN) report.okShown.push(model.taskRecord(i));
      } else if (status[i] === TaskStatus.Failed) {
        if (report.failedCount++ < FAILURES_SHOWN) report.failedShown.push(model.taskRecord(i));
      }
    }
  }
  return report;
}

/** One line per run: what ran where, how long, what failed. */
export function runTable(summaries: readonly RunSummary[]): string {
  return renderTable(
    ['backend', 'workers', 'tasks', 'ok', 'failed', 'wall', 'Σ task', 'PIDs', 'threads', 'on CPU', 'where'],
    summaries.map((s) => [
      s.backend, String(s.workers), String(s.tasks), String(s.ok), String(s.failed),
      formatUs(s.wallUs), formatUs(s.taskUs), String(s.pids.length), String(s.threads), onCpu(s), s.identity,
    ]));
}

/** "1.9 of 2" cores; "–" without samples. */
function formatCores(used: number | undefined, cores: number | undefined): string {
  if (used === undefined || !Number.isFinite(used)) return '–';
  return cores !== undefined ? `${used.toFixed(1)} of ${cores}` : used.toFixed(1);
}

/**
 * The compare table: the task phase (first task sent → last end, on a warm pool), speed-up over serial on
 * it and with worker start-up, cores used (from the OS), efficiency against the ideal min(workers, cores),
 * PIDs and threads seen, failures (and cancelled tasks, when there are any).
 */
export function compareTable(summaries: readonly RunSummary[]): string {
  const cancelled = summaries.some((s) => s.cancelled > 0);
  return renderTable(
    ['backend', 'workers', 'task phase', 'speed-up', 'w/ start-up', 'cores used', 'on CPU', 'efficiency', 'PIDs', 'threads', 'failed', ...(cancelled ? ['cancelled'] : [])],
    summaries.map((s) => [
      s.backend, String(s.workers), formatUs(s.taskPhaseUs ?? NaN),
      isSerialBackend(s.backend) ? formatSpeedup(1) : formatSpeedup(s.speedupVsSerial),
      isSerialBackend(s.backend) ? formatSpeedup(1) : formatSpeedup(s.speedupWithStartup),
      formatCores(s.coresUsed, s.cores), onCpu(s),
      // Serial is one worker: its efficiency is 1 / 1.
      isSerialBackend(s.backend) ? formatPercent(1) : formatPercent(s.efficiency),
      String(s.pids.length), String(s.threads), String(s.failed), ...(cancelled ? [String(s.cancelled)] : []),
    ]));
}

/** Mean share of its run time a task was on a CPU ("–" when not measured). */
function onCpu(s: RunSummary): string {
  return s.cpuFraction === undefined ? '–' : formatPercent(s.cpuFraction);
}

function formatSpread(s: Spread | undefined, format: (n: number) => string): string {
  if (!s) return '–';
  return s.min === s.max ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

/** `compare --repeat N`: per backend the median over the rounds and the min–max range. */
export function roundsTable(rounds: readonly BackendRounds[]): string {
  const ratio = (n: number) => `${n.toFixed(2)}×`;
  return renderTable(
    ['backend', 'workers', 'rounds', 'task phase', 'speed-up', 'w/ start-up', 'cores used', 'busy rounds', 'failed'],
    rounds.map((b) => [
      b.backend, String(b.workers), String(b.rounds), formatSpread(b.taskPhaseUs, formatUs),
      isSerialBackend(b.backend) ? '1.00×' : formatSpread(b.speedupVsSerial, ratio),
      isSerialBackend(b.backend) ? '1.00×' : formatSpread(b.speedupWithStartup, ratio),
      formatSpread(b.coresUsed, (n) => n.toFixed(1)), `${b.busyRounds}/${b.rounds}`, String(b.failed),
    ]));
}

/** Findings of a compare: from each run, or from the medians of its rounds when it was repeated. */
export function findingsOf(summaries: readonly RunSummary[]): CompareFindings {
  const rounds = backendRounds(summaries);
  const repeated = rounds.some((b) => b.rounds > 1);
  if (!repeated) return compareFindings(summaries);
  const base = compareFindings(summaries);
  return { ...base, verdict: compareFindings(rounds.map(medianRun)).verdict };
}

/** What `compare` prints: the busy-machine warning first, the table, the verdict. */
export function compareLines(summaries: readonly RunSummary[], heading: string): string[] {
  const findings = findingsOf(summaries);
  const rounds = backendRounds(summaries);
  const repeated = rounds.some((b) => b.rounds > 1);
  const out: string[] = [];
  for (const w of findings.warnings) out.push(`! ${w}`);
  if (findings.warnings.length) out.push('');
  out.push(repeated ? `${heading} (median over rounds, min–max):` : `${heading}:`);
  out.push(repeated ? roundsTable(rounds) : compareTable(summaries));
  if (findings.verdict) out.push('', `  → ${findings.verdict}`);
  return out;
}

/** Where runs on a distributed engine (or over several machines) ran: "  bullmq: 1 host (this machine), 2 processes, 2 threads". */
export function hostLines(model: TraceModel): string[] {
  const out: string[] = [];
  for (const run of model.runs) {
    const line = runHostLine(model, run);
    if (line) out.push(`  ${run.start?.backend ?? run.runId}: ${line}`);
  }
  return out.length ? ['', 'where:', ...out] : [];
}

/** Task results, first few in full (`shown`: the first ok tasks; `count`: all ok tasks). */
export function resultLines(shown: readonly TaskRecord[], count: number): string {
  if (count === 0) return '';
  const lines = shown.slice(0, RESULTS_SHOWN).map((t) => `  #${t.taskId} ${t.fn}(${clip(t.inputPreview, 40)}) → ${clip(t.resultPreview ?? '', 80)}`);
  if (count > RESULTS_SHOWN) lines.push(`  … ${count - RESULTS_SHOWN} more (--json or --csv for all)`);
  return lines.join('\n');
}

/** Failed tasks with error name, message and the first frames of the (source-mapped) stack. */
export function failureLines(shown: readonly TaskRecord[], count: number, cwd: string): string {
  const lines: string[] = [];
  for (const t of shown.slice(0, FAILURES_SHOWN)) {
    lines.push(`  #${t.taskId} ${t.fn}(${clip(t.inputPreview, 40)}): ${formatError(t.error, cwd)}`);
  }
  if (count > FAILURES_SHOWN) lines.push(`  … ${count - FAILURES_SHOWN} more failed (--json or --csv for all)`);
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

/** Stands for the task list in the head of the `--json` document (the last key; replaced by the streamed list). */
const TASKS_MARK = '\u0000poolscope-tasks\u0000';

/**
 * The `--json` document, pretty-printed as `JSON.stringify(doc, null, 2)` would, in chunks: one object per
 * task is built only while it is written (a million tasks are more text than one JS string can hold).
 */
export function* jsonReportChunks(outcome: RunOutcome, report: RunReport, exitCode: number): Generator<string> {
  const rounds = backendRounds(report.summaries);
  const head = JSON.stringify({
    ok: exitCode === 0,
    exitCode,
    loadError: outcome.loadError,
    mainErrors: outcome.mainErrors.length > 0 ? outcome.mainErrors : undefined,
    runs: report.summaries,
    // The honest numbers as a whole: the machine (cores, busy), plain warnings and the verdict.
    ...findingsOf(report.summaries),
    rounds: rounds.some((b) => b.rounds > 1) ? rounds : undefined,
    tasks: TASKS_MARK,
  }, null, 2);
  const at = head.lastIndexOf(JSON.stringify(TASKS_MARK));
  yield head.slice(0, at);
  const model = report.model;
  let any = false;
  yield* coalesce(function* () {
    for (const run of model.runs) {
      const cpuOf = runTaskCpu(model, run);
      const results = outcome.results.get(run.runId);
      for (const i of model.taskIndicesOf(run)) {
        const t = model.taskRecord(i);
        const cpu = cpuOf.get(i);
        const task = {
          runId: t.runId, taskId: t.taskId, fn: t.fn, input: t.inputPreview, ok: t.ok,
          // The value itself (JSON as is, anything else tagged: result-json.ts); `preview` is what the tables show.
          result: t.ok === true && results?.has(t.taskId) ? results.get(t.taskId) : undefined,
          preview: t.resultPreview, error: t.error, queuedT: t.queuedT, startT: t.startT, endT: t.endT, workerId: t.workerId,
          cpuUs: cpu?.cpuUs, cpuFraction: cpu?.cpuFraction, cpuSource: cpu?.source,
        };
        yield `${any ? ',' : '['}\n    ${JSON.stringify(task, null, 2).replace(/\n/g, '\n    ')}`;
        any = true;
      }
    }
  }());
  yield any ? '\n  ]' : '[]';
  yield head.slice(at + JSON.stringify(TASKS_MARK).length);
}
