/**
 * Validation of both directions of the runner ⇄ parent IPC channel, where
 * each message is received.
 *
 * Runner → parent: user code runs in the runner, so its messages are not
 * trusted: `launchRunner()` passes on only what {@link parseFromRunner}
 * accepts and counts the rest as rejected.
 *
 * Parent → runner: the runner reads its request with {@link parseToRunner},
 * which names the first field that is wrong ({@link InvalidRunRequest}), so a
 * malformed request ends the run with that error instead of a TypeError deep
 * in a session or a hang. Type checks of the fields used, no schema library.
 */
import { isTraceEvent } from '../common/trace-event-check.js';
import { isTraceColumns } from '../common/trace-columns.js';
import { DISTRIBUTED_NODE_BACKENDS, NODE_BACKENDS, PYTHON_BACKENDS } from '../common/backends.js';
import { RUN_LIMITS, type FromRunner, type RunBackend, type RunRequest, type ToRunner } from './protocol.js';
import { MAX_RANGE_LENGTH } from './inputs.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A TaskError's required fields (name, message), and a location of the right shape when there is one. */
function isErrorWithLocation(v: unknown): boolean {
  if (!isObj(v) || typeof v.name !== 'string' || typeof v.message !== 'string') return false;
  if (v.stack !== undefined && typeof v.stack !== 'string') return false;
  const at = v.location;
  return at === undefined || (isObj(at) && typeof at.file === 'string' && Number.isInteger(at.line) && Number.isInteger(at.column));
}

/** A message from the runner, typed, or `undefined` when it has an unknown type or a wrong shape. */
export function parseFromRunner(raw: unknown): FromRunner | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'trace-columns':
      return isTraceColumns(raw.columns) ? raw as FromRunner : undefined;
    case 'events':
      return Array.isArray(raw.batch) && raw.batch.every(isTraceEvent) ? raw as FromRunner : undefined;
    case 'load-error':
    case 'main-error':
      return isErrorWithLocation(raw.error) ? raw as FromRunner : undefined;
    case 'bundled':
      return typeof raw.cacheHit === 'boolean' && typeof raw.durationMs === 'number' && (raw.marks === undefined || isObj(raw.marks))
        && (raw.url === undefined || (typeof raw.url === 'string' && raw.url.length <= MAX_STRING)) ? raw as FromRunner : undefined;
    case 'results':
      return typeof raw.runId === 'string' && Array.isArray(raw.results)
        && raw.results.every((r) => Array.isArray(r) && r.length === 2 && Number.isInteger(r[0])) ? raw as FromRunner : undefined;
    case 'prepared':
      return typeof raw.ok === 'boolean' ? { type: 'prepared', ok: raw.ok } : undefined;
    case 'done':
      return typeof raw.ok === 'boolean' && Number.isInteger(raw.failed) && Array.isArray(raw.runIds)
        && raw.runIds.every((id) => typeof id === 'string') && (raw.marks === undefined || isRunMarks(raw.marks)) ? raw as FromRunner : undefined;
    default:
      return undefined;
  }
}

// ───────────────────────────── parent → runner ─────────────────────────────

/** A parent → runner message the runner cannot act on; `message` names the field. */
export class InvalidRunRequest extends Error {
  override name = 'InvalidRunRequest' as const;
}

const RUN_MODES: ReadonlySet<unknown> = new Set(['fn', 'file', 'compare']);
/** Every backend name: a .py file's request may name Python backends in `backend` / `backends` (python/session.ts maps them). */
const RUN_BACKENDS: ReadonlySet<unknown> = new Set<string>([...NODE_BACKENDS, ...DISTRIBUTED_NODE_BACKENDS, ...PYTHON_BACKENDS]);
const PY_BACKENDS: ReadonlySet<unknown> = new Set<string>(PYTHON_BACKENDS);
/** setTimeout's largest delay: a longer timeout would fire at once. */
const MAX_TIMER_MS = RUN_LIMITS.timeoutMs;
/** Characters of a path, interpreter, address or name in a request. */
const MAX_STRING = 4096;

function isRunMarks(raw: unknown): boolean {
  if (!isObj(raw)) return false;
  for (const k of ['loadedMonoUs', 'releasedMonoUs', 'warmMonoUs', 'firstSubmitMonoUs'] as const) {
    if (raw[k] !== undefined && !(typeof raw[k] === 'number' && Number.isFinite(raw[k]))) return false;
  }
  return raw.prepared === undefined || typeof raw.prepared === 'boolean';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

function bad(field: string, expected: string, got: unknown): never {
  throw new InvalidRunRequest(`run request: ${field} must be ${expected}, got ${describe(got)}`);
}

function optString(r: Obj, key: string, minLength = 0): void {
  const v = r[key];
  if (v !== undefined && (typeof v !== 'string' || v.length < minLength || v.length > MAX_STRING)) {
    bad(key, `a string of ${minLength}-${MAX_STRING} characters`, v);
  }
}

function optInt(r: Obj, key: string, min: number, max: number): void {
  const v = r[key];
  if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) bad(key, `a whole number from ${min} to ${max}`, v);
}

