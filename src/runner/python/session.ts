/**
 * A runner request for a `.py` file, start to finish — the Python counterpart
 * of run-session.ts, with the same surface (`run()` → `done`, `stop()`,
 * `doneMessage()`) and the same messages to the parent, so the runner process,
 * the CLI and the extension treat a Python run like any other:
 * - `fn`: one top-level function over the inputs, on one Python backend;
 * - `compare`: the same on py-serial, py-thread, py-process (and
 *   py-thread-ft when a free-threaded CPython is installed), one after
 *   another on one shared clock;
 * - `file`: the script, run as `python file.py` would, its own pools traced.
 */
import { compareRuns } from '../compare-runs.js';
import type { FromRunner, RunMode } from '../protocol.js';
import type { TaskError } from '../../trace/events.js';
import { isPythonBackend, type PythonBackend } from '../../common/backends.js';
import { runPython, type PythonRun } from './python-run.js';
import { findFreeThreadedPython } from './interpreters.js';

type DoneMessage = Extract<FromRunner, { type: 'done' }>;

/** Errors that mean Python could not run at all (reported like a load error). */
const START_FAILURES = new Set(['PythonNotFound', 'PythonStartFailed', 'FreeThreadedPythonNotFound']);

/** The fields of a RunRequest a Python run uses (a RunRequest fits; backends may be Node names, see toPythonBackend). */
export interface PythonSessionRequest {
  mode: RunMode;
  file: string;
  fn?: string;
  inputs?: unknown[][];
  backend: string;
  backends?: readonly string[];
  workers: number;
  /** Per-task timeout in ms (see PythonRunOptions.timeout). */
  timeout?: number;
  /** Memory limit per process worker in MiB (see PythonRunOptions.maxMemoryMb). */
  maxMemoryMb?: number;
  /** compare: rounds, interleaved. @default 1 */
  repeat?: number;
  /** Interpreter (the `poolscope.pythonPath` setting / `--python`). @default 'python3' */
  pythonPath?: string;
  /** How the user names the interpreter, for messages (the CLI: '--python'). */
  pythonPathOption?: string;
  /** On-CPU sampling period in ms; 0 = off. @default 5 */
  cpuSampleMs?: number;
  /** The Python backend to use (fn and file modes); without it `backend` is mapped by {@link toPythonBackend}. */
  pythonBackend?: string;
  /** compare mode: the Python backends to run (else the Python ones among `backends`, else the default set). */
  pythonBackends?: readonly string[];
  /** py-dask: an existing scheduler's address; without it a LocalCluster is started for the run. */
  scheduler?: string;
  /** py-dask LocalCluster: threads per worker process. */
  threadsPerWorker?: number;
}

export { isPythonFile } from './functions.js';

/**
 * A Node backend name given for a .py file means its Python counterpart
 * (the toggle keeps working when the active file is Python).
 */
export function toPythonBackend(backend: string): PythonBackend {
  if (isPythonBackend(backend)) return backend;
  switch (backend) {
    case 'serial': return 'py-serial';
    case 'process': return 'py-process';
    default: return 'py-thread'; // 'thread' and 'event-loop': one interpreter, one GIL
  }
}

/** What Compare Backends runs for a .py file. */
export async function pythonCompareBackends(pythonPath?: string): Promise<PythonBackend[]> {
  const backends: PythonBackend[] = ['py-serial', 'py-thread', 'py-process'];
  if (!pythonPath && await findFreeThreadedPython()) backends.push('py-thread-ft');
  return backends;
}

export class PythonSession {
  readonly #request: PythonSessionRequest;
  readonly #send: (message: FromRunner) => void;
  readonly #runIds: string[] = [];
  #current: PythonRun | undefined;
  #failed = 0;
  #stopped = false;

  constructor(request: PythonSessionRequest, send: (message: FromRunner) => void) {
    this.#request = request;
    this.#send = send;
  }

  /** Runs the request; resolves with the `done` message (also after a load error or a stop). */
  async run(): Promise<DoneMessage> {
    const r = this.#request;
    if (r.mode === 'compare') {
      // Node backend names (the editor's compareBackends setting) mean "the Python default set".
      const named = [...(r.pythonBackends ?? []), ...(r.backends ?? [])].filter(isPythonBackend);
      const backends = named.length > 0 ? [...new Set(named)] : await pythonCompareBackends(r.pythonPath);
      for (const { backend, shared } of compareRuns(backends, r.repeat)) {
        if (this.#stopped) break;
        const ok = await this.#runOne(backend, shared);
        if (ok === 'load-error') return this.#done(false);
      }
    } else {
      const ok = await this.#runOne(toPythonBackend(r.pythonBackend ?? r.backend), {});
      if (ok === 'load-error') return this.#done(false);
    }
    return this.#done(this.#failed === 0 && !this.#stopped);
  }

  /** Stops the current Python run (its process group is killed; open tasks end with RunStopped). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#current?.stop();
  }

  /** A `done` message for what happened so far. */
  doneMessage(): DoneMessage {
    return this.#done(false);
  }

  #done(ok: boolean): DoneMessage {
    return { type: 'done', ok, failed: this.#failed, runIds: [...this.#runIds] };
  }

  async #runOne(backend: PythonBackend, shared: { originUs?: number; compareId?: string; label?: string }): Promise<'ok' | 'load-error'> {
    const r = this.#request;
    const run = runPython({
      file: r.file, mode: r.mode === 'file' ? 'file' : 'fn', fn: r.fn, inputs: r.inputs, backend, workers: r.workers,
      pythonPath: r.pythonPath, pythonPathOption: r.pythonPathOption, cpuSampleMs: r.cpuSampleMs, scheduler: r.scheduler, threadsPerWorker: r.threadsPerWorker,
      timeout: r.timeout, maxMemoryMb: r.maxMemoryMb, ...shared,
    });
    this.#current = run;
    this.#runIds.push(run.runId);
    run.onTrace((batch) => this.#send({ type: 'events', batch }));
    const result = await run.done;
    this.#current = undefined;
    this.#failed += result.failed;
    if (result.loadError) {
      this.#send({ type: 'load-error', error: withLocation(result.loadError) });
      return 'load-error';
    }
    if (result.error && START_FAILURES.has(result.error.name)) {
      // No interpreter to run at all: the same kind of problem as a file that does not load.
      this.#send({ type: 'load-error', error: result.error });
      return 'load-error';
    }
    if (result.error && (r.mode === 'file' || result.error.name === 'PythonRunnerCrashed') && result.error.name !== 'RunStopped') {
      // The script itself raised (or could not start): the file-mode counterpart of a failed main().
      this.#failed++;
      this.#send({ type: 'main-error', error: withLocation(result.error) });
    } else if (result.error && result.error.name !== 'RunStopped') {
      this.#failed++;
    }
    return 'ok';
  }
}

/** Python errors carry {file, line, column?} in `data`; the parent wants a SourceLocation. */
function withLocation(error: TaskError): TaskError & { location?: { file: string; line: number; column: number } } {
  const d = error.data;
  if (d && typeof d.file === 'string' && typeof d.line === 'number') {
    return { ...error, location: { file: d.file, line: d.line, column: typeof d.column === 'number' ? d.column : 1 } };
  }
  return error;
}

