/**
 * Command-line arguments → a typed command, or a `UsageError` that says what
 * is wrong (exit code 2). Parsing only: no files are read here except by
 * `loadInputs` for `@file.json`, and no user code is imported.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_BACKENDS, PYTHON_BACKENDS, isNodeBackend, isPythonBackend } from '../common/backends.js';
import { RUN_LIMITS, type EngineOptions, type RunBackend, type RunRequest } from '../runner/protocol.js';
import { loadInputs } from '../runner/inputs.js';
import { DASK_SCHEDULER_EXAMPLE, isDaskSchedulerAddress, isRedisUrl, REDIS_URL_EXAMPLE } from '../runner/engine-addresses.js';

/** Wrong command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where to write results besides the terminal. */
export interface OutputOptions {
  trace?: string;
  csv?: string;
  html?: string;
  json: boolean;
}

/** The engine settings (shared with the run request) plus what only the CLI itself uses. */
export interface RunnerOptions extends EngineOptions {
  nodePath?: string;
  /** Print start-up timing (to first task-start) as JSON on stderr. */
  timing: boolean;
}

/** A Python backend name (`--backend py-process` for a .py file). */
export type PythonBackendName = NonNullable<RunRequest['pythonBackend']>;

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'version' }
  | { kind: 'run'; file: string; fn?: string; inputs: unknown[][]; backend: RunBackend; pythonBackend?: PythonBackendName; runner: RunnerOptions; output: OutputOptions }
  /** `backends` undefined: the runner's default set for the file's language (Node: all four). */
  | { kind: 'compare'; file: string; fn: string; inputs: unknown[][]; backends?: RunBackend[]; pythonBackends?: PythonBackendName[]; repeat: number; runner: RunnerOptions; output: OutputOptions }
  | { kind: 'demo'; runner: RunnerOptions; output: OutputOptions }
  /** Reads a trace file (PoolScope's own, Ray, Dask task stream, VizTracer, Chrome/Perfetto) and writes the outputs. */
  | { kind: 'view'; file: string; taskName?: string; output: OutputOptions }
  /** A BullMQ worker for the bullmq backend, on this machine: takes jobs from the queue and runs the file's exports. */
  | { kind: 'worker'; file: string; redis: string; queue: string; concurrency: number; cacheDir?: string };

