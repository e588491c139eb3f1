/**
 * A light scanner for top-level exported functions in a .ts/.js source text.
 * Deliberately not a parser (loading TypeScript into the extension host would
 * make activation heavy): it recognises the usual shapes line by line and
 * skips block comments. The runner is the judge of what is really exported —
 * a wrong guess here ends in its clear "not exported" error, never in a crash.
 */

export interface ExportedFunction {
  /** Export name (`default` for an anonymous default export). */
  name: string;
  /** 0-based line of the declaration. */
  line: number;
  /** True for `export default function …`. */
  isDefault: boolean;
}

const DECLARATION = /^export\s+(default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)?/;
const ARROW_OR_EXPRESSION = /^export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\b\s*)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>|<)/;
const EXPORT_LIST = /^export\s*\{([^}]*)\}/;
const LOCAL_FUNCTION = /^(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)|^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\b\s*)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)/;

/** Every top-level exported function, in source order. */
export function findExportedFunctions(text: string): ExportedFunction[] {
  const found: ExportedFunction[] = [];
  const localFunctions = new Map<string, number>();
  const exportedNames: { local: string; name: string; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  let inBlockComment = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (inBlockComment) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      line = line.slice(end + 2);
      inBlockComment = false;
    }
    const start = line.indexOf('/*');
    if (start >= 0 && line.indexOf('*/', start + 2) < 0) inBlockComment = true;
    // Only top-level declarations: they start at column 0 in formatted code.
    if (/^\s/.test(line)) continue;
    let m = DECLARATION.exec(line);
    if (m) {
      const isDefault = Boolean(m[1]);
      found.push({ name: isDefault ? 'default' : (m[2] ?? 'default'), line: i, isDefault });
      continue;
    }
    m = ARROW_OR_EXPRESSION.exec(line);
    if (m) {
      found.push({ name: m[1], line: i, isDefault: false });
      continue;
    }
    m = EXPORT_LIST.exec(line);
    if (m) {
      for (const part of m[1].split(',')) {
        const [local, alias] = part.trim().split(/\s+as\s+/);
        if (local && /^[A-Za-z_$][\w$]*$/.test(local)) exportedNames.push({ local, name: alias?.trim() || local, line: i });
      }
      continue;
    }
    m = LOCAL_FUNCTION.exec(line);
    if (m) localFunctions.set(m[1] ?? m[2], i);
  }
  // `function f() {}` … `export { f }`: the lens belongs on the declaration.
  for (const e of exportedNames) {
    const line = localFunctions.get(e.local);
    if (line !== undefined) found.push({ name: e.name, line, isDefault: e.name === 'default' });
  }
  return found.sort((a, b) => a.line - b.line);
}

/**
 * The exported function the cursor is in: the top-level item that starts at
 * or above `line` (a line beginning at column 0 with a word — `export`,
 * `function`, `const`, `class` …), when that item is an exported function.
 * Inside a helper that is not exported there is no answer, rather than the
 * wrong function.
 */
export function functionAtLine(text: string, line: number): ExportedFunction | undefined {
  const lines = text.split(/\r?\n/);
  let start = -1;
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    if (/^[A-Za-z_$@]/.test(lines[i])) {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  return findExportedFunctions(text).find((f) => f.line === start);
}

/**
 * The exported function a selection names: a declaration inside the
 * selection, or the selected identifier itself when it is exported.
 */
export function functionInSelection(fileText: string, selectedText: string): ExportedFunction | undefined {
  const exported = findExportedFunctions(fileText);
  const declared = findExportedFunctions(selectedText.replace(/^[ \t]+/gm, ''))[0];
  if (declared) return exported.find((f) => f.name === declared.name) ?? declared;
  const word = selectedText.trim();
  return exported.find((f) => f.name === word);
}
