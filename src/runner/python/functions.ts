/**
 * Top-level functions of a Python source — the ones a pool can run (process
 * pools send functions by reference, so only module-level `def`s travel).
 * For the editor's CodeLens and function pick on `.py` files; a line scan,
 * no Python needed: `def`/`async def` at column 0, not `_private`.
 */

/** True for a file the Python runner handles. */
export function isPythonFile(file: string): boolean {
  return /\.py$/i.test(file);
}

export interface PythonFunction {
  name: string;
  /** 0-based line of the `def`. */
  line: number;
  /** Parameter names, as written (without defaults / annotations). */
  params: string[];
  isAsync: boolean;
}

const DEF = /^(async\s+)?def\s+([A-Za-z_]\w*)\s*\(([^)]*)\)?/;

/** The module-level, public functions of `source`, in order. */
export function findPythonFunctions(source: string): PythonFunction[] {
  const found: PythonFunction[] = [];
  const lines = source.split(/\r?\n/);
  let inString: string | undefined;
  for (const [i, line] of lines.entries()) {
    // Skip the inside of triple-quoted strings (docstrings that show example code).
    if (inString) {
      if (line.includes(inString)) inString = undefined;
      continue;
    }
    const opener = /^(?:[rRbBuU]{0,2})("""|''')/.exec(line.trimStart())?.[1];
    if (opener && line.split(opener).length === 2) {
      inString = opener;
      continue;
    }
    const m = DEF.exec(line);
    if (!m || m[2].startsWith('_')) continue;
    const params = (m[3] ?? '').split(',').map((p) => p.trim().replace(/^\*{1,2}/, '').split(/[:=]/)[0].trim())
      .filter((p) => p && p !== '/' && p !== '*');
    found.push({ name: m[2], line: i, params, isAsync: Boolean(m[1]) });
  }
  return found;
}

/** What the editor offers to run in a .py file: each top-level function, and the script itself. */
export interface PythonRunnable {
  name: string;
  /** 0-based line. */
  line: number;
  /** True for the script entry (`if __name__ == '__main__':`): "Run file", not "Run in pool". */
  isDefault: boolean;
}

const MAIN_GUARD = /^if\s+__name__\s*==\s*(['"])__main__\1\s*:/;

/**
 * Top-level functions as {@link PythonRunnable}s, plus the `__main__` guard as
 * the file's entry — the same shape as the TypeScript scanner's exports, so
 * the CodeLens and function pick can take either.
 */
export function findPythonRunnables(source: string): PythonRunnable[] {
  const runnables: PythonRunnable[] = findPythonFunctions(source).map((f) => ({ name: f.name, line: f.line, isDefault: false }));
  const guard = source.split(/\r?\n/).findIndex((l) => MAIN_GUARD.test(l));
  if (guard >= 0) runnables.push({ name: '__main__', line: guard, isDefault: true });
  return runnables;
}

/** The top-level function whose body holds `line` (0-based): the last `def` at or above it, if any. */
export function pythonFunctionAtLine(source: string, line: number): PythonRunnable | undefined {
  const lines = source.split(/\r?\n/);
  let found: PythonRunnable | undefined;
  for (const r of findPythonRunnables(source)) {
    if (r.line > line) break;
    found = r;
  }
  if (!found) return undefined;
  // A top-level statement between the def and the cursor ends the function.
  for (let i = found.line + 1; i <= line && i < lines.length; i++) {
    if (/^[^\s#]/.test(lines[i]) && !/^(?:def|async|@|\)|\])/.test(lines[i])) return undefined;
  }
  return found;
}
