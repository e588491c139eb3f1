/**
 * The typed protocol between the timeline webview and its host (the VS Code
 * extension host, or the standalone HTML page that embeds a trace).
 *
 * One discriminated union per direction: {@link ToWebview} (host → webview)
 * and {@link FromWebview} (webview → host). The receiver of a message runs the
 * matching validator ({@link parseToWebview} / {@link parseFromWebview}) and
 * acts only on what it returns: unknown types, wrong shapes and oversized
 * payloads come back as `undefined` and are dropped.
 *
 * This file has no DOM or Node dependencies: the extension host imports it.
 */
import type { TraceEvent } from '../trace/events.js';
import { isNodeRunBackend, type NodeRunBackend } from './backends.js';
import { eventsToColumns, isTraceColumns, type TraceColumns } from './trace-columns.js';
import { isTraceEvent, RUN_ID_CHARS } from './trace-event-check.js';

export type { TraceColumns };
/** Hosts lay out busy runs with it: `eventsToColumns(events, minTasks)` → `columns` messages plus the remaining events. */
export { eventsToColumns, expandTraceColumns, isTraceColumns } from './trace-columns.js';
export { isTraceEvent };

/** Bumped when a message changes incompatibly. */
export const PROTOCOL_VERSION = 2;

/** Which kind of host the webview runs in; standalone hides host-only actions (run, stop, backend…). */
export type HostKind = 'vscode' | 'standalone';

/** Export formats the webview can ask the host to write. */
export type ExportFormat = 'chrome-json' | 'csv' | 'png';

/** Lifecycle of the host's current run, as shown in the toolbar and the aria-live region. */
export type RunPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'done' | 'failed' | 'stopped';

// ───────────────────────────── host → webview ─────────────────────────────

/**
 * A batch of trace events (live run or replay). Each event carries its own
 * `runId` and `seq`; the webview ignores events it already has (seq ≤ last
 * seen for that run), so the host may safely over-replay.
 */
export interface EventsMessage { type: 'events'; batch: TraceEvent[] }

/**
 * Events of one run in the columnar wire format (src/common/trace-columns.ts):
 * for busy runs, large replays and traces, where millions of event objects
 * would be slow to clone. Deduplicated by seq like `events`.
 */
export interface ColumnsMessage {
  type: 'columns';
  columns: TraceColumns;
  /**
   * The batch's `text` column packed (the host sends it so, `columns.text` then empty): one string instead of
   * an array of a string a row. A million-task batch has two million previews, and cloning (or JSON-encoding)
   * them one by one cost more than everything else in the message; the page slices them out again on arrival.
   */
  packedText?: PackedText;
}

/**
 * A text column as one string: row i's text is `joined.slice(end of the previous row with text, ends[i])`;
 * `ends[i]` is -1 for a row without text. `ends` may be shorter than the batch (rows after it have none).
 */
export interface PackedText { joined: string; ends: ArrayLike<number> }

/** Packs a text column (see {@link PackedText}). */
export function packText(text: readonly (string | null | undefined)[]): PackedText {
  const parts: string[] = [];
  const ends: number[] = new Array<number>(text.length);
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    const x = text[i];
    if (typeof x === 'string') {
      parts.push(x);
      pos += x.length;
      ends[i] = pos;
    } else {
      ends[i] = -1;
    }
  }
  return { joined: parts.join(''), ends };
}

/**
 * A {@link PackedText} checked (row ends -1 or in order within the text, at most `maxRows` of them), its ends
 * as an Int32Array, without cutting the text into a string a row; undefined when it is malformed.
 */
export function checkPackedText(p: unknown, maxRows: number): { joined: string; ends: Int32Array } | undefined {
  if (!isObj(p) || typeof p.joined !== 'string') return undefined;
  const { joined } = p;
  const ends = p.ends as unknown;
  if (!(Array.isArray(ends) || (ArrayBuffer.isView(ends) && !(ends instanceof DataView)))) return undefined;
  const e = ends as ArrayLike<unknown>;
  if (e.length > maxRows) return undefined;
  const out = ends instanceof Int32Array ? ends : new Int32Array(e.length);
  let pos = 0;
  for (let i = 0; i < e.length; i++) {
    const end = e[i];
    if (end === -1) {
      out[i] = -1;
      continue;
    }
    if (typeof end !== 'number' || !Number.isInteger(end) || end < pos || end > joined.length) return undefined;
    out[i] = end;
    pos = end;
  }
  return { joined, ends: out };
}

