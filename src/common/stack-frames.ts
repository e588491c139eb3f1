/**
 * The one stack-frame parser: V8 stack lines and Python traceback lines to
 * file, line and column. The webview (error details), the extension host
 * (diagnostics) and the runner (load-error locations) all read stacks here.
 * Pure: no Node or DOM APIs (file URLs are decoded with `URL`).
 */

/** A place in a source file; `line` and `column` are 1-based, as in stack traces. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One frame of a stack: where, and whether it came from a V8 stack or a Python traceback. */
export interface StackFrame extends SourceLocation {
  kind: 'v8' | 'python';
}

// "at fn (/abs/file.ts:12:5)", "at /abs/file.ts:12:5", "at file:///abs/file.ts:12:5", "at async fn (C:\\x\\y.ts:1:2)"
const V8_FRAME = /^\s*at\s+(?:.*?[\s(])?((?:file:\/\/\/[A-Za-z]:\/|file:\/\/\/|[A-Za-z]:[\\/]|\/)[^():]*?):(\d+):(\d+)\)?\s*$/;
// '  File "/abs/file.py", line 12, in fn' — innermost last, unlike a V8 stack.
const PYTHON_FRAME = /^\s*File "(.+)", line (\d+)/;

/** Frames in these places are never the user's code. */
const INTERNAL = [/^node:/, /[\\/]node_modules[\\/]/, /[\\/]dist[\\/](worker|runner|pool|api|cli|extension|python)\.(m?js)$/];

/** `file:///x/y.ts` → `/x/y.ts`; paths unchanged; undefined for a URL that cannot be decoded. */
function fileOf(text: string): string | undefined {
  if (!text.startsWith('file://')) return text;
  try {
    const path = decodeURIComponent(new URL(text).pathname);
    // file:///C:/x → C:/x
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
  } catch {
    return undefined;
  }
}

/** Parses one line of a stack; undefined when it is not a frame with an absolute file position. */
export function parseStackFrame(line: string): StackFrame | undefined {
  const v8 = V8_FRAME.exec(line);
  if (v8) {
    const file = fileOf(v8[1]);
    return file === undefined ? undefined : { kind: 'v8', file, line: Number(v8[2]), column: Number(v8[3]) };
  }
  const py = PYTHON_FRAME.exec(line);
  return py ? { kind: 'python', file: py[1], line: Number(py[2]), column: 1 } : undefined;
}

/** Every frame of `stack`, in the order they appear. */
export function stackFrames(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const out: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    const frame = parseStackFrame(line);
    if (frame) out.push(frame);
  }
  return out;
}

/**
 * The first V8 frame of `stack` that points into a real file outside Node's
 * internals, node_modules and PoolScope's own bundles; undefined when there is none.
 */
export function firstUserFrame(stack: string | undefined): SourceLocation | undefined {
  for (const frame of stackFrames(stack)) {
    if (frame.kind !== 'v8' || INTERNAL.some((re) => re.test(frame.file))) continue;
    return { file: frame.file, line: frame.line, column: frame.column };
  }
  return undefined;
}

/**
 * The frame of `stack` in a file `isWanted` accepts: the first V8 frame (the
 * innermost), or else the last Python frame (a traceback lists the innermost last).
 */
export function locateFrame(stack: string | undefined, isWanted: (file: string) => boolean): SourceLocation | undefined {
  let python: SourceLocation | undefined;
  for (const frame of stackFrames(stack)) {
    if (!isWanted(frame.file)) continue;
    const location = { file: frame.file, line: frame.line, column: frame.column };
    if (frame.kind === 'v8') return location;
    python = location;
  }
  return python;
}
