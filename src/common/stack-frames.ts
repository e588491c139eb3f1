/** Finds the first user-code location (file, 1-based line and column) in an error stack. */

export interface StackLocation {
  file: string;
  line: number;
  column: number;
}

// "at fn (/abs/file.ts:12:5)", "at /abs/file.ts:12:5", "at file:///abs/file.ts:12:5", "    at async fn (C:\\x\\y.ts:1:2)"
const FRAME = /(?:\(|\s)((?:file:\/\/)?(?:[A-Za-z]:[\\/]|\/)[^():]*?):(\d+):(\d+)\)?\s*$/;

/** Frames in these places are never the user's code. */
const INTERNAL = [/^node:/, /[\\/]node_modules[\\/]/, /[\\/]dist[\\/](worker|runner|pool|api)\.(m?js)$/];

/**
 * The first frame of `stack` that points into a real file outside Node's
 * internals and node_modules; undefined when there is none.
 */
export function firstUserFrame(stack: string | undefined): StackLocation | undefined {
  if (!stack) return undefined;
  for (const rawLine of stack.split('\n')) {
    const line = rawLine.trim();
    if (!line.startsWith('at ')) continue;
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) {
      try {
        file = decodeURIComponent(new URL(file).pathname);
      } catch {
        continue;
      }
    }
    if (INTERNAL.some((re) => re.test(file))) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
