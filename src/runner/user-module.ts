/**
 * Loads the user's bundled module in the runner and finds the task function,
 * turning every way that can fail into a named load error that points at the
 * user's file: an import-time throw (`ModuleLoadFailed`, with the `.ts` line),
 * a name that is not exported (`FunctionNotExported`, saying where it is
 * declared when it exists but lacks `export`), an export that is not a
 * function (`NotAFunction`).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { TaskError } from '../trace/events.js';
import type { BundleResult } from './bundle.js';
import { locationFromStack, toTaskError } from './error-location.js';
import type { SourceLocation } from './protocol.js';

/** A load error as sent to the parent. */
export type LoadError = TaskError & { location?: SourceLocation };

/** Thrown by the functions below; carries the message for the parent. */
export class LoadFailure extends Error {
  constructor(readonly error: LoadError) {
    super(error.message);
    this.name = error.name;
  }
}

/** Imports the bundle (same URL as the workers, so the serial backend shares the instance). */
export async function importUserModule(bundle: BundleResult, file: string): Promise<Record<string, unknown>> {
  try {
    return await import(bundle.url) as Record<string, unknown>;
  } catch (e) {
    const error = toTaskError(e);
    const location = locationFromStack(error.stack, bundle.inputs);
    const where = location ? ` at ${location.file}:${location.line}:${location.column}` : '';
    throw new LoadFailure({
      name: 'ModuleLoadFailed',
      message: `importing ${file} threw ${error.name}: ${error.message}${where}`,
      stack: error.stack,
      data: { cause: error.name },
      location,
    });
  }
}

/**
 * Checks that `fn` is an exported function, from the bundle's static export
 * list (no code runs) and, when the module was imported, its value.
 */
export function checkTaskExport(fn: string, file: string, staticExports: readonly string[] | undefined, namespace?: Record<string, unknown>): void {
  // Without a static list (CommonJS run as is), only the imported namespace can tell.
  const exports = namespace && !staticExports ? Object.keys(namespace) : staticExports;
  if (!exports) return;
  if (!exports.includes(fn)) {
    const declared = findDeclaration(file, fn);
    const available = exports.filter((e) => e !== 'default');
    const hint = declared
      ? ` '${fn}' is declared at line ${declared.line} but not exported: add \`export\` in front of it (workers call exports by name, like pickle).`
      : '';
    const list = available.length > 0 ? ` Exported: ${available.join(', ')}.` : ' The file exports nothing.';
    throw new LoadFailure({
      name: 'FunctionNotExported',
      message: `${basename(file)} does not export '${fn}'.${hint}${list}`,
      location: declared,
    });
  }
  if (namespace && typeof namespace[fn] !== 'function') {
    throw new LoadFailure({
      name: 'NotAFunction',
      message: `export '${fn}' of ${basename(file)} is ${describe(namespace[fn])}, not a function`,
      location: findDeclaration(file, fn),
    });
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Where `name` is declared in the user's source (a best-effort text search, for the hint only). */
function findDeclaration(file: string, name: string): SourceLocation | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const escaped = name.replace(/[$]/g, '\\$');
  const decl = new RegExp(`^(\\s*)(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?(?:function\\s*\\*?\\s*${escaped}\\b|(?:const|let|var|class)\\s+${escaped}\\b)`);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = decl.exec(lines[i]);
    if (m) return { file, line: i + 1, column: m[1].length + 1 };
  }
  return undefined;
}
