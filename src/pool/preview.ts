/**
 * Short human-readable previews (≤ 120 chars) of task arguments and results.
 *
 * Runs once or twice per task, so it must be cheap: primitives take a fast
 * path, containers are walked only until the budget is spent (no full
 * JSON.stringify of a large array).
 */
export const PREVIEW_MAX = 120;

export function previewValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'string':
      return value.length + 2 <= PREVIEW_MAX ? `"${value}"` : `"${value.slice(0, PREVIEW_MAX - 3)}…`;
    default: {
      const out: string[] = [];
      write(value, out, { left: PREVIEW_MAX });
      const text = out.join('');
      return text.length <= PREVIEW_MAX ? text : text.slice(0, PREVIEW_MAX - 1) + '…';
    }
  }
}

/** Preview of an argument list, without the surrounding brackets: `1, "a", {x: 2}`. */
export function previewArgs(args: unknown[]): string {
  if (args.length === 1) return previewValue(args[0]);
  if (args.length === 0) return '';
  const out: string[] = [];
  const budget = { left: PREVIEW_MAX };
  for (let i = 0; i < args.length && budget.left > 0; i++) {
    if (i > 0) put(', ', out, budget);
    write(args[i], out, budget);
  }
  const text = out.join('');
  return text.length <= PREVIEW_MAX ? text : text.slice(0, PREVIEW_MAX - 1) + '…';
}

function put(s: string, out: string[], budget: { left: number }): void {
  out.push(s);
  budget.left -= s.length;
}

function write(value: unknown, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (value === null) return put('null', out, budget);
  switch (typeof value) {
    case 'object':
      break;
    case 'string':
      return put(`"${value.length > budget.left ? value.slice(0, budget.left) : value}"`, out, budget);
    case 'function':
      return put(`[Function ${value.name || 'anonymous'}]`, out, budget);
    case 'symbol':
      return put(value.toString(), out, budget);
    default:
      return put(String(value), out, budget);
  }
  if (Array.isArray(value)) {
    put('[', out, budget);
    for (let i = 0; i < value.length && budget.left > 0; i++) {
      if (i > 0) put(', ', out, budget);
      write(value[i], out, budget);
    }
    return put(']', out, budget);
  }
  if (ArrayBuffer.isView(value)) return put(`${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`, out, budget);
  if (value instanceof Map) return put(`Map(${value.size})`, out, budget);
  if (value instanceof Set) return put(`Set(${value.size})`, out, budget);
  if (value instanceof Date) return put(value.toISOString(), out, budget);
  if (value instanceof Error) return put(`${value.name}: ${value.message}`, out, budget);
  const proto = Object.getPrototypeOf(value) as object | null;
  const ctor = proto && proto !== Object.prototype ? (proto.constructor as { name?: string } | undefined)?.name : undefined;
  put(ctor ? `${ctor} {` : '{', out, budget);
  let first = true;
  for (const key in value as Record<string, unknown>) {
    if (budget.left <= 0) break;
    if (!first) put(', ', out, budget);
    first = false;
    put(`${key}: `, out, budget);
    write((value as Record<string, unknown>)[key], out, budget);
  }
  put('}', out, budget);
}
