/**
 * Short human-readable previews (≤ 120 chars) of task arguments and results.
 *
 * A preview describes the value the other side receives — after structured
 * clone (see value-model.ts) — so it reads the same on every backend: a class
 * instance shows as the plain object it arrives as, a Buffer as the
 * Uint8Array it arrives as, an error by the name structured clone keeps.
 * Strings are quoted and escaped (a newline or quote never breaks a table
 * row), RegExps show their source, `-0` stays `-0`, a cycle is `[Circular]`,
 * Map / Set / arrays / typed arrays show their first entries, errors their
 * cause.
 *
 * Runs once or twice per task, so it must be cheap: primitives take a fast
 * path, containers are walked only until the budget is spent (no full
 * JSON.stringify of a large array).
 */
export const PREVIEW_MAX = 120;

/** Error names structured clone keeps; any other error arrives named `Error`. */
const CLONED_ERROR_NAMES = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError']);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

interface Budget {
  left: number;
  /** Containers being written (for [Circular]). */
  stack: object[];
}

export function previewValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'string':
      return quote(value, PREVIEW_MAX);
    default: {
      const out: string[] = [];
      write(value, out, { left: PREVIEW_MAX, stack: [] });
      return finish(out);
    }
  }
}

/** Preview of an argument list, without the surrounding brackets: `1, "a", {x: 2}`. */
export function previewArgs(args: unknown[]): string {
  if (args.length === 1) return previewValue(args[0]);
  if (args.length === 0) return '';
  const out: string[] = [];
  const budget: Budget = { left: PREVIEW_MAX, stack: [] };
  for (let i = 0; i < args.length && budget.left > 0; i++) {
    if (i > 0) put(', ', out, budget);
    write(args[i], out, budget);
  }
  return finish(out);
}

function finish(out: string[]): string {
  const text = out.join('');
  return text.length <= PREVIEW_MAX ? text : text.slice(0, PREVIEW_MAX - 1) + '…';
}

/** A JSON-style quoted string, escaped; at most about `max` characters, then `…`. */
function quote(s: string, max: number): string {
  if (s.length + 2 <= max) {
    const q = JSON.stringify(s);
    if (q.length <= max) return q;
  }
  const q = JSON.stringify(s.slice(0, Math.max(0, max - 3)));
  return `${q.slice(0, Math.max(1, max - 2))}…`;
}

function put(s: string, out: string[], budget: Budget): void {
  out.push(s);
  budget.left -= s.length;
}

function write(value: unknown, out: string[], budget: Budget): void {
  if (budget.left <= 0) return;
  if (value === null) return put('null', out, budget);
  switch (typeof value) {
    case 'object':
      break;
    case 'string':
      return put(quote(value, Math.max(3, budget.left)), out, budget);
    case 'number':
      return put(Object.is(value, -0) ? '-0' : String(value), out, budget);
    case 'bigint':
      return put(`${value}n`, out, budget);
    case 'function':
      return put(`[Function ${value.name || 'anonymous'}]`, out, budget);
    case 'symbol':
      return put(value.toString(), out, budget);
    default:
      return put(String(value), out, budget);
  }
  const obj = value;
  if (budget.stack.includes(obj)) return put('[Circular]', out, budget);
  budget.stack.push(obj);
  try {
    writeObject(obj, out, budget);
  } finally {
    budget.stack.pop();
  }
}

function writeObject(value: object, out: string[], budget: Budget): void {
  if (Array.isArray(value)) return writeList('', '[', ']', value.length, (i) => (i in value ? value[i] : HOLE), out, budget);
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return put(`DataView(${value.byteLength})`, out, budget);
    // A Buffer arrives as a Uint8Array (structured clone).
    const name = Buffer.isBuffer(value) ? 'Uint8Array' : value.constructor.name;
    const list = value as unknown as ArrayLike<unknown>;
    return writeList(`${name}(${list.length}) `, '[', ']', list.length, (i) => list[i], out, budget);
  }
  if (value instanceof ArrayBuffer) return put(`ArrayBuffer(${value.byteLength})`, out, budget);
  if (value instanceof Map) {
    const entries = value.entries();
    put(`Map(${value.size}) {`, out, budget);
    let first = true;
    for (const [k, v] of entries) {
      if (budget.left <= 0) break;
      if (!first) put(', ', out, budget);
      first = false;
      write(k, out, budget);
      put(' => ', out, budget);
      write(v, out, budget);
    }
    return put('}', out, budget);
  }
  if (value instanceof Set) {
    const it = value.values();
    return writeList(`Set(${value.size}) `, '{', '}', value.size, () => it.next().value, out, budget);
  }
  if (value instanceof Date) return put(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString(), out, budget);
  if (value instanceof RegExp) return put(`/${value.source}/${value.flags}`, out, budget);
  if (value instanceof Error) return writeError(value, out, budget);
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) {
    const inner = value.valueOf();
    put(`[${typeof inner === 'bigint' ? 'BigInt' : value.constructor.name}: `, out, budget);
    write(inner, out, budget);
    return put(']', out, budget);
  }
  // Any other object arrives as a plain object with its own enumerable string keys (no class, no symbols).
  put('{', out, budget);
  let first = true;
  for (const key of Object.keys(value)) {
    if (budget.left <= 0) break;
    if (!first) put(', ', out, budget);
    first = false;
    put(`${IDENTIFIER.test(key) ? key : JSON.stringify(key)}: `, out, budget);
    write((value as Record<string, unknown>)[key], out, budget);
  }
  put('}', out, budget);
}

const HOLE = Symbol('hole');

function writeList(prefix: string, open: string, close: string, length: number, at: (i: number) => unknown, out: string[], budget: Budget): void {
  put(prefix + open, out, budget);
  for (let i = 0; i < length; i++) {
    if (budget.left <= 0) break;
    if (i > 0) put(', ', out, budget);
    const item = at(i);
    if (item === HOLE) put('<empty>', out, budget);
    else write(item, out, budget);
  }
  put(close, out, budget);
}

/** `TypeError: message (cause: RangeError: inner)`, named as structured clone names it. */
function writeError(error: Error, out: string[], budget: Budget): void {
  const name = typeof error.name === 'string' && CLONED_ERROR_NAMES.has(error.name) ? error.name : 'Error';
  put(error.message ? `${name}: ${error.message}` : name, out, budget);
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && budget.left > 0) {
    put(' (cause: ', out, budget);
    write(cause, out, budget);
    put(')', out, budget);
  }
}
