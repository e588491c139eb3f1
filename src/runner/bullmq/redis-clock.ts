/**
 * This process's clock against the Redis server's: `TIME` round trips, the
 * one with the shortest round trip wins (its midpoint is the best estimate).
 * Every PoolScope process of a bullmq run measures its own offset, so times
 * from any host land on the run's clock.
 */

/** The part of an ioredis client this needs. */
export interface TimeClient {
  time(): Promise<[string, string] | (string | number)[]>;
}

export interface ClockOffset {
  /** local − Redis, µs. */
  offsetUs: number;
  rttUs: number;
}

/** Measures `local() − Redis TIME` with `rounds` round trips. `local` returns µs. */
export async function measureRedisOffset(client: TimeClient, local: () => number, rounds = 7): Promise<ClockOffset> {
  let best: ClockOffset | undefined;
  for (let i = 0; i < rounds; i++) {
    const t0 = local();
    const [s, us] = await client.time();
    const t1 = local();
    const redisUs = Number(s) * 1e6 + Number(us);
    const rtt = t1 - t0;
    if (!best || rtt < best.rttUs) best = { offsetUs: (t0 + t1) / 2 - redisUs, rttUs: rtt };
  }
  return best!;
}

/** High-resolution wall clock, µs since the epoch. */
export function epochUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}
