/**
 * Loads a task module by URL and looks tasks up by export name — the way
 * functions "travel" to workers (by reference, like pickle).
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { notAFunction, notExported } from './errors.js';

export type TaskFunction = (...args: unknown[]) => unknown;

/** `file://` URL for a module given as URL or absolute path. */
export function toModuleUrl(module: string): string {
  if (/^(file|data|node):/.test(module)) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  throw new RangeError(`module must be a file:// URL or an absolute path, got '${module}'`);
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

  static async load(url: string): Promise<TaskModule> {
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
