/**
 * The self-contained HTML report (the CLI's `--html`): one file with the
 * timeline bundle, its CSS and the trace, that opens from disk in any browser
 * with no network and no server.
 *
 * Security: a strict CSP in a `<meta>` element — `default-src 'none'`, the
 * one inline script and the one inline style allowed by their SHA-256 hashes
 * (deterministic, so the same trace gives the same file). The trace travels
 * as a `<script type="application/json">` data block (never executed, so the
 * CSP does not need to allow it) encoded by the webview's own
 * `encodeEmbeddedTrace`, which escapes `<`, `>` and `&` so no `</script>` in a
 * preview can end the element.
 */
import type { TraceEvent } from './events.js';
import { createHash } from 'node:crypto';
import { EMBEDDED_TRACE_ELEMENT_ID, encodeEmbeddedTrace } from './embedded-trace.js';
import { computeRunSummaries, traceFindings } from './stats.js';

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
  const title = input.title ?? 'PoolScope trace';
  const script = neutralizeClosingTags(input.webviewJs, 'script');
  const style = input.css !== undefined ? neutralizeClosingTags(input.css, 'style') : undefined;
  // The honest numbers ride along as data, for tools that read the report without running it.
  const data = encodeEmbeddedTrace(input.events, title, traceFindings(computeRunSummaries(input.events), 'these runs'));
  return [
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
    `<script type="application/json" id="${EMBEDDED_TRACE_ELEMENT_ID}">${data}</script>`,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
