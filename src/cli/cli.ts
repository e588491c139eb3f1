/**
 * The `poolscope` command (dist/cli.js, the package's `bin`). It parses the
 * command line, hands the work to a runner process (user code never runs in
 * this process), prints tables and errors, writes trace files and exits with
 * 0 (all tasks ok), 1 (some failed), 2 (usage or load error, an output that
 * cannot be written) or 70 (PoolScope itself failed).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NODE_BACKENDS, type NodeBackend, type TraceEvent } from '../trace/events.js';
import { TraceStore } from '../trace/trace-store.js';
import { traceFileText } from '../trace/trace-bytes.js';
import type { EngineOptions, RunRequest } from '../runner/protocol.js';
import { compactInputs } from '../runner/inputs.js';
import { RunnerError } from '../runner/errors.js';
import { checkUserFile } from '../runner/user-file.js';
import { killAllRunners } from '../runner/launch.js';
import { parseCommand, UsageError, type Command, type OutputOptions, type RunnerOptions } from './args.js';
import { HELP } from './help.js';
import { executeRequest, processStartMonoUs, type RunOutcome } from './execute.js';
import { buildReport, compareLines, findingsOf, failureLines, formatError, formatLoadError, hostLines, jsonReportChunks, resultLines, runTable, type RunReport } from './report.js';
import { checkOutputPaths, describeOutputProblem, writeOutputs } from './outputs.js';
import { demoLesson, DEMO_STEPS } from './demo.js';
import { importTrace, TRACE_FORMAT_NAMES, type ImportedTrace } from '../trace/import-trace.js';
import { hostLine } from '../trace/hosts.js';
import { computeRunSummaries } from '../trace/stats.js';

/** Exit codes: the contract with scripts and CI. */
export const EXIT_OK = 0;
export const EXIT_TASKS_FAILED = 1;
export const EXIT_USAGE = 2;
/** PoolScope itself failed (a bug, or the machine refused something it needs): sysexits' EX_SOFTWARE. */
export const EXIT_INTERNAL = 70;

