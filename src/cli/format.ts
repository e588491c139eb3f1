/** Plain-text formatting for the terminal: durations, ratios, aligned tables. */

/** 1234.5 µs → "1.23 ms", 2_500_000 µs → "2.50 s". */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '–';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** 1.934 → "1.93×"; undefined → "–". */
export function formatRatio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`;
}

/** 0.9512 → "95%"; undefined → "–". */
export function formatPercent(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${Math.round(x * 100)}%`;
}

/**
 * An aligned table with a header row: text columns left-aligned, columns
 * whose cells all look numeric right-aligned.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-–\d.,]+\s*(µs|ms|s|×|%)?$/.test(r[i] ?? '')));
  const line = (cells: readonly string[]): string =>
    indent + cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Shortens `text` to at most `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