/** The text column of a {@link PackedText}, or undefined when it is malformed (offsets out of order or range, more rows than `maxRows`). */
export function unpackText(p: unknown, maxRows: number): (string | null)[] | undefined {
  const checked = checkPackedText(p, maxRows);
  if (!checked) return undefined;
  const { joined, ends } = checked;
  const out = new Array<string | null>(ends.length);
  let pos = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i];
    if (end === -1) {
      out[i] = null;
      continue;
    }
    out[i] = joined.slice(pos, end);
    pos = end;
  }
  return out;
}

/** Forget every run (the host's "clear" or a new session). */
export interface ResetMessage { type: 'reset' }

/**
 * A whole trace (e.g. a file the user opened): replaces what is shown.
 * `title` is shown in the page header (e.g. the file name).
 */
export interface LoadTraceMessage { type: 'load-trace'; events: TraceEvent[]; title?: string; columns?: TraceColumns[] }

/** The host's settings the toolbar reflects. */
export interface ConfigMessage {
  type: 'config';
  host: HostKind;
  backend: NodeRunBackend;
  workers: number;
  running: boolean;
  /** Backends offered in the dropdown. @default every Node choice (NODE_RUN_BACKENDS: the pools, then bullmq) */
  backends?: NodeRunBackend[];
  /** Upper bound for the workers input. @default 64 */
  maxWorkers?: number;
  /** False when the host will not run code (Restricted Mode): run controls are disabled. @default true */
  canRun?: boolean;
  /** Why running is off, shown on the disabled controls. */
  canRunReason?: string;
}

/** Progress of the host's current run (toolbar state + aria-live announcement). */
export interface RunStateMessage {
  type: 'run-state';
  phase: RunPhase;
  /** Runs that belong to this invocation (one, or several in compare mode). */
  runIds?: string[];
  /** Human-readable detail, e.g. a load error "square is not exported from demo.ts". */
  message?: string;
}

export type ToWebview = EventsMessage | ColumnsMessage | ResetMessage | LoadTraceMessage | ConfigMessage | RunStateMessage;

/** Events per `events` message: keeps each postMessage well below structured-clone pain. */
export const EVENTS_PER_MESSAGE = 5000;

/**
 * A run whose events in one host flush (or replay) touch at least this many
 * tasks goes as `columns` messages: a few columns clone, validate and ingest
 * far faster than thousands of event objects (a 10 000-task live run is
 * 30 000 events). Small runs keep plain events.
 */
export const COLUMNS_MIN_TASKS = 100;

/**
 * The messages a host sends to deliver `events` (a live flush or a replay):
 * busy runs as column batches, the other runs' events in chunks.
 */
export function eventMessages(events: readonly TraceEvent[], minTasks = COLUMNS_MIN_TASKS): ToWebview[] {
  const { columns, rest } = eventsToColumns(events, minTasks);
  const out: ToWebview[] = [];
  for (let i = 0; i < rest.length; i += EVENTS_PER_MESSAGE) out.push({ type: 'events', batch: rest.slice(i, i + EVENTS_PER_MESSAGE) });
  for (const c of columns) out.push({ type: 'columns', columns: { ...c, text: [] }, packedText: packText(c.text) });
  return out;
}

// ───────────────────────────── webview → host ─────────────────────────────

/**
 * The webview (re)started. `lastSeq[runId]` is the highest seq it already
 * holds for each run (restored from its persisted state); the host replays
 * every event after it and every run not listed.
 */
export interface ReadyMessage { type: 'ready'; protocol: number; lastSeq: Record<string, number> }
export interface RunAgainMessage { type: 'run-again' }
export interface CompareMessage { type: 'compare' }
export interface StopMessage { type: 'stop' }
export interface SetBackendMessage { type: 'set-backend'; backend: NodeRunBackend }
export interface SetWorkersMessage { type: 'set-workers'; workers: number }
/** The user cleared the history; the host drops its replay buffer too. */
export interface ClearMessage { type: 'clear' }
/**
 * Export the shown runs. For `png`, `data` is the snapshot as a
 * `data:image/png;base64,…` URL; for the other formats the host builds the file
 * from its own copy of the events (`runIds` selects runs; absent = all).
 */
export interface ExportMessage { type: 'export'; format: ExportFormat; runIds?: string[]; data?: string }
/** Ask the host to show an open dialog and send the trace back as `load-trace`. */
export interface OpenTraceMessage { type: 'open-trace' }
/** Open `file` at 1-based `line`/`column` (from a task's error stack). */
export interface RevealMessage { type: 'reveal'; file: string; line: number; column: number }
/** What the webview has drawn, after each settled redraw (for logs and tests). */
export interface RenderedMessage { type: 'rendered'; runs: number; lanes: number; bars: number; events: number }

