/**
 * Finds where in the user's file an error happened, from a (source-mapped)
 * stack trace. Pure: no vscode, so it is easy to reason about and test.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackLocation {
  /** 1-based, as in stack traces. */
  line: number;
  /** 1-based. */
  column: number;
}

// "at fn (FILE:L:C)" or "at FILE:L:C"; FILE may be a path or a file:// URL.
const FRAME = /^\s*at\s+(?:.*?\()?((?:file:\/\/)?[^():]*?(?:[A-Za-z]:)?[^():]*):(\d+):(\d+)\)?\s*$/;

function normalise(file: string): string {
  let p = file;
  if (p.startsWith('file://')) {
    try { p = fileURLToPath(p); } catch { /* leave as is */ }
  }
  return path.normalize(p);
}

// A Python traceback frame: '  File "FILE", line N, in fn' — innermost last, unlike a JS stack.
const PYTHON_FRAME = /^\s*File "(.+)", line (\d+)/;

/** The first stack frame in `file` (Python tracebacks: the last one), or undefined when the stack never enters it. */
export function locateInFile(stack: string | undefined, file: string): StackLocation | undefined {
  if (!stack) return undefined;
  const wanted = normalise(file);
  let python: StackLocation | undefined;
  for (const line of stack.split('\n')) {
    const py = PYTHON_FRAME.exec(line);
    if (py) {
      if (normalise(py[1]) === wanted) python = { line: Number(py[2]), column: 1 };
      continue;
    }
    const m = FRAME.exec(line);
    if (!m) continue;
    if (normalise(m[1]) !== wanted) continue;
    return { line: Number(m[2]), column: Number(m[3]) };
  }
  return python;
}