const cliStartMonoUs = processStartMonoUs();

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`poolscope: ${e.message}\nRun 'poolscope --help' for usage.\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (command.kind === 'run' || command.kind === 'compare' || command.kind === 'demo' || command.kind === 'view') {
    // Before any task runs: a bad output path must not cost the whole run.
    const problems = checkOutputPaths(command.output, command.kind === 'demo' ? [] : [command.file]);
    for (const p of problems) process.stderr.write(`poolscope: ${describeOutputProblem(p)}\n`);
    if (problems.length > 0) return EXIT_USAGE;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(HELP);
      return EXIT_OK;
    case 'version':
      process.stdout.write(`${readVersion()}\n`);
      return EXIT_OK;
    case 'run':
      return runCommand(command);
    case 'compare':
      return compareCommand(command);
    case 'demo':
      return demoCommand(command.runner, command.output);
    case 'view':
      return viewCommand(command);
    case 'worker':
      return workerCommand(command);
  }
}

/**
 * `poolscope worker`: a BullMQ worker for the bullmq backend. The user's code
 * runs in a child process (dist/bullmq-worker.js), never in this one; Ctrl-C
 * or SIGTERM closes it gracefully (the job in hand finishes first).
 */
function workerCommand(command: Extract<Command, { kind: 'worker' }>): Promise<number> {
  const problem = inputFileProblem(command.file);
  if (problem) return Promise.resolve(loadFailure(problem));
  const args = [join(__dirname, 'bullmq-worker.js'), '--redis', command.redis, '--queue', command.queue, '--concurrency', String(command.concurrency),
    ...(command.cacheDir ? ['--cache-dir', command.cacheDir] : []), command.file];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', ...args], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => { child.kill(signal); };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (e) => resolve(loadFailure(`RunnerNotStarted: ${e.message}`)));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? EXIT_TASKS_FAILED : EXIT_OK)));
  });
}

function baseRequest(file: string, runner: RunnerOptions): EngineOptions & Pick<RunRequest, 'type' | 'file' | 'pythonPathOption'> {
  // Only the engine settings go to the runner (nodePath and timing are the CLI's own).
  const { nodePath: _nodePath, timing: _timing, ...engine } = runner;
  return { type: 'run', file, ...engine, pythonPathOption: '--python' };
}

/** Why `file` cannot be run (missing, a directory, a FIFO or device …), or undefined. */
function inputFileProblem(file: string): string | undefined {
  try {
    checkUserFile(file);
    return undefined;
  } catch (e) {
    return e instanceof RunnerError ? `${e.name}: ${e.message}` : String(e);
  }
}

async function runCommand(command: Extract<Command, { kind: 'run' }>): Promise<number> {
  const badFile = inputFileProblem(command.file);
  if (badFile) return loadFailure(badFile);
  const request: RunRequest = command.fn
    ? { ...baseRequest(command.file, command.runner), mode: 'fn', fn: command.fn, ...compactInputs(command.inputs), backend: command.backend, pythonBackend: command.pythonBackend, results: command.output.json }
    : { ...baseRequest(command.file, command.runner), mode: 'file', backend: command.backend, pythonBackend: command.pythonBackend };
  const outcome = await execute(request, command.runner, command.output, command.inputs.length);
  const title = `${basename(command.file)}${command.fn ? ` · ${command.fn} × ${command.inputs.length}` : ''} · ${command.pythonBackend ?? command.backend}`;
  return finish(outcome, command.output, title, (report) => {
    const out: string[] = [runTable(report.summaries), ...hostLines(report.model)];
    const results = resultLines(report.okShown, report.okCount);
    if (results) out.push('', 'results:', results);
    return out;
  });
}

async function compareCommand(command: Extract<Command, { kind: 'compare' }>): Promise<number> {
  const badFile = inputFileProblem(command.file);
  if (badFile) return loadFailure(badFile);
  const request: RunRequest = {
    ...baseRequest(command.file, command.runner), mode: 'compare', fn: command.fn, ...compactInputs(command.inputs),
    backend: command.backends?.[0] ?? 'serial', backends: command.backends, pythonBackends: command.pythonBackends,
    results: command.output.json,
    repeat: command.repeat,
  };
  const backendCount = (command.pythonBackends ?? command.backends ?? NODE_BACKENDS).length;
  const outcome = await execute(request, command.runner, command.output, command.inputs.length * backendCount * command.repeat);
  const title = `${basename(command.file)} · ${command.fn} × ${command.inputs.length} · compare`;
  return finish(outcome, command.output, title, (report) => [
    ...compareLines(report.summaries, `${command.fn} × ${command.inputs.length} tasks, ${command.runner.workers} workers`),
    ...hostLines(report.model),
  ]);
}

/** `poolscope view <trace>`: another tool's trace (or one of ours) on PoolScope's lanes. No code runs. */
async function viewCommand(command: Extract<Command, { kind: 'view' }>): Promise<number> {
  let imported: ImportedTrace;
  try {
    imported = importTrace(traceFileText(readFileSync(command.file)), { taskName: command.taskName });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return loadFailure(`FileNotFound: file not found: ${command.file}`);
    if (err.code === 'EISDIR') return loadFailure(`NotAFile: ${command.file} is a directory`);
    return loadFailure(`${err.name}: ${command.file}: ${err.message}`);
  }
  const summaries = computeRunSummaries(imported.events);
  if (command.output.json) {
    process.stdout.write(`${JSON.stringify({ format: imported.format, runs: summaries }, null, 2)}\n`);
  } else {
    process.stdout.write(`${basename(command.file)}: ${TRACE_FORMAT_NAMES[imported.format]}\n${runTable(summaries)}\n`);
    for (const s of summaries) {
      const line = hostLine(imported.events.filter((e) => e.runId === s.runId));
      if (line) process.stdout.write(`${line}\n`);
    }
  }
  return emitOutputs(await writeOutputs(TraceStore.of(imported.events), command.output, `${basename(command.file)} · ${TRACE_FORMAT_NAMES[imported.format]}`), EXIT_OK);
}

async function demoCommand(runner: RunnerOptions, output: OutputOptions): Promise<number> {
  const examplesDir = join(__dirname, '..', 'examples');
  const allEvents: TraceEvent[] = [];
  let worst = EXIT_OK;
  if (!output.json) {
    process.stdout.write('PoolScope demo: the same tasks on serial, event-loop, thread and process.\n');
    process.stdout.write('Your code runs in a runner process and its workers. Speed-up is over the task phase (each pool warm);\n');
    process.stdout.write('"w/ start-up" counts starting the workers too. Cores used are read from the OS, so they hold on a busy machine.\n\n');
  }
  const jsonRuns: unknown[] = [];
  for (const step of DEMO_STEPS) {
    const file = join(examplesDir, step.file);
    if (!existsSync(file)) return loadFailure(`FileNotFound: the demo's example ${file} is missing`);
    const workers = step.workers(runner.workers);
    const inputs = step.inputs(workers);
    const backends: NodeBackend[] = [...NODE_BACKENDS];
    const request: RunRequest = {
      ...baseRequest(file, { ...runner, workers }), mode: 'compare', fn: step.fn, inputs, backend: 'serial', backends,
    };
    const outcome = await execute(request, { ...runner, workers }, output, inputs.length * backends.length);
    const report = buildReport(outcome);
    const code = exitCodeOf(outcome, report);
    allEvents.push(...outcome.trace.allEvents());
    if (code !== EXIT_OK) {
      printProblems(outcome, report);
      worst = Math.max(worst, code);
      if (outcome.exit.stopped) break;
      continue;
    }
    const lesson = demoLesson(step.kind);
    if (output.json) {
      jsonRuns.push({ example: step.file, fn: step.fn, runs: report.summaries, ...findingsOf(report.summaries), lesson });
      continue;
    }
    const heading = `${step.title} — ${step.fn} × ${inputs.length} tasks, ${workers} workers (${step.file})`;
    process.stdout.write(`${compareLines(report.summaries, heading).join('\n')}\n  ${lesson}\n\n`);
  }
  if (output.json) process.stdout.write(`${JSON.stringify({ ok: worst === EXIT_OK, exitCode: worst, demo: jsonRuns }, null, 2)}\n`);
  else {
    process.stdout.write('Try your own code: poolscope compare <file.ts> --fn <exported function> --inputs \'range(8)\'\n');
  }
  return emitOutputs(await writeOutputs(TraceStore.of(allEvents), output, 'PoolScope demo'), worst);
}