/**
 * The first bar of a live run was drawn (sent on the animation frame after the one that drew it, once per run):
 * the host times a click to it. `sinceMessageMs`: from the arrival of the message that brought that bar.
 */
export interface FirstBarMessage {
  type: 'first-bar'; runId: string; sinceMessageMs: number;
  /**
   * When that frame began, as wall-clock ms since the epoch (performance.timeOrigin + performance.now()): the host,
   * on the same machine, compares it with its own wall clock, so the bar's time does not include this message's way back.
   */
  paintedAtEpochMs?: number;
}

export type FromWebview =
  | ReadyMessage | RunAgainMessage | CompareMessage | StopMessage | SetBackendMessage | SetWorkersMessage
  | ClearMessage | ExportMessage | OpenTraceMessage | RevealMessage | RenderedMessage | FirstBarMessage;

// ─────────────────────────────── validation ───────────────────────────────

/** Limits that keep a hostile or buggy peer from making the receiver do unbounded work. */
export const LIMITS = {
  /** Characters of a file path in `reveal`. */
  pathChars: 4096,
  /** Characters of a PNG data URL (≈ 24 MB of PNG). */
  pngDataChars: 32 * 1024 * 1024,
  /** Runs named in `ready.lastSeq` / `export.runIds`. */
  runs: 10_000,
  /** Characters of a run id. */
  runIdChars: RUN_ID_CHARS,
  /** Workers the host may be asked for. */
  workers: 1024,
  /** Events in one `events` / `load-trace` message. */
  events: 20_000_000,
} as const;

const EXPORT_FORMATS: ReadonlySet<string> = new Set<ExportFormat>(['chrome-json', 'csv', 'png']);
const RUN_PHASES: ReadonlySet<string> = new Set<RunPhase>(['idle', 'starting', 'running', 'stopping', 'done', 'failed', 'stopped']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isStr(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}
function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}
function isRunId(v: unknown): v is string {
  return isStr(v, LIMITS.runIdChars) && v.length > 0;
}
function isRunIdList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= LIMITS.runs && v.every(isRunId);
}

function isEventList(v: unknown): v is TraceEvent[] {
  if (!Array.isArray(v) || v.length > LIMITS.events) return false;
  for (let i = 0; i < v.length; i++) if (!isTraceEvent(v[i])) return false;
  return true;
}

/** Validates a message from the webview. Returns it typed, or `undefined` to drop it. */
export function parseFromWebview(raw: unknown): FromWebview | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': {
      if (!isInt(raw.protocol, 0, 1_000_000) || !isObj(raw.lastSeq)) return undefined;
      const entries = Object.entries(raw.lastSeq);
      if (entries.length > LIMITS.runs) return undefined;
      const lastSeq: Record<string, number> = {};
      for (const [runId, seq] of entries) {
        if (!isRunId(runId) || !isInt(seq, -1, Number.MAX_SAFE_INTEGER)) return undefined;
        lastSeq[runId] = seq;
      }
      return { type: 'ready', protocol: raw.protocol, lastSeq };
    }
    case 'run-again':
    case 'compare':
    case 'stop':
    case 'clear':
    case 'open-trace':
      return { type: raw.type };
    case 'set-backend':
      return isNodeRunBackend(raw.backend) ? { type: 'set-backend', backend: raw.backend } : undefined;
    case 'set-workers':
      return isInt(raw.workers, 1, LIMITS.workers) ? { type: 'set-workers', workers: raw.workers } : undefined;
    case 'export': {
      if (typeof raw.format !== 'string' || !EXPORT_FORMATS.has(raw.format)) return undefined;
      const format = raw.format as ExportFormat;
      if (raw.runIds !== undefined && !isRunIdList(raw.runIds)) return undefined;
      const msg: ExportMessage = { type: 'export', format };
      if (raw.runIds !== undefined) msg.runIds = raw.runIds as string[];
      if (format === 'png') {
        if (!isStr(raw.data, LIMITS.pngDataChars) || !raw.data.startsWith('data:image/png;base64,')) return undefined;
        msg.data = raw.data;
      } else if (raw.data !== undefined) {
        return undefined;
      }
      return msg;
    }
    case 'reveal':
      return isStr(raw.file, LIMITS.pathChars) && raw.file.length > 0
        && isInt(raw.line, 1, 10_000_000) && isInt(raw.column, 1, 10_000_000)
        ? { type: 'reveal', file: raw.file, line: raw.line, column: raw.column } : undefined;
    case 'first-bar':
      return isStr(raw.runId, LIMITS.runIdChars) && raw.runId.length > 0
        && typeof raw.sinceMessageMs === 'number' && Number.isFinite(raw.sinceMessageMs) && raw.sinceMessageMs >= 0 && raw.sinceMessageMs <= 3_600_000
        && (raw.paintedAtEpochMs === undefined || (typeof raw.paintedAtEpochMs === 'number' && Number.isFinite(raw.paintedAtEpochMs) && raw.paintedAtEpochMs > 0))
        ? { type: 'first-bar', runId: raw.runId, sinceMessageMs: raw.sinceMessageMs, ...(raw.paintedAtEpochMs === undefined ? {} : { paintedAtEpochMs: raw.paintedAtEpochMs }) } : undefined;
    case 'rendered': {
      const max = Number.MAX_SAFE_INTEGER;
      return isInt(raw.runs, 0, max) && isInt(raw.lanes, 0, max) && isInt(raw.bars, 0, max) && isInt(raw.events, 0, max)
        ? { type: 'rendered', runs: raw.runs, lanes: raw.lanes, bars: raw.bars, events: raw.events } : undefined;
    }
    default:
      return undefined;
  }
}

