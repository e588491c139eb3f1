/**
 * Loads a task module by URL and looks tasks up by export name — the way
 * functions "travel" to workers (by reference, like pickle).
 */
import { createRequire } from 'node:module';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { notAFunction, notExported } from './errors.js';

export type TaskFunction = (...args: unknown[]) => unknown;

/** `file://` URL for a module given as URL or absolute path. */
export function toModuleUrl(module: string): string {
  if (/^(file|data|node):/.test(module)) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  throw new RangeError(`module must be a file:// URL or an absolute path, got '${module}'`);
}

/** Errors with which `require()` declines a module that `import()` can load; nothing of it has run. */
const IMPORT_INSTEAD = new Set(['ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_CYCLE_MODULE', 'ERR_REQUIRE_ESM', 'ERR_UNKNOWN_FILE_EXTENSION']);

function requireIfPossible(url: string): Record<string, unknown> | undefined {
  try {
    return createRequire(url)(fileURLToPath(url)) as Record<string, unknown>;
  } catch (err) {
    if (IMPORT_INSTEAD.has((err as { code?: string }).code ?? '')) return undefined;
    throw err;
  }
}

/** A loaded task module with a cache of resolved exports. */
export class TaskModule {
  readonly url: string;
  readonly #namespace: Record<string, unknown>;
  readonly #functions = new Map<string, TaskFunction>();

  private constructor(url: string, namespace: Record<string, unknown>) {
    this.url = url;
    this.#namespace = namespace;
  }

  /**
   * @param preferRequire workers: load a file with `require()` when this Node can require ES modules (20.19+):
   * 1.5–3.5 ms instead of the 7–12 ms `import()` spends setting up the ESM loader in a fresh worker, on the
   * path to its first result. A module with top-level await (or one `require` refuses for another loader
   * reason) is imported instead, before any of it ran; an error thrown by the module's own code is its load error.
   */
  static async load(url: string, { preferRequire = false } = {}): Promise<TaskModule> {
    if (preferRequire && url.startsWith('file:') && (process.features as { require_module?: boolean }).require_module) {
      const ns = requireIfPossible(url);
      if (ns) return new TaskModule(url, ns);
    }
    const ns = (await import(url)) as Record<string, unknown>;
    return new TaskModule(url, ns);
  }

  /** The exported function `name`; throws NotExported / NotAFunction. */
  get(name: string): TaskFunction {
    const cached = this.#functions.get(name);
    if (cached) return cached;
    const fn = this.#resolve(name);
    this.#functions.set(name, fn);
    return fn;
  }

  #resolve(name: string): TaskFunction {
    const ns = this.#namespace;
    let value: unknown;
    let found = Object.prototype.hasOwnProperty.call(ns, name);
    if (found) value = ns[name];
    // A CommonJS module imported from ESM exposes module.exports as `default`.
    const cjs = ns.default;
    if (!found && cjs !== null && (typeof cjs === 'object' || typeof cjs === 'function') && Object.prototype.hasOwnProperty.call(cjs, name)) {
      found = true;
      value = (cjs as Record<string, unknown>)[name];
    }
    if (!found) throw notExported(name, this.url, Object.keys(ns));
    if (typeof value !== 'function') throw notAFunction(name, this.url, value === null ? 'null' : typeof value);
    return value as TaskFunction;
  }
}
