/**
 * Per-worker memory limits: the default, and what V8's own heap limit misses.
 *
 * V8's heap limit (`resourceLimits` on a thread, `--max-old-space-size` on a
 * process) bounds JavaScript objects only. Buffers, ArrayBuffers and typed
 * arrays live outside the heap ("external" memory): a task can hold gigabytes
 * of them under a 50 MiB heap limit. So the places where task code allocates
 * them are counted here — `Buffer.alloc*`, `Buffer.from`, `Buffer.concat`,
 * the `ArrayBuffer`, `SharedArrayBuffer` and typed-array constructors (also
 * through `.slice()`/`.map()`, which construct through `.constructor`) —
 * and every few MiB the thread's heap plus external memory is compared with
 * the limit. Past it (after a garbage collection, so garbage is never
 * blamed) the allocating call throws `MemoryLimitExceeded`: synchronously,
 * inside the task that grew it, so that task fails and nothing else does.
 *
 * What is not counted here: memory a native addon or a Node internal
 * allocates without going through those calls. A process worker's RSS is
 * watched from the pool as well (worker-set.ts), which covers it there.
 * Counting is per thread (each worker thread has its own heap and
 * ArrayBuffer allocator; patches apply to the thread that installs them).
 */
import { totalmem } from 'node:os';
import { memoryLimitExceeded } from './errors.js';

const MiB = 1024 * 1024;
/** The default never goes below this per worker, however many workers share the machine. */
export const MIN_DEFAULT_MEMORY_MB = 256;
/** …nor above this: a runaway allocation must fail within seconds, not after minutes of garbage collection. */
export const MAX_DEFAULT_MEMORY_MB = 2048;

/**
 * The per-worker limit when none was given: half of the machine's memory shared by the workers, at least
 * MIN_DEFAULT_MEMORY_MB and at most MAX_DEFAULT_MEMORY_MB each (2 workers on a 24 GiB machine: 2048 MiB).
 */
export function defaultMemoryLimitMb(workers: number, totalBytes = totalmem()): number {
  const share = Math.floor(totalBytes / MiB / 2 / Math.max(1, workers));
  return Math.min(MAX_DEFAULT_MEMORY_MB, Math.max(MIN_DEFAULT_MEMORY_MB, share));
}

/** Heap limit to give V8 on a process worker whose RSS is watched against `limitMb`: the watch should act first. */
export function processHeapLimitMb(limitMb: number): number {
  return limitMb + 64;
}

interface Scope {
  limitMb: number;
  limitBytes: number;
  /** Whether the code running now is counted (serial: only inside a task). */
  active: () => boolean;
}

const scopes: Scope[] = [];
let installed = false;
/** Bytes asked for since the last look at the real figures. */
let pending = 0;
/** Look at the real figures every this many bytes (a look costs ~20 µs). */
let step = MiB;
let gc: (() => void) | undefined | null;

/**
 * Counts this thread's Buffers/ArrayBuffers/typed arrays against `limitMb` while `active()` is true. Patches
 * the allocating functions of this thread once; returns a function that stops this limit.
 */
export function guardMemory(limitMb: number, active: () => boolean = () => true): () => void {
  if (!(limitMb > 0) || !Number.isFinite(limitMb)) return () => undefined;
  const scope: Scope = { limitMb, limitBytes: limitMb * MiB, active };
  scopes.push(scope);
  step = Math.max(MiB, Math.min(...scopes.map((s) => s.limitBytes)) / 64);
  if (!installed) install();
  return () => {
    const i = scopes.indexOf(scope);
    if (i >= 0) scopes.splice(i, 1);
  };
}

/** This thread's heap plus external memory (ArrayBuffers, Buffers, external strings), in bytes. */
function usedBytes(): { heap: number; external: number } {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external };
}

/** A builtin module loaded on demand (this file is bundled both as CommonJS and as ESM). */
function builtin<T>(name: string): T {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (get ? get(name) : require(name)) as T;
}

function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // Loaded only past the limit: node:v8 and node:vm cost a worker time at start-up.
      builtin<typeof import('node:v8')>('node:v8').setFlagsFromString('--expose-gc');
      gc = builtin<typeof import('node:vm')>('node:vm').runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/** A worker that still holds this much of its limit after a MemoryLimitExceeded has no room left for the next task. */
