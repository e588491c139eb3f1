/**
 * Runs one request in a runner process and gathers everything it reports:
 * trace events, load and main-program errors, bundling info and how the
 * runner ended. Ctrl-C stops the runner (and so its workers) cleanly.
 */
import { performanceOffsetUs } from '../pool/clock.js';
import type { TaskError, TraceEvent } from '../trace/events.js';
import { RowKind } from '../common/trace-columns.js';
import { TraceStore } from '../trace/trace-store.js';
import { launchRunner, type RunnerExit } from '../runner/launch.js';
import type { RunRequest, SourceLocation, StartupMarks } from '../runner/protocol.js';
import type { JsonValue } from '../runner/result-json.js';
import { ProgressLine } from './progress.js';

export interface RunOutcome {
  request: RunRequest;
  /** The run's events: a model for the report, the events themselves for the files (task events of large runs as columns only). */
  trace: TraceStore;
  loadError?: TaskError & { location?: SourceLocation };
  mainErrors: (TaskError & { location?: SourceLocation })[];
  /** Result values by run and task (only when the request asked for `results`). */
  results: Map<string, Map<number, JsonValue>>;
  exit: RunnerExit;
  bundle?: { cacheHit: boolean; durationMs: number; marks?: StartupMarks };
  /** CLOCK_MONOTONIC µs of the first `run-start` (the pool was created). */
  firstRunStartMonoUs?: number;
  /** CLOCK_MONOTONIC µs of the first `worker-start` (a worker is ready: the pool can run tasks). */
  firstWorkerReadyMonoUs?: number;
  /** CLOCK_MONOTONIC µs when every worker of the first run reported ready (the runner sends tasks to a warm pool). */
  poolReadyMonoUs?: number;
  /** CLOCK_MONOTONIC µs of the first `task-start`, from the run's origin. */
  firstTaskStartMonoUs?: number;
}

export interface ExecuteOptions {
  nodePath?: string;
  cwd?: string;
  /** Tasks expected in total (for the progress line). */
  totalTasks: number;
  /** Log events (console output of tasks) as they arrive. */
  onLog?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Keep stdout for the JSON document: the runner's own output (a script's console.log) goes to stderr. */
  stdoutReserved?: boolean;
}

/** Launches a runner for `request` and resolves when it has exited. */
export async function executeRequest(request: RunRequest, options: ExecuteOptions): Promise<RunOutcome> {
  const outcome: Omit<RunOutcome, 'exit'> = { request, trace: new TraceStore(), mainErrors: [], results: new Map() };
  const origins = new Map<string, number>();
  const progress = new ProgressLine(options.totalTasks);
  let firstRun: { runId: string; workers: number } | undefined;
  let firstRunWorkers = 0;
  /** What the CLI follows live: start-up marks, the progress line, task output. */
  const noteEvent = (event: TraceEvent): void => {
    if (event.type === 'run-start') {
      firstRun ??= { runId: event.runId, workers: event.backend === 'serial' || event.backend === 'event-loop' ? 1 : event.workers };
      origins.set(event.runId, event.originUs);
      outcome.firstRunStartMonoUs ??= event.originUs + event.t;
      if (event.label) progress.label = event.label;
    } else if (event.type === 'worker-start') {
      const at = (origins.get(event.runId) ?? 0) + event.t;
      outcome.firstWorkerReadyMonoUs ??= at;
      // The first run's pool is ready when all its workers are (the runner sends tasks to a warm pool).
      const start = firstRun === undefined || firstRun.runId === event.runId ? firstRun : undefined;
      if (start && outcome.poolReadyMonoUs === undefined && ++firstRunWorkers >= start.workers) outcome.poolReadyMonoUs = at;
    } else if (event.type === 'task-start' && outcome.firstTaskStartMonoUs === undefined) {
      outcome.firstTaskStartMonoUs = (origins.get(event.runId) ?? 0) + event.t;
    } else if (event.type === 'task-end') {
      progress.taskEnded(event.ok);
    } else if (event.type === 'log') {
      options.onLog?.(event.stream, event.text);
    }
  };
  const runner = launchRunner({
    request,
    nodePath: options.nodePath,
    cwd: options.cwd,
    stdio: options.stdoutReserved ? 'pipe' : 'inherit',
    onOutput: (_stream, text) => process.stderr.write(text),
    // A Node pool's batches stay columns: a million tasks are stored without an object each.
    onColumns: (columns) => {
      outcome.trace.addColumns(columns);
      for (const event of columns.events) noteEvent(event);
      const { kind, length, t } = columns;
      for (let r = 0; r < length; r++) {
        const k = kind[r];
        if (k === RowKind.EndedOk || k === RowKind.EndedOkNum) progress.taskEnded(true);
        else if (k === RowKind.Started && outcome.firstTaskStartMonoUs === undefined) {
          outcome.firstTaskStartMonoUs = (origins.get(columns.runId) ?? 0) + t[r];
        }
      }
    },
    onMessage: (message) => {
      switch (message.type) {
        case 'events':
          outcome.trace.add(message.batch);
          for (const event of message.batch) noteEvent(event);
          break;
        case 'bundled':
          outcome.bundle = { cacheHit: message.cacheHit, durationMs: message.durationMs, marks: message.marks };
          break;
        case 'load-error':
          outcome.loadError = message.error;
          break;
        case 'main-error':
          outcome.mainErrors.push(message.error);
          break;
        case 'results': {
          let byTask = outcome.results.get(message.runId);
          if (!byTask) outcome.results.set(message.runId, (byTask = new Map()));
          for (const [taskId, value] of message.results) byTask.set(taskId, value);
          break;
        }
        case 'done':
          break;
      }
    },
  });
  const onSigint = (): void => {
    progress.stop();
    process.stderr.write('\npoolscope: stopping (Ctrl-C again to force)…\n');
    process.once('SIGINT', () => {
      // Forced: nothing of the run may outlive us (the runner, its workers, whatever they started).
      runner.kill();
      process.exit(130);
    });
    void runner.stop();
  };
  process.once('SIGINT', onSigint);
  try {
    const exit = await runner.done;
    return { ...outcome, exit };
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.stop();
  }
}

/** CLOCK_MONOTONIC µs when this process started (performance.timeOrigin on the monotonic clock). */
export function processStartMonoUs(): number {
  return performanceOffsetUs();
}
