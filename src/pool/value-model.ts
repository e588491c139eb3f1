/**
 * One value model for every backend: task arguments and results follow
 * structured clone (what `postMessage` and `structuredClone` do), on serial
 * as on thread, event-loop and process, so serial is a faithful baseline.
 *
 * - serial clones arguments before the call and the result after it
 *   (`cloneForTask`): class instances arrive as plain objects, functions and
 *   symbols fail with SerializationError, exactly as across a thread.
 * - Typed arrays: structured clone copies a view's *whole* ArrayBuffer (a
 *   Buffer's is often Node's shared 8 KB pool slab), and Node's process IPC
 *   delivers a Buffer as a Buffer and every typed array as a view into the
 *   whole message. `normalizeReceived`, applied where values arrive on every
 *   backend, makes one rule of it: **a typed array arrives as the same kind
 *   over its own bytes (byteOffset 0), a Buffer as a Uint8Array**.
 */

/** Structured clone of a task's arguments or result, as it arrives elsewhere. Primitives (the common case) are returned as they are. @throws DataCloneError */
export function cloneForTask<T>(value: T): T {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return value;
  return normalizeReceived(structuredClone(value)) as T;
}

/** Structured clone of an argument list; a list of primitives is copied without the cloning machinery. @throws DataCloneError */
export function cloneArgs(args: readonly unknown[]): unknown[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== null && (typeof a === 'object' || typeof a === 'function' || typeof a === 'symbol')) return normalizeReceived(structuredClone(args as unknown[])) as unknown[];
  }
  return args.slice();
}

/**
 * Makes a received value follow the one rule for typed arrays (see the file
 * comment). Returns the value (containers are fixed in place); a primitive
 * costs one `typeof`.
 */
export function normalizeReceived(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return fix(value, new Set());
}

function fix(value: object, seen: Set<object>): unknown {
  if (ArrayBuffer.isView(value)) return ownCopy(value);
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) value[i] = fix(v, seen);
    }
    return value;
  }
  if (value instanceof Map) {
    const entries = [...(value as Map<unknown, unknown>).entries()];
    if (entries.some(([k, v]) => isObject(k) || isObject(v))) {
      value.clear();
      for (const [k, v] of entries) value.set(isObject(k) ? fix(k, seen) : k, isObject(v) ? fix(v, seen) : v);
    }
    return value;
  }
  if (value instanceof Set) {
    const items = [...(value as Set<unknown>)];
    if (items.some(isObject)) {
      value.clear();
      for (const v of items) value.add(isObject(v) ? fix(v, seen) : v);
    }
    return value;
  }
  if (value instanceof Date || value instanceof RegExp || value instanceof ArrayBuffer) return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === 'object' && v !== null) record[key] = fix(v, seen);
  }
  return value;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

type ViewCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => ArrayBufferView;

/** A typed array (a Buffer as a Uint8Array) or DataView over its own copy of the bytes. */
function ownCopy(view: ArrayBufferView): ArrayBufferView {
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  if (view instanceof DataView) return new DataView(bytes);
  const ctor = (Buffer.isBuffer(view) ? Uint8Array : view.constructor) as ViewCtor;
  const perElement = (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  return new ctor(bytes, 0, view.byteLength / perElement);
}

/** A result whose `.then` cannot even be read (a Proxy trap that throws) is no promise: copying it fails later, as SerializationError. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
