/**
 * The runs of a compare (`poolscope compare`, the editor's Compare), for the Node runner (run-session.ts) and
 * the Python one (python/session.ts): every backend once per round, `repeat` rounds interleaved so a change in
 * the machine's load hits every backend alike; all runs on one clock (`originUs`), each round its own compare
 * id, so speed-ups are against the serial run of the same round.
 */
import { randomUUID } from 'node:crypto';
import { monotonicUs } from '../pool/clock.js';

/** What a compare's run-start carries. */
export interface CompareShared {
  originUs: number;
  compareId: string;
  label: string;
}

export function* compareRuns<B extends string>(backends: readonly B[], repeat = 1): Generator<{ backend: B; shared: CompareShared }> {
  const originUs = monotonicUs();
  const compareId = randomUUID().slice(0, 8);
  const rounds = Math.max(1, repeat);
  for (let round = 1; round <= rounds; round++) {
    for (const [i, backend] of backends.entries()) {
      const label = `compare ${i + 1}/${backends.length} · ${backend}${rounds > 1 ? ` · round ${round}/${rounds}` : ''}`;
      yield { backend, shared: { originUs, compareId: rounds > 1 ? `${compareId}-${round}` : compareId, label } };
    }
  }
}