async function execute(request: RunRequest, runner: RunnerOptions, output: OutputOptions, totalTasks: number): Promise<RunOutcome> {
  const outcome = await executeRequest(request, {
    nodePath: runner.nodePath,
    totalTasks,
    stdoutReserved: output.json,
    // Task output goes where the task wrote it, unless stdout is reserved for --json.
    onLog: (stream, text) => (output.json || stream === 'stderr' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`),
  });
  if (runner.timing) process.stderr.write(`${JSON.stringify({ timing: startupTiming(request, outcome) })}\n`);
  return outcome;
}

/**
 * Start-up timing for `--timing`: milliseconds from this process's start to
 * each step, ending at the first `task-start`; absolute CLOCK_MONOTONIC µs
 * too, so a caller can measure from its own spawn time.
 */
function startupTiming(request: RunRequest, outcome: RunOutcome): Record<string, unknown> {
  const sinceCli = (monoUs: number | undefined): number | undefined =>
    monoUs === undefined ? undefined : Math.round((monoUs - cliStartMonoUs) / 100) / 10;
  const marks = outcome.bundle?.marks;
  return {
    backend: request.backend,
    mode: request.mode,
    firstTaskStartMs: sinceCli(outcome.firstTaskStartMonoUs),
    cacheHit: outcome.bundle?.cacheHit,
    bundleMs: outcome.bundle && Math.round(outcome.bundle.durationMs * 10) / 10,
    steps: {
      runnerProcessStartMs: sinceCli(marks?.runnerStartMonoUs),
      requestReceivedMs: sinceCli(marks?.requestMonoUs),
      bundledMs: sinceCli(marks?.bundledMonoUs),
      poolCreatedMs: sinceCli(outcome.firstRunStartMonoUs),
      firstWorkerReadyMs: sinceCli(outcome.firstWorkerReadyMonoUs),
      poolReadyMs: sinceCli(outcome.poolReadyMonoUs),
      firstTaskStartMs: sinceCli(outcome.firstTaskStartMonoUs),
    },
    cliStartMonoUs,
    firstTaskStartMonoUs: outcome.firstTaskStartMonoUs,
  };
}

/**
 * Run File: a script may end itself with `process.exit(code)`, as scripts do.
 * Code 0 is a normal end; another code is the script's own failure.
 */
function scriptExited(request: RunRequest, outcome: RunOutcome): number | undefined {
  const exit = outcome.exit;
  return request.mode === 'file' && exit.crashed && exit.signal === null && exit.code !== null ? exit.code : undefined;
}

function exitCodeOf(outcome: RunOutcome, report: RunReport): number {
  if (outcome.loadError || outcome.exit.spawnError) return EXIT_USAGE;
  const scriptCode = scriptExited(outcome.request, outcome);
  if (scriptCode !== undefined) return scriptCode === 0 && report.failedCount === 0 ? EXIT_OK : EXIT_TASKS_FAILED;
  if (outcome.exit.crashed || outcome.exit.stopped) return EXIT_TASKS_FAILED;
  if (report.failedCount > 0 || outcome.mainErrors.length > 0) return EXIT_TASKS_FAILED;
  if (outcome.exit.done && !outcome.exit.done.ok) return EXIT_TASKS_FAILED;
  return EXIT_OK;
}

/** Prints the outcome (tables from `body`, failures, errors), writes output files, returns the exit code. */
async function finish(outcome: RunOutcome, output: OutputOptions, title: string, body: (report: RunReport) => string[]): Promise<number> {
  const report = buildReport(outcome);
  const code = exitCodeOf(outcome, report);
  if (output.json) {
    for (const chunk of jsonReportChunks(outcome, report, code)) process.stdout.write(chunk);
    process.stdout.write('\n');
  } else if (!outcome.loadError && report.summaries.length > 0) {
    process.stdout.write(`${body(report).join('\n')}\n`);
  }
  printProblems(outcome, report, output.json);
  const events = outcome.trace.eventCount;
  if (!outcome.loadError && events > 0) return emitOutputs(await writeOutputs(outcome.trace, output, title, outputProgress(events)), code);
  return code;
}

/** Prints what writeOutputs did; a file that could not be written makes the exit code at least 2. */
function emitOutputs(lines: Awaited<ReturnType<typeof writeOutputs>>, code: number): number {
  for (const line of lines) process.stderr.write(`${line}\n`);
  return lines.failed ? Math.max(code, EXIT_USAGE) : code;
}

/** Load errors, main-program errors, failed tasks and runner crashes, on stderr. */
function printProblems(outcome: RunOutcome, report: RunReport, json = false): void {
  const cwd = process.cwd();
  if (outcome.loadError) {
    process.stderr.write(`poolscope: ${formatLoadError(outcome.loadError, cwd)}\n`);
    return;
  }
  for (const error of outcome.mainErrors) {
    const where = error.location ? ` (${formatLoadError({ ...error, message: '' }, cwd).replace(/: $/, '')})` : '';
    process.stderr.write(`poolscope: the program threw${where}: ${formatError(error, cwd)}\n`);
  }
  if (report.failedCount > 0 && !json) {
    process.stderr.write(`\n${report.failedCount} of ${report.taskCount} tasks failed:\n${failureLines(report.failedShown, report.failedCount, cwd)}\n`);
  }
  const exit = outcome.exit;
  const scriptCode = scriptExited(outcome.request, outcome);
  if (exit.spawnError) {
    process.stderr.write(`poolscope: RunnerNotStarted: ${exit.spawnError.message} (check --node)\n`);
  } else if (scriptCode !== undefined) {
    if (scriptCode !== 0) process.stderr.write(`poolscope: the script called process.exit(${scriptCode})\n`);
  } else if (exit.crashed) {
    // V8 aborts when a heap limit is hit: on serial (tasks in the runner) that is the likely cause.
    const hint = exit.signal === 'SIGABRT' ? ' — most likely out of memory: serial tasks and Run File\'s main program run in the runner itself' : '';
    process.stderr.write(`poolscope: RunnerCrashed: the runner process exited before finishing (code ${exit.code}, signal ${exit.signal})${hint}\n`);
  } else if (exit.stopped) {
    process.stderr.write('poolscope: the run was stopped\n');
  }
}

/** Events from which writing the output files takes long enough to say what is being written. */
const OUTPUT_PROGRESS_EVENTS = 100_000;

/** Progress while output files are written: on a terminal always, otherwise for large runs. */
function outputProgress(events: number): ((text: string) => void) | undefined {
  if (!process.stderr.isTTY && events < OUTPUT_PROGRESS_EVENTS) return undefined;
  return (text) => process.stderr.write(`poolscope: ${text}\n`);
}

function loadFailure(message: string): number {
  process.stderr.write(`poolscope: ${message}\n`);
  return EXIT_USAGE;
}

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** PoolScope itself failed: say what in one line (the JS stack only with --verbose: it is PoolScope's, not the user's), end now. */
function internalError(e: unknown): never {
  const verbose = process.argv.includes('--verbose');
  let what: string;
  try {
    what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    what = 'an error that cannot be described';
  }
  const detail = verbose && e instanceof Error && e.stack ? `\n${e.stack}` : ' (--verbose prints the stack)';
  process.stderr.write(`poolscope: internal error: ${what}${detail}\n`);
  // End now, taking any run down with us, rather than wait on a runner that may never finish.
  try { killAllRunners(); } finally { process.exit(EXIT_INTERNAL); }
}

// A fault in an event handler (a runner message, a timer) is as internal as one in main(): same message, same exit.
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);
// A reader that went away (`poolscope run … | head -1`) is no fault: the run goes on, unheard.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') internalError(e); });

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  internalError,
);
