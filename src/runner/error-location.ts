/**
 * Turns a thrown value into the JSON-safe `TaskError` of the trace contract,
 * and finds the place in the user's own files a (source-mapped) stack points at.
 */
import type { TaskError } from '../trace/events.js';
import { locateFrame, type SourceLocation } from '../common/stack-frames.js';

/** `name`, `message`, `stack` of anything thrown (non-errors are stringified). */
export function toTaskError(e: unknown): TaskError {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
    const err = e as Error;
    return { name: String(err.name ?? 'Error'), message: String(err.message), stack: typeof err.stack === 'string' ? err.stack : undefined };
  }
  return { name: 'Error', message: `a non-error value was thrown: ${String(e)}` };
}

/**
 * The first frame of `stack` that lies in one of `files` (absolute paths):
 * with source maps on, that is the user's `.ts` line.
 */
export function locationFromStack(stack: string | undefined, files: readonly string[]): SourceLocation | undefined {
  const wanted = new Set(files);
  return locateFrame(stack, (file) => wanted.has(file));
}