const OPTIONS = {
  fn: { type: 'string', short: 'f' },
  inputs: { type: 'string', short: 'i' },
  backend: { type: 'string', short: 'b' },
  backends: { type: 'string' },
  repeat: { type: 'string' },
  workers: { type: 'string', short: 'w' },
  timeout: { type: 'string', short: 't' },
  trace: { type: 'string' },
  csv: { type: 'string' },
  html: { type: 'string' },
  json: { type: 'boolean' },
  node: { type: 'string' },
  python: { type: 'string' },
  'cache-dir': { type: 'string' },
  'max-memory': { type: 'string' },
  'cpu-sample-ms': { type: 'string' },
  timing: { type: 'boolean' },
  verbose: { type: 'boolean' },
  'task-name': { type: 'string' },
  scheduler: { type: 'string' },
  'threads-per-worker': { type: 'string' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Parses `argv` (without `node` and the script). @throws UsageError */
export function parseCommand(argv: readonly string[], cwd: string = process.cwd()): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: normalizeArgv(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // normalizeArgv has caught what a user types wrong; anything left is said in Node's words.
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) return { kind: 'version' };
  if (values.help || command === undefined || command === 'help') return { kind: 'help', topic: command === 'help' ? rest[0] : command };

  const runner: RunnerOptions = {
    workers: positiveInt(values.workers, '--workers', RUN_LIMITS.workers) ?? availableParallelism(),
    timeout: positiveInt(values.timeout, '--timeout', RUN_LIMITS.timeoutMs),
    nodePath: values.node,
    cacheDir: values['cache-dir'] ? resolve(cwd, values['cache-dir']) : undefined,
    maxMemoryMb: positiveInt(values['max-memory'], '--max-memory', RUN_LIMITS.maxMemoryMb),
    timing: values.timing ?? false,
    pythonPath: values.python,
    cpuSampleMs: sampleMs(values['cpu-sample-ms']),
    scheduler: schedulerAddress(values.scheduler),
    threadsPerWorker: positiveInt(values['threads-per-worker'], '--threads-per-worker', RUN_LIMITS.workers),
    redis: redisUrl(values.redis),
    queue: values.queue,
    concurrency: positiveInt(values.concurrency, '--concurrency', RUN_LIMITS.concurrency),
  };
  const output: OutputOptions = {
    trace: values.trace ? resolve(cwd, values.trace) : undefined,
    csv: values.csv ? resolve(cwd, values.csv) : undefined,
    html: values.html ? resolve(cwd, values.html) : undefined,
    json: values.json ?? false,
  };

  switch (command) {
    case 'worker': {
      const file = fileArgument(rest, 'worker', cwd);
      if (/\.py$/i.test(file)) throw new UsageError('poolscope worker runs TypeScript/JavaScript exports (the bullmq backend); for Python use py-dask');
      if (!runner.redis) throw new UsageError('worker needs --redis redis://host:port: the Redis server the run puts its jobs on');
      return { kind: 'worker', file, redis: runner.redis, queue: runner.queue ?? 'poolscope', concurrency: runner.concurrency ?? 1, cacheDir: runner.cacheDir };
    }
    case 'view': {
      const file = fileArgument(rest, 'view', cwd);
      return { kind: 'view', file, taskName: values['task-name'], output };
    }
    case 'demo':
      expectNoMore(rest, 'demo');
      return { kind: 'demo', runner, output };
    case 'run': {
      const file = fileArgument(rest, 'run', cwd);
      const chosen = parseBackend(values.backend ?? 'thread', file);
      // A Python backend rides in pythonBackend; `backend` then only says "threads/processes" to a Node reader.
      const backend: RunBackend = isPythonBackend(chosen) ? 'thread' : chosen;
      if (backend === 'bullmq' && !values.fn) throw new UsageError('the bullmq backend runs one exported function as jobs: give --fn <name>');
      const pythonBackend = isPythonBackend(chosen) ? chosen : undefined;
      const inputs = parseInputsOption(values.inputs, cwd);
      if (!values.fn && values.inputs !== undefined) throw new UsageError('--inputs needs --fn (without --fn, run calls the file\'s default export main())');
      if (values.repeat !== undefined) throw new UsageError('--repeat is for compare (rounds of every backend)');
      return { kind: 'run', file, fn: values.fn, inputs, backend, pythonBackend, runner, output };
    }
    case 'compare': {
      const file = fileArgument(rest, 'compare', cwd);
      if (!values.fn) throw new UsageError('compare needs --fn <exported function name>');
      if (values.backend) throw new UsageError('compare runs every backend; use --backends serial,thread to choose some');
      const chosen = values.backends ? values.backends.split(',').map((b) => parseBackend(b.trim(), file)) : undefined;
      const node = chosen?.filter((b): b is RunBackend => !isPythonBackend(b));
      const python = chosen?.filter(isPythonBackend);
      return {
        kind: 'compare', file, fn: values.fn, inputs: parseInputsOption(values.inputs, cwd),
        backends: node?.length ? node : undefined, pythonBackends: python?.length ? python : undefined,
        repeat: positiveInt(values.repeat, '--repeat', RUN_LIMITS.repeat) ?? 1, runner, output,
      };
    }
    default:
      throw new UsageError(`unknown command '${command}': expected run, compare, view, worker or demo`);
  }
}

function fileArgument(rest: string[], command: string, cwd: string): string {
  if (rest.length === 0) throw new UsageError(`${command} needs a file: poolscope ${command} <file.ts> …`);
  expectNoMore(rest.slice(1), command);
  return resolve(cwd, rest[0]);
}

function expectNoMore(rest: string[], command: string): void {
  if (rest.length > 0) throw new UsageError(`unexpected argument${rest.length > 1 ? 's' : ''} for ${command}: ${rest.join(' ')}`);
}

/** A Node backend name, or (for a .py file) a Python one. */
/** A Redis URL as ioredis takes it: redis://[user:pass@]host:port[/db] (rediss:// for TLS). */
export function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isRedisUrl(value)) throw new UsageError(`--redis must be a Redis URL like ${REDIS_URL_EXAMPLE}, got '${value}'`);
  return value;
}

function parseBackend(value: string, file: string): RunBackend | PythonBackendName {
  if (isPythonBackend(value)) {
    if (!/\.py$/i.test(file)) throw new UsageError(`backend '${value}' runs Python files (.py); for ${file} use one of ${NODE_BACKENDS.join(', ')}`);
    return value;
  }
  if (value === 'bullmq') {
    if (/\.py$/i.test(file)) throw new UsageError('the bullmq backend runs TypeScript/JavaScript exports; for a .py file use py-dask');
    return value;
  }
  if (!isNodeBackend(value)) {
    throw new UsageError(`unknown backend '${value}': expected one of ${NODE_BACKENDS.join(', ')} (.py files also ${PYTHON_BACKENDS.join(', ')})`);
  }
  return value as RunBackend;
}

/** A Dask scheduler address: tcp://host:port (the scheme Dask's Client accepts by default). */
export function schedulerAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isDaskSchedulerAddress(value)) {
    throw new UsageError(`--scheduler must be a Dask scheduler address like ${DASK_SCHEDULER_EXAMPLE}, got '${value}'`);
  }
  return value;
}

