/**
 * An incremental index of a trace: runs, their workers and their tasks, joined
 * from the flat event stream. Statistics, the Chrome-trace and CSV exports and
 * the webview all read traces through this one join, so they agree on what a
 * "task" is (queued → started → ended, plus its on-thread slices).
 *
 * Feeding it is O(events) in total: `add()` touches each event once and keeps
 * everything in maps keyed by run, worker and task id. It tolerates events out
 * of order within a run (a `task-end` before its `task-start` just fills the
 * record in whatever order the fields arrive) and runs whose `run-start` has
 * not been seen yet (their `start` stays undefined).
 */
import type {
  CpuSampleEvent,
  MachineSampleEvent,
  MainWaitEvent,
  RunEndEvent,
  RunStartEvent,
  TaskError,
  TraceEvent,
  WorkerExitReason,
} from './events.js';

/** One task of one run, as far as its events have been seen. */
export interface TaskRecord {
  runId: string;
  taskId: number;
  fn: string;
  inputPreview: string;
  /** Run-clock µs of `task-queued` (undefined when that event was not seen). */
  queuedT?: number;
  startT?: number;
  endT?: number;
  workerId?: number;
  ok?: boolean;
  resultPreview?: string;
  error?: TaskError;
  cpuUs?: number;
  /** On-thread slices [start, end] in arrival order (event-loop backend). */
  slices: Array<[number, number]>;
}

/** One worker of one run. */
export interface WorkerRecord {
  runId: string;
  workerId: number;
  name: string;
  pid: number;
  threadId: number;
  tid?: number;
  startT: number;
  startupUs: number;
  exitT?: number;
  exitCode?: number | null;
  exitSignal?: string | null;
  exitReason?: WorkerExitReason;
}

/** Everything known about one run. Maps keep insertion order, so iteration is in arrival order. */
export interface RunRecord {
  runId: string;
  start?: RunStartEvent;
  end?: RunEndEvent;
  workers: Map<number, WorkerRecord>;
  tasks: Map<number, TaskRecord>;
  mainWaits: MainWaitEvent[];
  cpuSamples: CpuSampleEvent[];
  /** The machine's CPU use while the run's tasks were out (busy-machine check). */
  machineSamples: MachineSampleEvent[];
  /** Largest run-clock time seen in any event of this run: "now" for a live run. */
  lastT: number;
  /** Number of events of this run that were added. */
  eventCount: number;
}

/** Largest time stamp an event carries (`end` for spans, `t` otherwise). */
export function eventTime(event: TraceEvent): number {
  switch (event.type) {
    case 'task-slice':
    case 'main-wait':
      return event.end;
    default:
      return event.t;
  }
}

/**
 * Incrementally joins trace events into runs, workers and tasks.
 *
 * @example
 * const model = new TraceModel();
 * pool.onTrace((batch) => { model.add(batch); render(model.runs()); });
 */
export class TraceModel {
  readonly #runs = new Map<string, RunRecord>();

  /** Adds a batch of events (any runs, any order within reason). */
  add(events: Iterable<TraceEvent>): this {
    for (const event of events) this.#addOne(event);
    return this;
  }

  /** Runs in order of their first event. */
  runs(): RunRecord[] {
    return [...this.#runs.values()];
  }

  /** The run with this id, if any of its events were added. */
  run(runId: string): RunRecord | undefined {
    return this.#runs.get(runId);
  }

  #runOf(runId: string): RunRecord {
    let run = this.#runs.get(runId);
    if (!run) {
      run = { runId, workers: new Map(), tasks: new Map(), mainWaits: [], cpuSamples: [], machineSamples: [], lastT: 0, eventCount: 0 };
      this.#runs.set(runId, run);
    }
    return run;
  }

  #taskOf(run: RunRecord, taskId: number): TaskRecord {
    let task = run.tasks.get(taskId);
    if (!task) {
      task = { runId: run.runId, taskId, fn: '', inputPreview: '', slices: [] };
      run.tasks.set(taskId, task);
    }
    return task;
  }

  #addOne(event: TraceEvent): void {
    const run = this.#runOf(event.runId);
    run.eventCount++;
    const t = eventTime(event);
    if (Number.isFinite(t) && t > run.lastT) run.lastT = t;
    switch (event.type) {
      case 'run-start':
        run.start = event;
        break;
      case 'run-end':
        run.end = event;
        break;
      case 'worker-start':
        run.workers.set(event.workerId, {
          ...run.workers.get(event.workerId),
          runId: event.runId,
          workerId: event.workerId,
          name: event.name,
          pid: event.pid,
          threadId: event.threadId,
          tid: event.tid,
          startT: event.t,
          startupUs: event.startupUs,
        });
        break;
      case 'worker-exit': {
        const worker = run.workers.get(event.workerId);
        if (worker) {
          worker.exitT = event.t;
          worker.exitCode = event.code;
          worker.exitSignal = event.signal;
          worker.exitReason = event.reason;
        }
        break;
      }
      case 'task-queued': {
        const task = this.#taskOf(run, event.taskId);
        task.queuedT = event.t;
        task.fn = event.fn;
        task.inputPreview = event.inputPreview;
        break;
      }
      case 'task-start': {
        const task = this.#taskOf(run, event.taskId);
        task.startT = event.t;
        task.workerId = event.workerId;
        break;
      }
      case 'task-slice': {
        const task = this.#taskOf(run, event.taskId);
        task.slices.push([event.start, event.end]);
        task.workerId ??= event.workerId;
        break;
      }
      case 'task-end': {
        const task = this.#taskOf(run, event.taskId);
        task.endT = event.t;
        task.workerId = event.workerId;
        task.ok = event.ok;
        task.resultPreview = event.resultPreview;
        task.error = event.error;
        task.cpuUs = event.cpuUs;
        break;
      }
      case 'main-wait':
        run.mainWaits.push(event);
        break;
      case 'cpu-sample':
        run.cpuSamples.push(event);
        break;
      case 'machine-sample':
        run.machineSamples.push(event);
        break;
      case 'log':
        break;
    }
  }
}
