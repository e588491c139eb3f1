/**
 * The self-contained HTML report (the CLI's `--html`): one file with the
 * timeline bundle, its CSS and the trace, that opens from disk in any browser
 * with no network and no server.
 *
 * Security: a strict CSP in a `<meta>` element — `default-src 'none'`, the
 * one inline script and the one inline style allowed by their SHA-256 hashes
 * (deterministic, so the same trace gives the same file). The trace travels
 * as a `<script type="application/json">` data block (never executed, so the
 * CSP does not need to allow it), escaped by the webview's own
 * `escapeEmbeddedJson` (`<`, `>` and `&`) so no `</script>` in a preview can
 * end the element. Written in chunks ({@link htmlReportChunks}): a million
 * tasks are more text than one JS string can hold.
 */
import type { TraceEvent } from './events.js';
import { createHash } from 'node:crypto';
import { EMBEDDED_TRACE_ELEMENT_ID, escapeEmbeddedJson } from './embedded-trace.js';
import { summarizeRuns, traceFindings } from './stats.js';
import { TraceStore } from './trace-store.js';

export { EMBEDDED_TRACE_ELEMENT_ID };

export interface HtmlReportInput {
  events: readonly TraceEvent[];
  /** Contents of dist/webview.js (the timeline bundle). */
  webviewJs: string;
  /** The timeline's stylesheet. */
  css?: string;
  /** Page title and heading, e.g. "demo.ts · fib × 16". @default 'PoolScope trace' */
  title?: string;
  /** Markup placed before the scripts in `<body>` (the bundle builds its UI itself when omitted). */
  bodyHtml?: string;
}

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Keeps an inline script or style from ending its element early: `</script`
 * or `</style` inside it would close the element. `<\/` means the same in JS
 * strings, regexes and comments, and CSS never needs `</`.
 */
function neutralizeClosingTags(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

/** The CSP source expression for an inline element with this exact text: `'sha256-…'`. */
export function cspHashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The Content-Security-Policy the report uses for these exact inline texts. */
export function reportCsp(scriptText: string, styleText: string | undefined): string {
  return [
    "default-src 'none'",
    `script-src ${cspHashSource(scriptText)}`,
    styleText !== undefined ? `style-src ${cspHashSource(styleText)}` : "style-src 'none'",
    'img-src data: blob:',
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Builds the report: one HTML string with everything inline. */
export function buildHtmlReport(input: HtmlReportInput): string {
  const { events, ...rest } = input;
  return [...htmlReportChunks({ ...rest, store: TraceStore.of(events) })].join('');
}

export interface HtmlReportStreamInput extends Omit<HtmlReportInput, 'events'> {
  store: TraceStore;
}

/** The report as {@link buildHtmlReport} makes it, in chunks (text-chunks.ts): for a trace of any size. */
export function* htmlReportChunks(input: HtmlReportStreamInput): Generator<string> {
  const title = input.title ?? 'PoolScope trace';
  const script = neutralizeClosingTags(input.webviewJs, 'script');
  const style = input.css !== undefined ? neutralizeClosingTags(input.css, 'style') : undefined;
  yield [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(reportCsp(script, style))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="PoolScope">',
    `<title>${escapeHtml(title)}</title>`,
    style !== undefined ? `<style>${style}</style>` : '',
    '</head>',
    '<body class="poolscope-report">',
    input.bodyHtml ?? '',
    `<script type="application/json" id="${EMBEDDED_TRACE_ELEMENT_ID}">`,
  ].join('\n');
  // The honest numbers ride along as data, for tools that read the report without running it.
  for (const chunk of embeddedTraceChunks(input.store, title, traceFindings(summarizeRuns(input.store.model), 'these runs'))) {
    yield escapeEmbeddedJson(chunk);
  }
  yield ['</script>', `<script>${script}</script>`, '</body>', '</html>', ''].join('\n');
}

/**
 * The embedded-trace document (embedded-trace.ts) of a store, as JSON text in chunks, not yet escaped:
 * the events of small runs, then each large run as one batch of columns (trace-store.ts).
 */
export function* embeddedTraceChunks(store: TraceStore, title?: string, findings?: unknown): Generator<string> {
  yield '{"version":1,';
  yield* store.eventsAndColumnsJson();
  if (findings !== undefined) yield `,"findings":${JSON.stringify(findings)}`;
  if (title !== undefined) yield `,"title":${JSON.stringify(title)}`;
  yield '}';
}
