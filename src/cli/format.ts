/** Plain-text layout for the terminal: aligned tables. Numbers and clipping: src/common/format.ts. */

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
