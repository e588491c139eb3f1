export function burn(n: number): number {
  // CPU-bound on purpose: spins for n × 5 ms, so it scales across threads and
  // processes but not on the one event-loop thread.
  const end = Date.now() + n * 5;
  let spins = 0;
  while (Date.now() < end) spins++;
  return spins;
}

export function explode(n: number): number {
  if (n % 2 === 1) throw new RangeError(`odd input ${n} is not allowed`);
  return n * 2;
}
