// Fixture for the extension-API suite. Line numbers matter: the diagnostics
// test expects the throw in `failOnTwo` on line 11 (1-based).
import { setTimeout as sleep } from 'node:timers/promises';

export function square(x: number): number {
  return x * x;
}

export function failOnTwo(x: number): number {
  if (x === 2) {
    throw new RangeError(`two is not allowed (got ${x})`);
  }
  return x;
}

/** Busy for `ms` milliseconds: CPU-bound, holds its thread. */
export function spin(ms: number): number {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}

export async function nap(ms: number): Promise<number> {
  await sleep(ms);
  return ms;
}

export function shout(text: string): string {
  console.log(`shouting ${text}`);
  return text.toUpperCase();
}

export function failOnOdd(x: number): number {
  if (x % 2 === 1) throw new RangeError(`odd input ${x}`);
  return x;
}
