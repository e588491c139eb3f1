/**
 * What a PoolScope BullMQ job carries between the run and its workers, which
 * may be on other machines: validated where received, like every boundary.
 *
 * Times are microseconds on the Redis server's clock (`TIME`): each side
 * measures its own offset to it from round trips, so a worker on another host
 * needs no synchronised clock.
 */
import type { TaskError } from '../../trace/events.js';

/** Job data: one task. */
export interface TaskJobData {
  runId: string;
  taskId: number;
  fn: string;
  args: unknown[];
}

/** Where and when a job ran, reported by the worker (in the return value, or as progress before a failure). */
export interface JobTiming {
  host: string;
  pid: number;
  threadId: number;
  /** The worker's BullMQ name: host:pid:thread. */
  worker: string;
  startUs: number;
  endUs: number;
  cpuUs?: number;
  /** The worker host's clock minus Redis's, µs, and the round trip it was measured with. */
  clockOffsetUs: number;
  clockRttUs: number;
}

/** A worker's return value: the user's value and where it ran. */
export interface TaskJobResult {
  poolscope: 1;
  value: unknown;
  timing: JobTiming;
}

/** Published on the ready channel when a worker joins the queue. */
export interface WorkerHello {
  host: string;
  pid: number;
  threadId: number;
  worker: string;
  /** Redis clock µs when it was ready. */
  readyUs: number;
  clockOffsetUs: number;
  clockRttUs: number;
  concurrency: number;
}

export const readyChannel = (queue: string): string => `poolscope:${queue}:ready`;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStr = (x: unknown): x is string => typeof x === 'string';

export function isTaskJobData(x: unknown): x is TaskJobData {
  return isRecord(x) && isStr(x.runId) && Number.isInteger(x.taskId) && isStr(x.fn) && Array.isArray(x.args);
}

export function isJobTiming(x: unknown): x is JobTiming {
  return isRecord(x) && isStr(x.host) && Number.isInteger(x.pid) && Number.isInteger(x.threadId) && isStr(x.worker)
    && isNum(x.startUs) && isNum(x.endUs) && x.endUs >= x.startUs && isNum(x.clockOffsetUs) && isNum(x.clockRttUs)
    && (x.cpuUs === undefined || isNum(x.cpuUs));
}

export function isTaskJobResult(x: unknown): x is TaskJobResult {
  return isRecord(x) && x.poolscope === 1 && 'value' in x && isJobTiming(x.timing);
}

export function isWorkerHello(x: unknown): x is WorkerHello {
  return isRecord(x) && isStr(x.host) && Number.isInteger(x.pid) && Number.isInteger(x.threadId) && isStr(x.worker)
    && isNum(x.readyUs) && isNum(x.clockOffsetUs) && isNum(x.clockRttUs) && Number.isInteger(x.concurrency);
}

/** A failed job's reason and stack as a TaskError (BullMQ keeps only the message and stack lines). */
export function jobError(failedReason: string | undefined, stacktrace: readonly string[] | undefined): TaskError {
  const stack = stacktrace?.[stacktrace.length - 1];
  const name = stack && /^([A-Za-z_$][\w$]*): /.exec(stack)?.[1];
  return { name: name || 'Error', message: failedReason || 'the job failed', ...(stack ? { stack } : {}) };
}
