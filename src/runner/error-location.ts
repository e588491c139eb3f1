/**
 * Turns a thrown value into the JSON-safe `TaskError` of the trace contract,
 * and finds the place in the user's own files a (source-mapped) stack points at.
 */
import { fileURLToPath } from 'node:url';
import type { TaskError } from '../trace/events.js';
import type { SourceLocation } from './protocol.js';

/** `name`, `message`, `stack` of anything thrown (non-errors are stringified). */
export function toTaskError(e: unknown): TaskError {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
    const err = e as Error;
    return { name: String(err.name ?? 'Error'), message: String(err.message), stack: typeof err.stack === 'string' ? err.stack : undefined };
  }
  return { name: 'Error', message: `a non-error value was thrown: ${String(e)}` };
}

const FRAME = /(?:\(|\s)((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?\s*$/;

/**
 * The first frame of `stack` that lies in one of `files` (absolute paths):
 * with source maps on, that is the user's `.ts` line.
 */
export function locationFromStack(stack: string | undefined, files: readonly string[]): SourceLocation | undefined {
  if (!stack) return undefined;
  const wanted = new Set(files);
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (wanted.has(file)) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
