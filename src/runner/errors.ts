/**
 * Named errors of the runner and the CLI. Callers (CLI, extension, tests)
 * branch on `name`, never on message text.
 */

/** Stable names of the runner's load-time errors. */
export type RunnerErrorName =
  | 'InvalidInputs'
  | 'FileNotFound'
  | 'BundleError'
  /** The bundle cache directory failed a safety check (src/runner/private-dir.ts). */
  | 'UnsafeCacheDir'
  | 'ModuleLoadFailed'
  | 'FunctionNotExported'
  | 'NotAFunction'
  | 'NoMainFunction'
  | 'ProcessExitCalled'
  | 'RunnerCrashed'
  | 'RunnerNotStarted';

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