const HELD_FRACTION = 0.75;

/**
 * Whether this thread still holds most of `limitMb` (HELD_FRACTION) after a garbage collection (a task that failed with
 * MemoryLimitExceeded may have kept what it allocated, e.g. in a module-level array).
 */
export function heldPastLimit(limitMb: number): boolean {
  collectGarbage();
  const used = usedBytes();
  return used.heap + used.external > limitMb * MiB * HELD_FRACTION;
}

function activeScope(): Scope | undefined {
  for (const scope of scopes) if (scope.active()) return scope;
  return undefined;
}

/**
 * Counts `bytes` task code is about to allocate (`already`: has just allocated); throws MemoryLimitExceeded
 * when the thread would hold more than its limit.
 */
function note(bytes: number, already = false): void {
  if (!(bytes > 0) || scopes.length === 0) return;
  pending += bytes;
  if (pending < step) return;
  pending = 0;
  const scope = activeScope();
  if (!scope) return;
  const extra = already ? 0 : bytes;
  let used = usedBytes();
  if (used.heap + used.external + extra <= scope.limitBytes) return;
  collectGarbage();
  used = usedBytes();
  if (used.heap + used.external + extra <= scope.limitBytes) return;
  const mb = (n: number): number => Math.round(n / MiB);
  throw memoryLimitExceeded(scope.limitMb,
    `heap ${mb(used.heap)} MiB + ArrayBuffers and Buffers ${mb(used.external)} MiB${extra ? `, and ${mb(extra)} MiB more asked for` : ''}`);
}

function isBufferSource(value: unknown): boolean {
  return value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer);
}

const TYPED_ARRAYS = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
] as const;

function install(): void {
  installed = true;
  const buffer = Buffer as unknown as Record<string, (...args: unknown[]) => Buffer>;
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow']) {
    const original = buffer[name];
    if (typeof original !== 'function') continue;
    buffer[name] = {
      [name](size: unknown, ...rest: unknown[]): Buffer {
        note(Number(size));
        return original.call(Buffer, size, ...rest);
      },
    }[name];
  }
  for (const name of ['from', 'concat']) {
    const original = buffer[name];
    if (typeof original !== 'function') continue;
    buffer[name] = {
      [name](...args: unknown[]): Buffer {
        const out = original.apply(Buffer, args);
        // Buffer.from(arrayBuffer) is a view over memory that exists already.
        if (!isBufferSource(args[0])) note(out.length, true);
        return out;
      },
    }[name];
  }
  const global = globalThis as unknown as Record<string, unknown>;
  const wrap = (name: string, bytesUpFront: (args: unknown[], perElement: number) => number): void => {
    const original = global[name] as (new (...args: unknown[]) => { byteLength: number }) & { BYTES_PER_ELEMENT?: number; prototype: object };
    if (typeof original !== 'function') return;
    const perElement = original.BYTES_PER_ELEMENT ?? 1;
    const proxy: typeof original = new Proxy(original, {
      construct(target, args, newTarget) {
        const bytes = bytesUpFront(args, perElement);
        if (bytes > 0) note(bytes);
        const out = Reflect.construct(target, args, newTarget) as { byteLength: number };
        if (bytes < 0) note(out.byteLength, true);
        return out;
      },
    });
    global[name] = proxy;
    // `.slice()`, `.map()`, `.filter()` … construct through `.constructor` (species): through the proxy too.
    Object.defineProperty(original.prototype, 'constructor', { value: proxy, writable: true, configurable: true, enumerable: false });
  };
  // new ArrayBuffer(n): n bytes.
  wrap('ArrayBuffer', (args) => Number(args[0]) || 0);
  wrap('SharedArrayBuffer', (args) => Number(args[0]) || 0);
  // new Uint8Array(n): n elements; (buffer, …): a view, nothing new; (array-like | iterable): counted after.
  for (const name of TYPED_ARRAYS) {
    wrap(name, (args, perElement) => {
      const first = args[0];
      if (typeof first === 'number') return first * perElement;
      if (first === undefined || first === null || isBufferSource(first)) return 0;
      return -1;
    });
  }
}
