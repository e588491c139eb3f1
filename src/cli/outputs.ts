/**
 * Writes a run's events to the files the user asked for: a Chrome trace
 * (`--trace`, opens in Perfetto and speedscope, and in PoolScope again), a CSV
 * with one row per task (`--csv`), a self-contained HTML timeline (`--html`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TraceEvent } from '../trace/events.js';
import { traceToChrome } from '../trace/chrome-trace.js';
import { traceToCsv } from '../trace/csv.js';
import { buildHtmlReport } from '../trace/html-report.js';
import type { OutputOptions } from './args.js';

/** Stylesheets the timeline may ship with, first found wins (next to the bundle, or in media/). */
const CSS_CANDIDATES = ['webview.css', '../media/timeline.css', '../media/webview.css'];

/** Writes the requested files; returns one line per file written (or why not). */
export function writeOutputs(events: readonly TraceEvent[], output: OutputOptions, title: string): string[] {
  const lines: string[] = [];
  if (output.trace) {
    write(output.trace, JSON.stringify(traceToChrome(events)));
    lines.push(`trace: ${output.trace} (open in https://ui.perfetto.dev or https://www.speedscope.app)`);
  }
  if (output.csv) {
    write(output.csv, traceToCsv(events));
    lines.push(`csv:   ${output.csv}`);
  }
  if (output.html) {
    const webviewJs = join(__dirname, 'webview.js');
    if (!existsSync(webviewJs)) {
      lines.push(`html:  not available yet (the timeline bundle ${webviewJs} is missing; run npm run build)`);
    } else {
      const cssPath = CSS_CANDIDATES.map((c) => join(__dirname, c)).find((p) => existsSync(p));
      write(output.html, buildHtmlReport({
        events,
        webviewJs: readFileSync(webviewJs, 'utf8'),
        css: cssPath ? readFileSync(cssPath, 'utf8') : undefined,
        title,
      }));
      lines.push(`html:  ${output.html}`);
    }
  }
  return lines;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
