/**
 * How busy one worker lane was over time, at a coarse resolution, from its task starts and ends alone —
 * without pairing a start with its end. The timeline paints a large trace's first frame from it while the
 * trace's rows are still being folded into the model's columns (trace-model.ts: `addColumns(…, { defer })`).
 *
 * Time is cut into bins of `width` µs from `origin`. The busy time of a bin (Σ over tasks of the part of
 * [start, end) inside it) is exact at any bin width: each start adds the time from it to its bin's right edge
 * (`a[k]`) and one task to every later bin (`d[k]`, summed when read); each end takes the same away. When a time
 * falls past the last bin, neighbouring bins merge in pairs (the width doubles), still exact; so a run of any
 * length keeps between BINS/2 and BINS bins.
 */

/** Bins a sketch holds at most by default (its resolution is at least half of it over the lane's time). */
export const SKETCH_BINS = 4096;
/** Bins of all the lanes of one run together, at most (a run of thousands of workers gets fewer bins a lane). */
export const SKETCH_BINS_PER_RUN = 1 << 20;
/** A lane's bins never fewer than this. */
export const MIN_SKETCH_BINS = 256;

/** Bins a lane's sketch gets in a run of `lanes` lanes: a power of two, MIN_SKETCH_BINS…SKETCH_BINS. */
export function sketchBinsFor(lanes: number): number {
  let bins = SKETCH_BINS;
  while (bins > MIN_SKETCH_BINS && bins * Math.max(1, lanes) > SKETCH_BINS_PER_RUN) bins /= 2;
  return bins;
}

export class BusySketch {
  /** Run-clock µs of bin 0's left edge. */
  readonly origin: number;
  /** µs per bin (a power of two times the starting width). */
  width: number;
  /** Bins it holds (a power of two). */
  readonly capacity: number;
  /** Per bin: Σ (right edge − start) over starts in it, minus the same over ends in it. */
  readonly #a: Float64Array;
  /** Per bin: starts in it minus ends in it. */
  readonly #d: Float64Array;
  /** Per bin: failed task ends in it. */
  readonly #failed: Uint32Array;
  /** Bins in use (the highest touched + 1). */
  #used = 0;
  /** Bumped on every change (readers cache the prefix sums by it). */
  version = 0;
  #cum: Float64Array | undefined;
  #cumVersion = -1;

  constructor(origin: number, width = 1, capacity = SKETCH_BINS) {
    this.origin = origin;
    this.width = width > 0 ? width : 1;
    let bins = MIN_SKETCH_BINS;
    while (bins < capacity && bins < SKETCH_BINS) bins *= 2;
    this.capacity = bins;
    this.#a = new Float64Array(bins);
    this.#d = new Float64Array(bins);
    this.#failed = new Uint32Array(bins);
  }

  /** Bins in use. */
  get bins(): number {
    return this.#used;
  }

  #bin(t: number): number {
    let k = Math.floor((t - this.origin) / this.width);
    if (!(k >= 0)) k = 0; // before the origin (or NaN): the first bin
    while (k >= this.capacity) {
      this.#double();
      k = Math.floor((t - this.origin) / this.width);
    }
    if (k >= this.#used) this.#used = k + 1;
    return k;
  }

  /** Bins 2j and 2j+1 become bin j of twice the width (an event in 2j is now a width further from its right edge). */
  #double(): void {
    const a = this.#a;
    const d = this.#d;
    const f = this.#failed;
    const w = this.width;
    const half = this.capacity / 2;
    for (let j = 0; j < half; j++) {
      const l = 2 * j;
      const r = l + 1;
      a[j] = a[l] + w * d[l] + a[r];
      d[j] = d[l] + d[r];
      f[j] = f[l] + f[r];
    }
    a.fill(0, half);
    d.fill(0, half);
    f.fill(0, half);
    this.width = 2 * w;
    this.#used = Math.ceil(this.#used / 2);
  }

  /** A task started at `t` on this lane. */
  start(t: number): void {
    const tt = t < this.origin ? this.origin : t;
    const k = this.#bin(tt);
    this.#a[k] += this.origin + (k + 1) * this.width - tt;
    this.#d[k] += 1;
    this.version++;
  }

  /** A task ended at `t` on this lane (`failed`: not ok; its bin is marked). */
  end(t: number, failed = false): void {
    const tt = t < this.origin ? this.origin : t;
    const k = this.#bin(tt);
    this.#a[k] -= this.origin + (k + 1) * this.width - tt;
    this.#d[k] -= 1;
    if (failed) this.#failed[k]++;
    this.version++;
  }

  /** Busy µs of bin k (tasks still running count up to the bin's right edge). */
  binBusy(k: number): number {
    return this.#cumulative()[k + 1] - this.#cumulative()[k];
  }

  /** Failed task ends in bin k. */
  binFailed(k: number): number {
    return k >= 0 && k < this.#used ? this.#failed[k] : 0;
  }

  /** Σ busy µs before each bin edge: cum[k] = busy time in [origin, origin + k·width). */
  #cumulative(): Float64Array {
    if (this.#cum && this.#cumVersion === this.version) return this.#cum;
    const n = this.#used;
    const cum = this.#cum ?? new Float64Array(this.capacity + 1);
    let open = 0;
    let sum = 0;
    cum[0] = 0;
    for (let k = 0; k < n; k++) {
      sum += this.#a[k] + open * this.width;
      open += this.#d[k];
      cum[k + 1] = sum;
    }
    cum.fill(sum, n + 1);
    this.#cum = cum;
    this.#cumVersion = this.version;
    return cum;
  }

  /** Busy µs in [a, b) (run clock): exact at bin edges, spread evenly inside a bin. */
  busyIn(a: number, b: number): number {
    if (!(b > a)) return 0;
    const cum = this.#cumulative();
    return this.#at(cum, b) - this.#at(cum, a);
  }

  /** Any failed task ended in [a, b). */
  failedIn(a: number, b: number): boolean {
    const k0 = Math.max(0, Math.floor((a - this.origin) / this.width));
    const k1 = Math.min(this.#used - 1, Math.floor((b - this.origin) / this.width));
    for (let k = k0; k <= k1; k++) if (this.#failed[k]) return true;
    return false;
  }

  #at(cum: Float64Array, t: number): number {
    const x = (t - this.origin) / this.width;
    if (x <= 0) return 0;
    if (x >= this.#used) return cum[this.#used];
    const k = Math.floor(x);
    return cum[k] + (cum[k + 1] - cum[k]) * (x - k);
  }
}
