/**
 * The receiving end of the Python runner's event stream (fd 3, one JSON
 * object per line, see poolscope_events.py). User code runs in that Python
 * process and can write to the pipe, so a line is checked before anything
 * acts on it: {@link parsePythonEventLine} returns the event typed, or throws
 * {@link InvalidPythonEvent} saying which field of which line is wrong.
 *
 * Cheap on purpose (a run streams a line per task event): a type check of
 * each field the parent reads, no schema library.
 */
import type { UnstampedEvent } from '../../trace/events.js';

/** A line on the Python events pipe that is not a well-formed event; `message` says what is wrong. */
export class InvalidPythonEvent extends Error {
  override name = 'InvalidPythonEvent' as const;
}

/** Longest line read as an event (a traceback in a task-end fits many times over). */
export const MAX_EVENT_LINE_CHARS = 4 * 1024 * 1024;

type Obj = Record<string, unknown>;
type Check = (v: unknown) => boolean;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite: Check = (v) => typeof v === 'number' && Number.isFinite(v);
/** Ids, pids, thread ids: whole numbers JavaScript holds exactly. */
const id: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const count: Check = id;
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const intOrNull: Check = (v) => v === null || (typeof v === 'number' && Number.isInteger(v));
const strOrNull: Check = (v) => v === null || typeof v === 'string';
const stream: Check = (v) => v === 'stdout' || v === 'stderr';
const exitReason: Check = (v) => v === 'idle' || v === 'crash' || v === 'killed' || v === 'recycled' || v === 'timeout';
const taskError: Check = (v) => isObj(v) && typeof v.name === 'string' && typeof v.message === 'string'
  && (v.stack === undefined || typeof v.stack === 'string') && (v.data === undefined || isObj(v.data));
const runStats: Check = (v) => isObj(v) && finite(v.tasks) && finite(v.ok) && finite(v.failed);
const strings: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Per event type: required fields, then optional ones (checked when present). */
const FIELDS: Record<string, [required: Record<string, Check>, optional: Record<string, Check>]> = {
  'run-start': [
    { t: finite, backend: str, workers: count, inputsCount: count, node: str, pid: id, originUs: finite },
    { fn: str, file: str, label: str, compareId: str, hosts: strings, gil: bool, cores: count },
  ],
  'worker-start': [{ t: finite, workerId: id, name: str, pid: id, threadId: id, startupUs: finite }, { tid: id, host: str }],
  'task-queued': [{ t: finite, taskId: id, fn: str, inputPreview: str }, {}],
  'task-start': [{ t: finite, taskId: id, workerId: id }, {}],
  'task-end': [{ t: finite, taskId: id, workerId: id, ok: bool }, { resultPreview: str, error: taskError, cpuUs: finite, phases: Array.isArray }],
  log: [{ t: finite, stream, text: str }, { taskId: id, workerId: id }],
  'worker-exit': [{ t: finite, workerId: id, code: intOrNull, signal: strOrNull, reason: exitReason }, {}],
  'run-end': [{ t: finite, stats: runStats }, { error: taskError }],
};

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * One line of the Python events pipe as an event, or a thrown
 * {@link InvalidPythonEvent}: not JSON, not an object, an unknown type, or a
 * field missing / of the wrong type / out of range (negative or unsafe ids,
 * NaN or infinite times).
 */
export function parsePythonEventLine(line: string): UnstampedEvent {
  if (line.length > MAX_EVENT_LINE_CHARS) throw new InvalidPythonEvent(`an event line of ${line.length} characters (at most ${MAX_EVENT_LINE_CHARS})`);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new InvalidPythonEvent(`a line that is not JSON: ${JSON.stringify(line.slice(0, 60))}`);
  }
  if (!isObj(v)) throw new InvalidPythonEvent(`an event that is ${describe(v)}, not an object`);
  const fields = typeof v.type === 'string' ? FIELDS[v.type] : undefined;
  if (!fields) throw new InvalidPythonEvent(`an event of unknown type ${describe(v.type)}`);
  const [required, optional] = fields;
  for (const key in required) {
    if (!required[key](v[key])) throw new InvalidPythonEvent(`${v.type}.${key} is ${describe(v[key])}`);
  }
  for (const key in optional) {
    if (v[key] !== undefined && !optional[key](v[key])) throw new InvalidPythonEvent(`${v.type}.${key} is ${describe(v[key])}`);
  }
  return v as unknown as UnstampedEvent;
}