function optBoolean(r: Obj, key: string): void {
  if (r[key] !== undefined && typeof r[key] !== 'boolean') bad(key, 'true or false', r[key]);
}

function backendList(r: Obj, key: string, known: ReadonlySet<unknown>): void {
  const v = r[key];
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length > 32) bad(key, 'a list of at most 32 backend names', v);
  for (const b of v) if (!known.has(b)) bad(`${key}[]`, `one of ${[...known].join(', ')}`, b);
}

/**
 * A parent → runner message, typed, or a thrown {@link InvalidRunRequest}
 * naming the first field that is missing, of the wrong type or out of range.
 * O(inputs) for the input list (each must be an argument array); the rest is
 * a fixed number of checks.
 */
export function parseToRunner(raw: unknown): ToRunner {
  if (!isObj(raw)) throw new InvalidRunRequest(`runner message: expected an object with a type, got ${describe(raw)}`);
  if (raw.type === 'stop') return { type: 'stop' };
  if (raw.type === 'prepare') {
    if (typeof raw.bundleUrl !== 'string' || raw.bundleUrl.length === 0 || raw.bundleUrl.length > MAX_STRING) bad('bundleUrl', 'a bundle URL', raw.bundleUrl);
    const request = parseToRunner(raw.request);
    if (request.type !== 'run') bad('request', 'a run request', raw.request);
    return { type: 'prepare', request, bundleUrl: raw.bundleUrl };
  }
  if (raw.type !== 'run') throw new InvalidRunRequest(`runner message: unknown type ${describe(raw.type)} (expected run, prepare or stop)`);
  if (!RUN_MODES.has(raw.mode)) bad('mode', 'fn, file or compare', raw.mode);
  if (typeof raw.file !== 'string' || raw.file.length === 0 || raw.file.length > MAX_STRING) bad('file', 'a path', raw.file);
  optString(raw, 'fn', 1);
  if (raw.inputs !== undefined) {
    if (!Array.isArray(raw.inputs)) bad('inputs', 'a list of argument lists', raw.inputs);
    for (let i = 0; i < raw.inputs.length; i++) if (!Array.isArray(raw.inputs[i])) bad(`inputs[${i}]`, 'an argument list (array)', raw.inputs[i]);
  }
  if (raw.inputRange !== undefined) {
    const range = raw.inputRange;
    if (!isObj(range)) bad('inputRange', 'an object { start, step, count }', range);
    for (const k of ['start', 'step'] as const) {
      if (!Number.isSafeInteger(range[k])) bad(`inputRange.${k}`, 'a safe integer', range[k]);
    }
    if (!(Number.isInteger(range.count) && (range.count as number) >= 0 && (range.count as number) <= MAX_RANGE_LENGTH)) {
      bad('inputRange.count', `a whole number from 0 to ${MAX_RANGE_LENGTH}`, range.count);
    }
  }
  if (!RUN_BACKENDS.has(raw.backend)) bad('backend', `one of ${[...RUN_BACKENDS].join(', ')}`, raw.backend);
  backendList(raw, 'backends', RUN_BACKENDS);
  if (!(typeof raw.workers === 'number' && Number.isInteger(raw.workers) && raw.workers >= 1 && raw.workers <= RUN_LIMITS.workers)) {
    bad('workers', `a whole number from 1 to ${RUN_LIMITS.workers}`, raw.workers);
  }
  optInt(raw, 'repeat', 1, RUN_LIMITS.repeat);
  if (raw.timeout !== undefined && !(typeof raw.timeout === 'number' && raw.timeout > 0 && raw.timeout <= MAX_TIMER_MS)) {
    bad('timeout', `a number of ms above 0 and at most ${MAX_TIMER_MS}`, raw.timeout);
  }
  optString(raw, 'cacheDir', 1);
  optBoolean(raw, 'cacheDirIsDefault');
  optInt(raw, 'maxMemoryMb', 1, RUN_LIMITS.maxMemoryMb);
  if (raw.pythonBackend !== undefined && !PY_BACKENDS.has(raw.pythonBackend)) bad('pythonBackend', `one of ${PYTHON_BACKENDS.join(', ')}`, raw.pythonBackend);
  backendList(raw, 'pythonBackends', PY_BACKENDS);
  optString(raw, 'pythonPath', 1);
  optString(raw, 'pythonPathOption');
  optBoolean(raw, 'results');
  if (raw.cpuSampleMs !== undefined && !(typeof raw.cpuSampleMs === 'number' && raw.cpuSampleMs >= 0 && raw.cpuSampleMs <= 60_000)) {
    bad('cpuSampleMs', 'a number of ms from 0 to 60000', raw.cpuSampleMs);
  }
  optString(raw, 'scheduler', 1);
  optInt(raw, 'threadsPerWorker', 1, RUN_LIMITS.workers);
  optString(raw, 'redis', 1);
  optString(raw, 'queue', 1);
  optInt(raw, 'concurrency', 1, RUN_LIMITS.concurrency);
  return raw as unknown as RunRequest & { backend: RunBackend };
}
