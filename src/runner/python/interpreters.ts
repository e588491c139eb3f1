/**
 * Finding Python interpreters: the default one, and a free-threaded CPython
 * (3.13t / 3.14t, built with Py_GIL_DISABLED) for the `py-thread-ft` backend.
 * Probing runs the interpreter once with `-c`, so it reports what it really
 * is (a `python3.13t` whose GIL was re-enabled by PYTHON_GIL=1 says so).
 */
import { execFile } from 'node:child_process';

/** What an interpreter says about itself. */
export interface PythonInterpreter {
  /** The command or path it was found as. */
  path: string;
  /** e.g. "3.13.1" */
  version: string;
  /** Built free-threaded (Py_GIL_DISABLED). */
  freeThreadedBuild: boolean;
  /** The GIL is enabled at run time (always true on a regular build). */
  gilEnabled: boolean;
}

/** Free-threaded interpreter names looked for on PATH, newest first. */
export const FREE_THREADED_CANDIDATES = ['python3.14t', 'python3.13t', 'python3t'];

const PROBE = 'import sys, sysconfig, json; g = getattr(sys, "_is_gil_enabled", None); '
  + 'print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], '
  + '"ft": bool(sysconfig.get_config_var("Py_GIL_DISABLED")), "gil": True if g is None else bool(g())}))';

/** Run `path -c …` and report what it is; undefined when it can't be run or isn't Python 3. */
export function probePython(path: string, timeoutMs = 10_000): Promise<PythonInterpreter | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['-c', PROBE], { timeout: timeoutMs, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        const info = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { version: string; ft: boolean; gil: boolean };
        resolve({ path, version: info.version, freeThreadedBuild: info.ft, gilEnabled: info.gil });
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** The first free-threaded CPython on PATH, or undefined (the usual case before Python 3.13t is installed). */
export async function findFreeThreadedPython(candidates = FREE_THREADED_CANDIDATES): Promise<PythonInterpreter | undefined> {
  for (const name of candidates) {
    const info = await probePython(name);
    if (info?.freeThreadedBuild) return info;
  }
  return undefined;
}

/** Interpreters tried for py-dask when none is given: the usual one first, then the system's (Debian's python3-distributed). */
export const DASK_CANDIDATES = ['python3', '/usr/bin/python3', 'python'];

/** The first candidate that can import Dask distributed, or undefined. */
export async function findDaskPython(candidates = DASK_CANDIDATES): Promise<{ path: string } | undefined> {
  for (const path of candidates) {
    const ok = await new Promise<boolean>((resolve) => {
      execFile(path, ['-c', 'import distributed'], { timeout: 20_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
        (err) => resolve(!err));
    });
    if (ok) return { path };
  }
  return undefined;
}

/** Why `py-thread-ft` is not offered, in words a user can act on. */
export const FREE_THREADED_NOT_AVAILABLE =
  `No free-threaded CPython found (looked for ${FREE_THREADED_CANDIDATES.join(', ')} on PATH). ` +
  'Install Python 3.13t or newer (e.g. the "free-threaded" option of the python.org installer, ' +
  'or `uv python install 3.14t`) and name it with poolscope.pythonPath, to see threads scale without the GIL.';