function positiveInt(value: string | undefined, flag: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? '≥ 1' : `from 1 to ${max}`;
    throw new UsageError(`${flag} must be a whole number ${range}, got ${quoteArg(value)}`);
  }
  return n;
}

/** Without --inputs the function is called once with no arguments. */
function parseInputsOption(value: string | undefined, cwd: string): unknown[][] {
  if (value === undefined) return [[]];
  try {
    return loadInputs(value, cwd);
  } catch (e) {
    throw new UsageError(`bad --inputs: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

/** `--cpu-sample-ms`: a whole number of milliseconds, 0 (sampling off) to 1000. @throws UsageError */
function sampleMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError(`--cpu-sample-ms must be a whole number of milliseconds from 0 (off) to 1000, got '${value}'`);
  return n;
}

/** What each option's value is, for "needs a value" messages. */
const VALUE_OF: Partial<Record<keyof typeof OPTIONS, string>> = {
  fn: 'the name of an exported function',
  inputs: "the inputs, e.g. '[1, 2, 3]' or 'range(8)'",
  backend: `one of ${NODE_BACKENDS.join(', ')}`,
  backends: 'a comma-separated list of backends',
  workers: `a whole number from 1 to ${RUN_LIMITS.workers}`,
  timeout: `milliseconds, a whole number from 1 to ${RUN_LIMITS.timeoutMs}`,
  trace: 'an output file (.json)',
  csv: 'an output file (.csv)',
  html: 'an output file (.html)',
  node: 'the path of a Node binary',
  python: 'the path of a Python interpreter',
  'cache-dir': 'a directory',
  'max-memory': `megabytes, a whole number from 1 to ${RUN_LIMITS.maxMemoryMb}`,
  'cpu-sample-ms': 'milliseconds from 0 (off) to 1000',
  'task-name': 'a span name',
  scheduler: 'a Dask scheduler address',
  'threads-per-worker': `a whole number from 1 to ${RUN_LIMITS.workers}`,
};

type OptionName = keyof typeof OPTIONS;
const SHORT = new Map<string, OptionName>(
  (Object.entries(OPTIONS) as [OptionName, { short?: string }][]).filter(([, o]) => o.short).map(([name, o]) => [o.short!, name]));

function isOption(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

/**
 * Checks options before `parseArgs` so that every mistake is reported in PoolScope's words — an unknown
 * option (with the nearest known one), a missing value, a value given to a switch — and rewrites
 * `--workers -1` as `--workers=-1`, so the value's own check says what is wrong with it (parseArgs would
 * call a value that starts with '-' "ambiguous"). @throws UsageError
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.push(arg);
      continue;
    }
    let flag: string;
    let name: OptionName;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const raw = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      flag = `--${raw}`;
      if (!isOption(raw)) throw new UsageError(`unknown option ${quoteArg(flag)}${suggestion(raw)}`);
      name = raw;
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else {
      const letter = arg[1];
      const long = SHORT.get(letter);
      if (!long) {
        if (/^-\d/.test(arg)) throw new UsageError(`unexpected argument ${quoteArg(arg)}: a value must follow the option it belongs to`);
        throw new UsageError(`unknown option ${quoteArg(`-${letter}`)}${arg.length > 2 ? ` (in ${quoteArg(arg)})` : ''}`);
      }
      flag = `-${letter}, --${long}`;
      name = long;
      if (arg.length > 2) {
        if (OPTIONS[long].type === 'boolean') throw new UsageError(`${quoteArg(arg)}: -${letter} (--${long}) takes no value; give switches one at a time`);
        inline = arg[2] === '=' ? arg.slice(3) : arg.slice(2);
      }
    }
    if (OPTIONS[name].type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value, got ${quoteArg(arg)}`);
      out.push(`--${name}`);
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${flag} needs a value: ${VALUE_OF[name] ?? 'a value'}`);
      // A negative number is a value (checked by the option's own rule); another option is not.
      if (next.startsWith('-') && !/^-\d|^-\.\d/.test(next)) {
        throw new UsageError(`${flag} needs a value (${VALUE_OF[name] ?? 'a value'}), but the next argument is the option ${quoteArg(next)}`);
      }
      inline = next;
      i++;
    }
    out.push(`--${name}=${inline}`);
  }
  return out;
}

/** An argument as the user typed it, in balanced quotes. */
function quoteArg(arg: string): string {
  return `'${arg.replace(/'/g, "\\'")}'`;
}

/** " (did you mean --workers?)" for a near miss, else a pointer to --help. */
function suggestion(raw: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of Object.keys(OPTIONS)) {
    const d = editDistance(raw.toLowerCase(), name);
    if (d < bestDistance) { best = name; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(raw.length / 3)) ? ` (did you mean --${best}?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
