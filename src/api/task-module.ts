/**
 * The module whose exports are a pool's tasks, seen from the main program.
 *
 * Functions travel by reference, like pickle: a worker imports the same module
 * and calls an export by name. Before a function is sent, the main program
 * imports that module too (same URL, so the same instance it already has) and
 * checks that one of its exports *is* that very function — not merely a
 * function with the same name — and finds the export's name (which also covers
 * `export { square as sq }` and `export default function`).
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotExported } from './errors.js';

/** Something the pool can run: an exported function, or the name of an export. */
// The parameter and return types are deliberately open: the API is generic over them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskFunction = (...args: any[]) => unknown;

/**
 * How long to wait for the main program's own import of the task module
 * before trusting `fn.name`. A module that calls the pool during its own
 * top-level `await` can never finish importing itself (its import waits for its
 * evaluation, which waits for the pool), so the check must not block forever;
 * the worker still refuses a name that is not exported.
 */
const IMPORT_GRACE_MS = 250;

/** Turns a path or URL into the `file://` URL both sides import. */
export function toModuleUrl(module: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  throw new RangeError(`module must be a file URL or an absolute path (e.g. import.meta.url), got '${module}'`);
}

export class TaskModule {
  readonly url: string;
  #namespace: Record<string, unknown> | undefined;
  #importing: Promise<Record<string, unknown>> | undefined;
  /** The import outlived its grace period once: until it completes, trust names instead of waiting again. */
  #graceExpired = false;
  #names = new WeakMap<TaskFunction, string>();

  constructor(url: string) {
    this.url = toModuleUrl(url);
  }

  /**
   * The export name of `fn`, when it can be decided without waiting: a string is
   * taken as the name; a function is checked against the module's exports once
   * they are loaded. Returns `undefined` while the module is still loading.
   * @throws NotExported when the module is loaded and does not export `fn`.
   */
  nameNow(fn: TaskFunction | string): string | undefined {
    if (typeof fn === 'string') return fn;
    assertFunction(fn);
    const known = this.#names.get(fn);
    if (known !== undefined) return known;
    if (this.#namespace !== undefined) return this.#lookup(fn, this.#namespace);
    this.#import();
    return undefined;
  }

  /** The export name of `fn`, importing the module first if needed. @throws NotExported */
  async name(fn: TaskFunction | string): Promise<string> {
    const now = this.nameNow(fn);
    if (now !== undefined) return now;
    const f = fn as TaskFunction;
    if (!this.#graceExpired) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<undefined>((resolve) => { timer = setTimeout(resolve, IMPORT_GRACE_MS, undefined); });
      try {
        const namespace = await Promise.race([this.#import(), grace]);
        if (namespace !== undefined) return this.#lookup(f, namespace);
        this.#graceExpired = true;
      } finally {
        clearTimeout(timer);
      }
    }
    // The module is still evaluating (it awaits the pool at top level): fall back
    // to the function's own name; the worker refuses it if it is not exported.
    if (!f.name) throw notExported(f, this.url, 'it has no name and the module could not be checked');
    return f.name;
  }

  #import(): Promise<Record<string, unknown>> {
    if (this.#importing === undefined) {
      this.#importing = import(this.url).then((ns: Record<string, unknown>) => {
        this.#namespace = ns;
        return ns;
      });
      // A failed import is reported by name(); nobody else may see an unhandled rejection.
      this.#importing.catch(() => undefined);
    }
    return this.#importing;
  }

  #lookup(fn: TaskFunction, namespace: Record<string, unknown>): string {
    let name: string | undefined;
    if (fn.name && namespace[fn.name] === fn) name = fn.name;
    else name = Object.keys(namespace).find((key) => namespace[key] === fn);
    if (name === undefined) {
      const sameName = fn.name && typeof namespace[fn.name] === 'function';
      throw notExported(fn, this.url, sameName
        ? `the module's export '${fn.name}' is a different function (a local copy or a wrapper?)`
        : 'it is not a top-level export of that module');
    }
    this.#names.set(fn, name);
    return name;
  }
}

function assertFunction(fn: unknown): asserts fn is TaskFunction {
  if (typeof fn !== 'function') throw new TypeError(`expected an exported function (or its export name), got ${typeof fn}`);
}

function notExported(fn: TaskFunction, url: string, why: string): NotExported {
  const label = fn.name ? `function '${fn.name}'` : 'an anonymous function';
  return new NotExported(
    `Cannot send ${label} to the pool: ${why} (${url}). Functions travel by reference, like pickle: ` +
    'workers import the task module and call an export by name, so define the task as ' +
    '`export function name(...)` at the top level of the module passed as `module`.',
    fn.name, url);
}
