/**
 * Task inputs as the user types them: a JSON array, `@file.json`, or
 * `range(a, b[, step])`. Each element of a JSON array is one task: an array
 * element is that task's argument list, anything else its single argument
 * (so `[1, 2, 3]` is three calls `f(1)`, `f(2)`, `f(3)` and `[[1, 2]]` is one
 * call `f(1, 2)`). To pass one array as a single argument, wrap it: `[[[1, 2]]]`.
 *
 * `parseInputText` is pure (no file system) so the extension can validate as
 * the user types; `loadInputs` also reads `@file.json`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalidInputs } from './errors.js';

/** Upper bound on tasks made by `range()`, so a typo cannot allocate without bound. */
export const MAX_RANGE_LENGTH = 1_000_000;
/**
 * How deep inputs may nest (arrays and objects inside one another; the list of tasks is level 1). Deeper values
 * would overflow the stack of the code that previews, copies and reports them.
 */
export const MAX_INPUT_DEPTH = 64;

/** The result of parsing inputs: the argument lists, or a message saying what is wrong. */
export type ParsedInputs =
  | { ok: true; inputs: unknown[][] }
  | { ok: false; error: string };

const RANGE = /^range\s*\(([^)]*)\)$/;

/**
 * Parses inputs text (JSON array or `range(…)`); `@file` is reported as not
 * resolvable here — use {@link loadInputs} for that.
 *
 * @example parseInputText('range(0, 6, 2)') // { ok: true, inputs: [[0], [2], [4]] }
 * @example parseInputText('[[1, 2], 3]')     // { ok: true, inputs: [[1, 2], [3]] }
 */
export function parseInputText(text: string): ParsedInputs {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'inputs are empty: give a JSON array like [1, 2, 3], range(0, 10) or @inputs.json' };
  if (trimmed.startsWith('@')) return { ok: false, error: 'an @file must be read with loadInputs()' };
  const range = RANGE.exec(trimmed);
  if (range) return parseRange(range[1]);
  if (trimmed.startsWith('range')) return { ok: false, error: `bad range: expected range(start, stop[, step]), got ${trimmed}` };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    return { ok: false, error: `inputs are not valid JSON: ${(e as Error).message}` };
  }
  return fromJsonValue(value);
}

/** Turns a parsed JSON value into argument lists (see the module comment). */
export function fromJsonValue(value: unknown): ParsedInputs {
  if (!Array.isArray(value)) {
    return { ok: false, error: `inputs must be a JSON array (one element per task), got ${value === null ? 'null' : typeof value}` };
  }
  if (nestedDeeperThan(value, MAX_INPUT_DEPTH)) {
    return { ok: false, error: `inputs nest more than ${MAX_INPUT_DEPTH} levels deep (arrays or objects inside one another)` };
  }
  return { ok: true, inputs: value.map((v) => (Array.isArray(v) ? v : [v])) };
}

/**
 * Parses inputs including `@path/to/file.json` (relative to `baseDir`).
 * @throws RunnerError named `InvalidInputs` with a message saying what is wrong.
 */
export function loadInputs(spec: string, baseDir: string = process.cwd()): unknown[][] {
  const trimmed = spec.trim();
  let parsed: ParsedInputs;
  if (trimmed.startsWith('@')) {
    const path = resolve(baseDir, trimmed.slice(1));
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw invalidInputs(`cannot read inputs file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      parsed = fromJsonValue(JSON.parse(text));
    } catch (e) {
      throw invalidInputs(`inputs file ${path} is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    parsed = parseInputText(trimmed);
  }
  if (!parsed.ok) throw invalidInputs(parsed.error);
  return parsed.inputs;
}

/** True when `value` has containers nested more than `limit` deep. Iterative: the check itself cannot overflow. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length !== 0) {
    const [v, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push([item, depth + 1]);
    } else {
      for (const key in v as Record<string, unknown>) {
        const item = (v as Record<string, unknown>)[key];
        if (typeof item === 'object' && item !== null) stack.push([item, depth + 1]);
      }
    }
  }
  return false;
}

function parseRange(argText: string): ParsedInputs {
  const parts = argText.split(',').map((s) => s.trim());
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => !/^-?\d+$/.test(p))) {
    return { ok: false, error: `bad range: expected integers range(stop), range(start, stop) or range(start, stop, step), got range(${argText})` };
  }
  const n = parts.map(Number);
  // Beyond 2^53 consecutive integers are no longer distinct numbers: range() would repeat inputs.
  const unsafe = n.find((x) => !Number.isSafeInteger(x));
  if (unsafe !== undefined) {
    return { ok: false, error: `bad range: ${parts[n.indexOf(unsafe)]} is outside the safe integer range (±${Number.MAX_SAFE_INTEGER})` };
  }
  // Python's semantics: range(stop) starts at 0.
  const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
  if (step === 0) return { ok: false, error: 'bad range: step must not be 0' };
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > MAX_RANGE_LENGTH) return { ok: false, error: `range too long: ${length} tasks (at most ${MAX_RANGE_LENGTH})` };
  const inputs: unknown[][] = new Array(length);
  for (let i = 0; i < length; i++) inputs[i] = [start + i * step];
  return { ok: true, inputs };
}

/** Inputs `f(start)`, `f(start + step)` … (`count` calls): what `range()` makes, sent and held as three numbers. */
export interface InputRange {
  start: number;
  step: number;
  count: number;
}

/**
 * Argument lists the runner reads one at a time, so a million inputs need not be sent, held or queued at once.
 * `at(i)` is the i-th task's argument list.
 */
export interface InputSource {
  readonly length: number;
  at(i: number): unknown[];
}

/** The inputs of a request: the explicit list, or the range it describes. */
export function inputSource(inputs: unknown[][] | undefined, range: InputRange | undefined): InputSource {
  if (range !== undefined) {
    const { start, step, count } = range;
    if (![start, step, count].every(Number.isSafeInteger) || count < 0 || count > MAX_RANGE_LENGTH) {
      throw invalidInputs(`bad input range: start ${start}, step ${step}, count ${count}`);
    }
    return { length: count, at: (i) => [start + i * step] };
  }
  const list = inputs ?? [];
  return { length: list.length, at: (i) => list[i] };
}

/**
 * Inputs as the runner request carries them: an arithmetic sequence of single integers (what `range()` gives,
 * or a JSON array like [0, 1, 2 …]) becomes an {@link InputRange} of three numbers instead of a list of lists
 * (a million one-element arrays cost the parent, the IPC channel and the runner hundreds of MB and seconds).
 */
export function compactInputs(inputs: unknown[][]): { inputs: unknown[][] } | { inputRange: InputRange } {
  const n = inputs.length;
  if (n < 2) return { inputs };
  const first = inputs[0];
  const second = inputs[1];
  if (first.length !== 1 || second.length !== 1 || !Number.isSafeInteger(first[0]) || !Number.isSafeInteger(second[0])) return { inputs };
  const start = first[0] as number;
  const step = (second[0] as number) - start;
  for (let i = 0; i < n; i++) {
    const args = inputs[i];
    if (args.length !== 1 || args[0] !== start + i * step || Object.is(args[0], -0)) return { inputs };
  }
  return { inputRange: { start, step, count: n } };
}
