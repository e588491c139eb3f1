/**
 * Export Trace and Open Trace: the retained runs to a file (Chrome Trace
 * Event JSON that Perfetto and speedscope open and that PoolScope reads back
 * losslessly, CSV with one row per task, or the webview's PNG snapshot), and a
 * trace file back into the timeline. Neither runs any code, so both work in
 * untrusted workspaces.
 */
import * as vscode from 'vscode';
import { chromeTraceChunks } from '../trace/chrome-trace.js';
import { importTrace } from '../trace/import-trace.js';
import { csvChunks } from '../trace/csv.js';
import { TraceModel } from '../trace/trace-model.js';
import { TraceStore } from '../trace/trace-store.js';
import { traceFileText } from '../trace/trace-bytes.js';
import type { TraceEvent } from '../trace/events.js';
import type { ExportFormat } from '../common/webview-protocol.js';

/** Stable error names. */
export const NO_TRACE = 'NoTrace';

export class NoTraceError extends Error {
  override readonly name = NO_TRACE;
  constructor() {
    super('There is no trace to export yet: run a function first.');
  }
}

const EXTENSIONS: Record<ExportFormat, string> = { 'chrome-json': 'json', csv: 'csv', png: 'png' };
const FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  'chrome-json': { 'Chrome trace (Perfetto, speedscope)': ['json'] },
  csv: { 'CSV, one row per task': ['csv'] },
  png: { 'PNG image': ['png'] },
};

/** The file's bytes for `format`. PNG comes from the webview as a data URL. */
export function encodeTrace(events: readonly TraceEvent[], format: ExportFormat, pngDataUrl?: string): Uint8Array {
  switch (format) {
    case 'chrome-json':
      return encodeChunks(chromeTraceChunks(TraceStore.of(events)));
    case 'csv': {
      const model = new TraceModel();
      model.add(events);
      return encodeChunks(csvChunks(model));
    }
    case 'png': {
      const prefix = 'data:image/png;base64,';
      if (!pngDataUrl?.startsWith(prefix)) throw new TypeError('a PNG export needs the snapshot from the timeline');
      return Buffer.from(pngDataUrl.slice(prefix.length), 'base64');
    }
  }
}

/** Text chunks as one byte array: a large trace is more text than one JS string can hold, never more than a Buffer. */
function encodeChunks(chunks: Iterable<string>): Uint8Array {
  const parts: Buffer[] = [];
  for (const chunk of chunks) parts.push(Buffer.from(chunk, 'utf8'));
  return Buffer.concat(parts);
}

/** Asks where to save (unless `target` is given) and writes the file. Resolves with its URI, or undefined when cancelled. */
export async function exportTrace(events: readonly TraceEvent[], format: ExportFormat, target?: vscode.Uri, pngDataUrl?: string): Promise<vscode.Uri | undefined> {
  if (events.length === 0 && format !== 'png') throw new NoTraceError();
  const bytes = encodeTrace(events, format, pngDataUrl);
  let uri = target;
  if (!uri) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const name = `poolscope-${stamp}.${EXTENSIONS[format]}`;
    uri = await vscode.window.showSaveDialog({
      title: 'PoolScope: Export Trace',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: FILTERS[format],
    });
    if (!uri) return undefined;
  }
  await vscode.workspace.fs.writeFile(uri, bytes);
  return uri;
}

/**
 * Reads a trace file: our export, a bare array of our events, a Ray timeline,
 * a Dask task stream, a VizTracer file or any Chrome trace. @throws TraceFormatError
 */
export async function readTraceFile(uri: vscode.Uri): Promise<TraceEvent[]> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  return importTrace(traceFileText(bytes)).events;
}
