/**
 * Percentile by selection (quickselect), O(n) on average, so live summaries
 * stay linear in the number of tasks. Nearest-rank definition: the smallest
 * value with at least `q` of the values ≤ it.
 */

/** The `q`-quantile (0…1) of `values` (nearest rank); 0 for an empty list. Does not modify `values`. */
export function percentile(values: readonly number[], q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return select(Float64Array.from(values), rank);
}

/** The k-th smallest element (0-based) of `a`; reorders `a`. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // Median of three guards against sorted input, common for queue waits.
    const mid = (lo + hi) >>> 1;
    const pivot = medianOf3(a[lo], a[mid], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function medianOf3(x: number, y: number, z: number): number {
  if (x < y) {
    if (y < z) return y;
    return x < z ? z : x;
  }
  if (x < z) return x;
  return y < z ? z : y;
}
