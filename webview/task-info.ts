/** Everything the tooltip, the details pane and the task table show about one task, read from the model. */
import type { TaskError } from '../src/trace/events.js';
import { TaskStatus, type TraceModel } from '../src/trace/trace-model.js';
import { taskCpu, type TaskCpuSource } from '../src/trace/on-cpu.js';

export interface TaskInfo {
  index: number;
  runId: string;
  taskId: number;
  fn: string;
  input: string;
  result?: string;
  error?: TaskError;
  status: 'queued' | 'running' | 'ok' | 'failed';
  pid?: number;
  threadId?: number;
  worker?: string;
  /** Machine the worker ran on, when not this one. */
  host?: string;
  /** The engine's named parts of the run time (Dask: transfer, deserialize, compute …), summed per name, in order of first appearance. */
  phases?: { name: string; us: number }[];
  workerId?: number;
  /** Run-clock µs. */
  queued?: number;
  start?: number;
  end?: number;
  durationUs?: number;
  waitUs?: number;
  /** Time the task's thread was on a CPU during the task (src/trace/on-cpu.ts), and its share of the run time. */
  cpuUs?: number;
  cpuFraction?: number;
  cpuSource?: TaskCpuSource;
  /** Number of on-thread slices (event-loop) and their total. */
  slices: number;
  onThreadUs?: number;
}

const STATUS = ['queued', 'running', 'ok', 'failed'] as const;

function num(v: number): number | undefined {
  return Number.isNaN(v) ? undefined : v;
}

export function taskInfo(model: TraceModel, i: number): TaskInfo {
  const t = model.tasks;
  const lane = t.lane[i] >= 0 ? model.lanes[t.lane[i]] : undefined;
  const queued = num(t.queued[i]);
  const start = num(t.start[i]);
  const end = num(t.end[i]);
  let slices = 0;
  let onThread = 0;
  const sliceSpans: [number, number][] = [];
  for (let k = t.firstSlice[i]; k >= 0; k = model.slices.nextOfTask[k]) {
    slices++;
    onThread += model.slices.end[k] - model.slices.start[k];
    sliceSpans.push([model.slices.start[k], model.slices.end[k]]);
  }
  const finished = t.status[i] === TaskStatus.Ok || t.status[i] === TaskStatus.Failed;
  const cpu = finished && start !== undefined && end !== undefined
    ? taskCpu({ start, end, reportedCpuUs: num(t.cpuUs[i]), slices: sliceSpans }, lane?.cpu)
    : undefined;
  const phaseList = t.phases.get(i);
  let phases: { name: string; us: number }[] | undefined;
  if (phaseList) {
    const byName = new Map<string, number>();
    for (const p of phaseList) byName.set(p.name, (byName.get(p.name) ?? 0) + (p.end - p.start));
    phases = [...byName].map(([name, us]) => ({ name, us }));
  }
  return {
    index: i,
    runId: model.runs[t.run[i]].runId,
    taskId: t.taskId[i],
    fn: model.fnName(i) || '(unknown)',
    input: t.input.get(i) ?? '',
    result: t.result.get(i),
    error: t.errors.get(i),
    status: STATUS[t.status[i] as 0 | 1 | 2 | 3],
    pid: lane?.pid,
    threadId: lane && lane.threadId >= 0 ? lane.threadId : undefined,
    worker: lane?.name,
    host: lane?.host,
    phases,
    workerId: lane?.workerId,
    queued, start, end,
    durationUs: start !== undefined && end !== undefined ? end - start : undefined,
    waitUs: queued !== undefined && start !== undefined ? start - queued : undefined,
    cpuUs: cpu?.cpuUs ?? num(t.cpuUs[i]),
    cpuFraction: cpu?.cpuFraction,
    cpuSource: cpu?.source,
    slices,
    onThreadUs: slices ? onThread : undefined,
  };
}

export function isFailed(model: TraceModel, i: number): boolean {
  return model.tasks.status[i] === TaskStatus.Failed;
}
