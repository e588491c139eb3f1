/**
 * Named errors of the runner and the CLI. Callers (CLI, extension, tests)
 * branch on `name`, never on message text.
 */

/** Stable names of the runner's load-time errors. */
export type RunnerErrorName =
  | 'InvalidInputs'
  | 'FileNotFound'
  /** The file is a directory, FIFO, device … or too large to be a source file (user-file.ts). */
  | 'NotAFile'
  | 'BundleError'
  /** The bundle cache directory failed a safety check (src/runner/private-dir.ts). */
  | 'UnsafeCacheDir'
  | 'ModuleLoadFailed'
  | 'FunctionNotExported'
  | 'NotAFunction'
  | 'NoMainFunction'
  | 'ProcessExitCalled'
  | 'RunnerCrashed'
  | 'RunnerNotStarted'
  /** bullmq backend: no redis-server to start (and no --redis given), or it did not start. */
  | 'RedisNotInstalled'
  | 'RedisStartFailed'
  /** bullmq backend: the --redis server could not be reached. */
  | 'RedisUnreachable'
  /** The backend cannot run this kind of request (e.g. bullmq in Run File). */
  | 'BackendNotSupported';

/** An error with a stable `name` from the set above. */
export class RunnerError extends Error {
  override readonly name: RunnerErrorName;

  constructor(name: RunnerErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

/** The inputs string could not be parsed (bad JSON, bad `range()`, unreadable `@file`). */
export function invalidInputs(message: string): RunnerError {
  return new RunnerError('InvalidInputs', message);
}
