/**
 * Finds where in the user's file an error happened, from a (source-mapped)
 * stack trace: the shared parser (src/common/stack-frames.ts) with the
 * extension host's path comparison (`path.normalize`, file URLs decoded).
 */
import * as path from 'node:path';
import { locateFrame } from '../common/stack-frames.js';

/** 1-based line and column of an error in a file the caller already knows. */
export interface LineColumn {
  line: number;
  column: number;
}

/** The first stack frame in `file` (Python tracebacks: the last one), or undefined when the stack never enters it. */
export function locateInFile(stack: string | undefined, file: string): LineColumn | undefined {
  const wanted = path.normalize(file);
  const found = locateFrame(stack, (f) => path.normalize(f) === wanted);
  return found ? { line: found.line, column: found.column } : undefined;
}
