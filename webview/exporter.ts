/**
 * In-page export and import for the standalone page (in VS Code the host
 * writes files): Chrome Trace Event JSON and CSV through the trace library,
 * PNG from the canvas, downloads through a Blob URL (no network, CSP-safe).
 */
import type { TraceEvent } from '../src/trace/events.js';
import { chromeToTrace, traceToChrome } from '../src/trace/chrome-trace.js';
import { traceToCsv } from '../src/trace/csv.js';
import { decodeEmbeddedTrace, embeddedEvents } from '../src/trace/embedded-trace.js';

/** Starts a browser download of `data` as `fileName`. */
export function download(fileName: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function chromeJsonBlob(events: readonly TraceEvent[]): Blob {
  return new Blob([JSON.stringify(traceToChrome(events))], { type: 'application/json' });
}

export function csvBlob(events: readonly TraceEvent[]): Blob {
  return new Blob([traceToCsv(events)], { type: 'text/csv' });
}

/** PNG of the chart: the canvas as drawn (device pixels). */
export function canvasPngDataUrl(canvas: HTMLCanvasElement): string {
  return canvas.toDataURL('image/png');
}

export function dataUrlToBlob(dataUrl: string): Blob {
  const [head, b64] = dataUrl.split(',', 2);
  const type = /data:([^;]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

/**
 * Reads a trace file's text: a Chrome trace (ours round-trips exactly,
 * foreign ones best effort), our embedded-trace document, or a bare event array.
 * @throws the trace library's TraceFormatError when it is none of these.
 */
export function parseTraceFile(text: string): TraceEvent[] {
  const embedded = text.trimStart().startsWith('{"version"') ? decodeEmbeddedTrace(text) : undefined;
  if (embedded) return embeddedEvents(embedded);
  return chromeToTrace(text);
}
