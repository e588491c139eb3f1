/**
 * Writes a run's events to the files the user asked for: a Chrome trace
 * (`--trace`, opens in Perfetto and speedscope, and in PoolScope again), a CSV
 * with one row per task (`--csv`), a self-contained HTML timeline (`--html`).
 */
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { chromeTraceChunks } from '../trace/chrome-trace.js';
import { csvChunks } from '../trace/csv.js';
import { htmlReportChunks } from '../trace/html-report.js';
import type { TraceStore } from '../trace/trace-store.js';
import type { OutputOptions } from './args.js';

/** Stylesheets the timeline may ship with, first found wins (next to the bundle, or in media/). */
const CSS_CANDIDATES = ['webview.css', '../media/timeline.css', '../media/webview.css'];

/** An output file that cannot be written: which flag, which path, why. */
export interface OutputProblem {
  flag: string;
  path: string;
  reason: string;
}

/** "poolscope: cannot write --trace /proc/y.json: cannot create a file in /proc" */
export function describeOutputProblem(p: OutputProblem): string {
  return `OutputNotWritable: cannot write ${p.flag} ${p.path}: ${p.reason}`;
}

/**
 * Checks every output path before any task runs, so a typo costs nothing: the directory must exist
 * or be creatable, the file must be a regular file (or not exist) and writable. Creates nothing that
 * stays: a probe file (and directories made for it) are removed again.
 */
export function checkOutputPaths(output: OutputOptions, inputs: readonly string[] = []): OutputProblem[] {
  const problems: OutputProblem[] = [];
  const seen = new Map<string, string>();
  for (const [flag, path] of [['--trace', output.trace], ['--csv', output.csv], ['--html', output.html]] as const) {
    if (!path) continue;
    const other = seen.get(path);
    if (other) {
      problems.push({ flag, path, reason: `${other} writes the same file` });
      continue;
    }
    seen.set(path, flag);
    if (inputs.includes(path)) {
      problems.push({ flag, path, reason: 'that is the input file; it would be overwritten' });
      continue;
    }
    const reason = probeWritable(path);
    if (reason) problems.push({ flag, path, reason });
  }
  return problems;
}

function probeWritable(path: string): string | undefined {
  const existing = statOrUndefined(path);
  if (existing instanceof Error) return explain(existing, path);
  if (existing) {
    if (existing.isDirectory()) return 'is a directory';
    if (!existing.isFile()) return 'is not a regular file';
    try {
      closeSync(openSync(path, 'r+'));
      return undefined;
    } catch (e) {
      return explain(e as NodeJS.ErrnoException, path);
    }
  }
  // Walk up to the nearest directory that exists; what is missing below it will be created.
  const missing: string[] = [];
  let dir = dirname(path);
  for (;;) {
    const st = statOrUndefined(dir);
    if (st instanceof Error) return explain(st, dir);
    if (st) {
      if (!st.isDirectory()) return `${dir} is not a directory`;
      break;
    }
    missing.push(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const created: string[] = [];
  try {
    for (const d of missing.reverse()) {
      mkdirSync(d);
      created.push(d);
    }
    closeSync(openSync(path, 'wx'));
    unlinkSync(path);
    return undefined;
  } catch (e) {
    return explain(e as NodeJS.ErrnoException, dirname(path));
  } finally {
    for (const d of created.reverse()) try { rmdirSync(d); } catch { /* not ours to keep */ }
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | Error | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return new Error(`${dirname(path)} is not a directory`);
    return e as Error;
  }
}

function explain(e: NodeJS.ErrnoException, where: string): string {
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${where})`;
    case 'EROFS':
      return `read-only file system (${where})`;
    case 'ENOENT':
      return `cannot create a file in ${where}`;
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EISDIR':
      return 'is a directory';
    case undefined:
      return e.message;
    default:
      return `${e.code} (${where})`;
  }
}

/**
 * Writes the requested files; returns one line per file written (or why not) and whether any failed.
 * `progress`, when given, hears about each file before it is written and how long it took (a million tasks
 * take seconds per file). Every file is streamed in chunks (text-chunks.ts), never built as one string;
 * a path ending in `.gz` is gzip-compressed on the way.
 */
export async function writeOutputs(store: TraceStore, output: OutputOptions, title: string,
  progress?: (text: string) => void): Promise<string[] & { failed?: boolean }> {
  const lines: string[] & { failed?: boolean } = [];
  const events = store.eventCount;
  const attempt = async (flag: string, path: string, make: () => Iterable<string>, line: string): Promise<void> => {
    try {
      const t0 = performance.now();
      progress?.(`writing ${flag.slice(2)} ${path} (${events.toLocaleString('en-US')} events)…`);
      const bytes = await writeChunks(path, make());
      progress?.(`wrote ${path} (${formatBytes(bytes)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      lines.push(line);
    } catch (e) {
      lines.push(`poolscope: ${describeOutputProblem({ flag, path, reason: explain(e as NodeJS.ErrnoException, dirname(path)) })}`);
      lines.failed = true;
    }
  };
  if (output.trace) {
    await attempt('--trace', output.trace, () => chromeTraceChunks(store), `trace: ${output.trace} (open in https://ui.perfetto.dev or https://www.speedscope.app)`);
  }
  if (output.csv) {
    await attempt('--csv', output.csv, () => csvChunks(store.model), `csv:   ${output.csv}`);
  }
  if (output.html) {
    const webviewJs = join(__dirname, 'webview.js');
    if (!existsSync(webviewJs)) {
      lines.push(`html:  not available yet (the timeline bundle ${webviewJs} is missing; run npm run build)`);
    } else {
      const cssPath = CSS_CANDIDATES.map((c) => join(__dirname, c)).find((p) => existsSync(p));
      await attempt('--html', output.html, () => htmlReportChunks({
        store,
        webviewJs: readFileSync(webviewJs, 'utf8'),
        css: cssPath ? readFileSync(cssPath, 'utf8') : undefined,
        title,
      }), `html:  ${output.html}`);
    }
  }
  return lines;
}

/** Streams `chunks` into `path` (gzip when it ends in .gz); resolves with the bytes written. */
export async function writeChunks(path: string, chunks: Iterable<string>): Promise<number> {
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path);
  const source = Readable.from(chunks);
  if (path.endsWith('.gz')) await pipeline(source, createGzip(), file);
  else await pipeline(source, file);
  return file.bytesWritten;
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
