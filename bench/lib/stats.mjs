// Small, exact statistics for noisy samples: medians, not means.

export function median(xs) {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of `xs`; NaN for no samples. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

export function round(x, digits = 2) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A small seeded PRNG (mulberry32): the bench's resampling gives the same interval for the same samples. */
export function seededRandom(seed = 1) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Percentile interval of `statistic` over cluster-bootstrap resamples: `clusters` is a list of sample lists
 * (e.g. the rounds of one epoch: rounds of the same pool instances are not independent, epochs are), drawn
 * with replacement `reps` times; each resample's samples are concatenated and given to `statistic`.
 * Returns [low, high] for `level` (0.95: the 2.5th and 97.5th percentiles).
 */
export function bootstrapInterval(clusters, statistic, { reps = 1000, level = 0.95, random = seededRandom() } = {}) {
  if (clusters.length === 0) return [NaN, NaN];
  const stats = new Array(reps);
  for (let r = 0; r < reps; r++) {
    const sample = [];
    for (let i = 0; i < clusters.length; i++) sample.push(...clusters[Math.floor(random() * clusters.length)]);
    stats[r] = statistic(sample);
  }
  const tail = ((1 - level) / 2) * 100;
  return [percentile(stats, tail), percentile(stats, 100 - tail)];
}
