/** Human-readable numbers for the timeline, the CLI and the reports: durations from µs, counts, ratios. One formatter for all. */

/** Formats a duration given in microseconds with a unit that keeps 3 significant digits ("820 µs", "12.4 ms", "3.20 s"). */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const a = Math.abs(us);
  if (a < 1000) return `${round(us, a < 10 ? 1 : 0)} µs`;
  if (a < 1e6) return `${round(us / 1000, a < 1e4 ? 2 : a < 1e5 ? 1 : 0)} ms`;
  if (a < 60e6) return `${round(us / 1e6, a < 1e7 ? 2 : 1)} s`;
  const min = Math.floor(a / 60e6);
  return `${us < 0 ? '-' : ''}${min} min ${Math.round((a - min * 60e6) / 1e6)} s`;
}

function round(v: number, digits: number): string {
  return v.toFixed(digits);
}

/** One formatter for every count: `toLocaleString` builds a new one per call, which shows in live-run profiles. */
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "1,234,567" */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? COUNT_FORMAT.format(Math.round(n)) : '–';
}

/** "1.93×" from a ratio; undefined → "–". */
export function formatSpeedup(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`;
}

/** "87%" from a 0…1 ratio; undefined → "–". */
export function formatPercent(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? '–' : `${Math.round(r * 100)}%`;
}

/** "12,345 tasks/s" */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  return `${perSecond >= 100 ? formatCount(perSecond) : perSecond.toFixed(perSecond >= 10 ? 1 : 2)} tasks/s`;
}

/**
 * Tick labels for a time axis whose domain is in µs: the unit follows the
 * visible span, the decimals follow the tick step (`ticks` across the span),
 * so neighbouring ticks never read the same at any zoom.
 */
export function axisTickFormatter(spanUs: number, ticks = 5): (us: number) => string {
  const step = Math.max(1e-9, spanUs / Math.max(1, ticks));
  const digitsFor = (unitUs: number) => Math.min(6, Math.max(0, Math.ceil(-Math.log10(step / unitUs) - 1e-9)));
  if (spanUs < 2_000) {
    const digits = digitsFor(1);
    return (us) => `${(Math.abs(us) < 0.5 * 10 ** -digits ? 0 : us).toFixed(digits)} µs`;
  }
  if (spanUs < 2_000_000) {
    const digits = Math.max(spanUs < 20_000 ? 2 : spanUs < 200_000 ? 1 : 0, digitsFor(1000));
    return (us) => `${(us / 1000).toFixed(digits)} ms`;
  }
  const digits = Math.max(spanUs < 20e6 ? 2 : 1, digitsFor(1e6));
  return (us) => `${(us / 1e6).toFixed(digits)} s`;
}

/** Shortens a preview for one-line display. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
