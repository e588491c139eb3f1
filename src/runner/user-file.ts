/**
 * The user's file must be an ordinary source file before anything reads it:
 * a FIFO would block the bundler forever, a device such as /dev/zero (also
 * behind a symlink) would feed it without end, a directory is a mistake.
 * Checked by the CLI before it starts a runner and by the runner before it
 * bundles (the extension's path).
 */
import { statSync } from 'node:fs';
import { RunnerError } from './errors.js';

/** Larger than any hand-written source file: bigger "sources" are refused rather than bundled. */
export const MAX_USER_FILE_BYTES = 64 * 1024 * 1024;

export function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Throws `FileNotFound` when `file` does not exist, `NotAFile` when it (or what its symlinks lead to) is
 * not a regular file, or is larger than MAX_USER_FILE_BYTES.
 */
export function checkUserFile(file: string): void {
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RunnerError('FileNotFound', `file not found: ${file}`);
    throw new RunnerError('FileNotFound', `cannot read ${file}: ${code ?? (e as Error).message}`);
  }
  if (stat.isDirectory()) throw new RunnerError('NotAFile', `${file} is a directory; give the .ts, .js or .py file to run`);
  if (!stat.isFile()) throw new RunnerError('NotAFile', `${file} is ${kindOf(stat)}, not a regular file; give the .ts, .js or .py file to run`);
  if (stat.size > MAX_USER_FILE_BYTES) {
    throw new RunnerError('NotAFile', `${file} is ${Math.round(stat.size / 1048576)} MB: larger than a source file can be (${MAX_USER_FILE_BYTES / 1048576} MB)`);
  }
}

/**
 * Why a file the user's file imports cannot be bundled (not a regular file, or too large), or undefined when it
 * can: esbuild would block forever on a FIFO and read a device such as /dev/zero without end.
 */
export function importedFileProblem(path: string): string | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined; // esbuild says what is wrong with a file it cannot read
  }
  if (stat.isDirectory() || stat.isFile()) {
    return stat.size > MAX_USER_FILE_BYTES
      ? `${path} is ${Math.round(stat.size / 1048576)} MB: larger than an imported source file can be (${MAX_USER_FILE_BYTES / 1048576} MB)`
      : undefined;
  }
  return `${path} is ${kindOf(stat)}, not a regular file: an import must name a source file`;
}