/** Validates a message from the host. Returns it typed, or `undefined` to drop it. */
export function parseToWebview(raw: unknown): ToWebview | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'events':
      return isEventList(raw.batch) ? { type: 'events', batch: raw.batch } : undefined;
    case 'columns': {
      if (raw.packedText !== undefined) {
        // Checked but kept packed (the model keeps previews as slices of it: TraceModel.addColumns); the batch's
        // own text column is then empty.
        if (!isObj(raw.columns) || typeof raw.columns.length !== 'number') return undefined;
        const packedText = checkPackedText(raw.packedText, Math.min(raw.columns.length, LIMITS.events));
        if (!packedText) return undefined;
        raw.columns.text = [];
        return isTraceColumns(raw.columns, LIMITS.events) ? { type: 'columns', columns: raw.columns, packedText } : undefined;
      }
      return isTraceColumns(raw.columns, LIMITS.events) ? { type: 'columns', columns: raw.columns } : undefined;
    }
    case 'reset':
      return { type: 'reset' };
    case 'load-trace': {
      if (!isEventList(raw.events)) return undefined;
      if (raw.title !== undefined && !isStr(raw.title, 1000)) return undefined;
      const msg: LoadTraceMessage = { type: 'load-trace', events: raw.events };
      if (raw.title !== undefined) msg.title = raw.title;
      if (raw.columns !== undefined) {
        if (!Array.isArray(raw.columns) || raw.columns.length > LIMITS.runs || !raw.columns.every((c) => isTraceColumns(c, LIMITS.events))) return undefined;
        msg.columns = raw.columns as TraceColumns[];
      }
      return msg;
    }
    case 'config': {
      if (raw.host !== 'vscode' && raw.host !== 'standalone') return undefined;
      if (!isNodeRunBackend(raw.backend)) return undefined;
      if (!isInt(raw.workers, 1, LIMITS.workers) || typeof raw.running !== 'boolean') return undefined;
      const msg: ConfigMessage = {
        type: 'config', host: raw.host, backend: raw.backend, workers: raw.workers, running: raw.running,
      };
      if (raw.backends !== undefined) {
        if (!Array.isArray(raw.backends) || raw.backends.length > 16
          || !raw.backends.every(isNodeRunBackend)) return undefined;
        msg.backends = raw.backends as NodeRunBackend[];
      }
      if (raw.canRun !== undefined) {
        if (typeof raw.canRun !== 'boolean') return undefined;
        msg.canRun = raw.canRun;
      }
      if (raw.canRunReason !== undefined) {
        if (typeof raw.canRunReason !== 'string' || raw.canRunReason.length > 500) return undefined;
        msg.canRunReason = raw.canRunReason;
      }
      if (raw.maxWorkers !== undefined) {
        if (!isInt(raw.maxWorkers, 1, LIMITS.workers)) return undefined;
        msg.maxWorkers = raw.maxWorkers;
      }
      return msg;
    }
    case 'run-state': {
      if (typeof raw.phase !== 'string' || !RUN_PHASES.has(raw.phase)) return undefined;
      const msg: RunStateMessage = { type: 'run-state', phase: raw.phase as RunPhase };
      if (raw.runIds !== undefined) {
        if (!isRunIdList(raw.runIds)) return undefined;
        msg.runIds = raw.runIds;
      }
      if (raw.message !== undefined) {
        if (!isStr(raw.message, 10_000)) return undefined;
        msg.message = raw.message;
      }
      return msg;
    }
    default:
      return undefined;
  }
}
