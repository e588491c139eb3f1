/**
 * How a standalone page (the CLI's `--html` report, the webview tests, the
 * render bench) hands its trace to the timeline bundle without running any
 * inline script:
 *
 * ```html
 * <script type="application/json" id="poolscope-trace">{"version":1,"title":"…","events":[…]}</script>
 * <script nonce="…">/* contents of dist/webview.js *\/</script>
 * ```
 *
 * A `type="application/json"` script element is data, not code: the browser
 * never executes it, so it is allowed under `script-src 'nonce-…'` CSPs. The
 * bundle finds it by id at boot ({@link EMBEDDED_TRACE_ELEMENT_ID}); when it is
 * present the page runs in standalone mode. The JSON must be encoded with
 * {@link encodeEmbeddedTrace} so that no `</script>` can end the element early.
 *
 * No DOM or Node dependencies: the HTML report writer (src/trace) imports it.
 */
import type { TraceEvent } from './events.js';
import { eventsToColumns, expandTraceColumns, isTraceColumns, type TraceColumns } from '../common/trace-columns.js';
import { isTraceEvent } from '../common/trace-event-check.js';

/** The `id` of the `<script type="application/json">` element holding the trace. */
export const EMBEDDED_TRACE_ELEMENT_ID = 'poolscope-trace';

/** The JSON document inside the element. */
export interface EmbeddedTrace {
  version: 1;
  /** Shown as the page's heading, e.g. "demo.ts · square × 64". */
  title?: string;
  events: TraceEvent[];
  /** The events of large runs as column batches (src/common/trace-columns.ts); `events` holds the other runs' events. */
  columns?: TraceColumns[];
  /** Speed-ups, cores used, busy machine, warnings and verdict (src/trace/stats.ts traceFindings), for readers of the data. */
  findings?: unknown;
}

/** Runs with at least this many tasks are embedded as columns: JSON number arrays parse far faster than objects. */
export const COLUMNS_FROM_TASKS = 20_000;

/**
 * Encodes a trace for embedding in a `<script type="application/json">`
 * element: JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped, so the text can
 * neither close the element nor be mistaken for HTML.
 */
export function encodeEmbeddedTrace(events: readonly TraceEvent[], title?: string, findings?: unknown): string {
  const { columns, rest } = eventsToColumns(events, COLUMNS_FROM_TASKS);
  const doc: EmbeddedTrace = { version: 1, events: rest };
  if (findings !== undefined) doc.findings = findings;
  if (columns.length) doc.columns = columns;
  if (title !== undefined) doc.title = title;
  return escapeEmbeddedJson(JSON.stringify(doc));
}

/** JSON text made safe inside a `<script type="application/json">` element (any piece of it: the escape is per character). */
export function escapeEmbeddedJson(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Parses the element's text; accepts a bare event array too (older reports, hand-made pages). Drops events and batches that fail their checks. */
export function decodeEmbeddedTrace(text: string): EmbeddedTrace | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(doc)) return { version: 1, events: doc.filter(isTraceEvent) };
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Partial<EmbeddedTrace>;
  if (!Array.isArray(d.events)) return undefined;
  const out: EmbeddedTrace = { version: 1, events: d.events.filter(isTraceEvent) };
  if (typeof d.title === 'string') out.title = d.title;
  if (Array.isArray(d.columns)) out.columns = d.columns.filter((c) => isTraceColumns(c));
  return out;
}

/** All events of a decoded document as objects (the column batches expanded), for readers that want a flat list. */
export function embeddedEvents(doc: EmbeddedTrace): TraceEvent[] {
  if (!doc.columns?.length) return doc.events;
  return doc.events.concat(...doc.columns.map(expandTraceColumns));
}
