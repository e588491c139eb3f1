/**
 * Task results as JSON (`poolscope --json`): a value that JSON can carry is
 * written as it is; anything else becomes a tag `{ "type": …, "value": … }`
 * (README, "Results in --json"). The rule a reader needs: **an object whose
 * `type` is a string and whose only other key is `value` is a tag**; a plain
 * object of the task's that happens to look like one is wrapped as
 * `{ "type": "Object", "value": {…} }`, so the rule never misreads a result.
 *
 * Encoded from the value the caller received (after structured clone, see
 * src/pool/value-model.ts), so it is the same on every backend.
 */

/** What `--json` carries for one result. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 200;

export function encodeResult(value: unknown): JsonValue {
  return encode(value, [], 0);
}

function tag(type: string, value?: JsonValue): JsonValue {
  return value === undefined ? { type } : { type, value };
}

function encode(value: unknown, stack: object[], depth: number): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return tag('number', Object.is(value, -0) ? '-0' : String(value));
    case 'undefined':
      return tag('undefined');
    case 'bigint':
      return tag('BigInt', value.toString());
    case 'symbol':
      // Cannot arrive (structured clone refuses symbols); kept total for callers that encode raw values.
      return tag('Symbol', value.description ?? null);
    case 'function':
      return tag('Function', value.name);
    case 'object':
      break;
  }
  if (value === null) return null;
  if (stack.includes(value)) return tag('Circular');
  if (depth >= MAX_DEPTH) return tag('TooDeep');
  stack.push(value);
  try {
    return encodeObject(value, stack, depth + 1);
  } finally {
    stack.pop();
  }
}

function encodeObject(value: object, stack: object[], depth: number): JsonValue {
  const enc = (v: unknown): JsonValue => encode(v, stack, depth);
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = i in value ? enc(value[i]) : tag('hole');
    return out;
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = (): number[] => Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    if (value instanceof DataView) return tag('DataView', bytes());
    const name = Buffer.isBuffer(value) ? 'Uint8Array' : value.constructor.name;
    const items = Array.from(value as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x.toString() : enc(x)));
    return tag(name, items);
  }
  if (value instanceof ArrayBuffer) return tag('ArrayBuffer', Array.from(new Uint8Array(value)));
  if (value instanceof Map) return tag('Map', Array.from(value, ([k, v]) => [enc(k), enc(v)]));
  if (value instanceof Set) return tag('Set', Array.from(value, (v) => enc(v)));
  if (value instanceof Date) return tag('Date', Number.isNaN(value.getTime()) ? null : value.toISOString());
  if (value instanceof RegExp) return tag('RegExp', { source: value.source, flags: value.flags });
  if (value instanceof Error) {
    // No stack: it names the frames that ran the task, which differ by backend; the value is the same everywhere.
    const error: { [key: string]: JsonValue } = { name: String(value.name), message: String(value.message) };
    const cause = (value as { cause?: unknown }).cause;
    if (cause !== undefined) error.cause = enc(cause);
    return tag('Error', error);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) {
    return tag('Boxed', enc(value.valueOf()));
  }
  const out: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
  const keys = Object.keys(value);
  for (const key of keys) out[key] = enc((value as Record<string, unknown>)[key]);
  return looksLikeTag(keys, out) ? tag('Object', out) : out;
}

function looksLikeTag(keys: string[], out: { [key: string]: JsonValue }): boolean {
  return typeof out.type === 'string' && keys.every((k) => k === 'type' || k === 'value');
}
