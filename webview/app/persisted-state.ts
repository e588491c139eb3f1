/**
 * What survives the webview being torn down (VS Code `setState`): the view
 * settings and the events of the newest finished runs that fit a budget. The
 * host replays what is missing (by seq). Restored state is validated: it may
 * come from an older build, or be damaged.
 */
import type { TraceEvent, WorkerStartEvent } from '../../src/trace/events.js';
import { isTraceEvent } from '../../src/common/webview-protocol.js';
import type { ColorMode } from '../timeline/view.js';
import type { RunInfo, TraceModel } from '../../src/trace/trace-model.js';

export interface PersistedUi {
  colorMode: ColorMode;
  aligned: boolean;
  follow: boolean;
  hidden: string[];
  focused?: string;
  domain?: [number, number];
  /** How far the lanes were scrolled (px). */
  laneScroll?: number;
}

export interface PersistedState {
  v: 1;
  ui: PersistedUi;
  /** Events of the runs small enough to keep; the host replays the rest by seq. */
  events: TraceEvent[];
  /** The trace file a read-only panel shows: the host reads it again after a reload. */
  source?: string;
}

/** Persist at most this many events; larger histories are replayed by the host. */
export const PERSIST_EVENT_CAP = 50_000;

const isStr = (v: unknown): v is string => typeof v === 'string';

/** The state as restored, or undefined when it is not ours; unknown or damaged fields fall back to defaults, bad events are dropped. */
export function parsePersistedState(raw: unknown): PersistedState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (r.v !== 1) return undefined;
  const ui = (r.ui && typeof r.ui === 'object' ? r.ui : {}) as Record<string, unknown>;
  const d = ui.domain;
  const domain = Array.isArray(d) && d.length === 2 && d.every((x) => typeof x === 'number' && Number.isFinite(x)) && d[1] > d[0]
    ? [d[0], d[1]] as [number, number] : undefined;
  return {
    v: 1,
    ui: {
      colorMode: ui.colorMode === 'status' ? 'status' : 'function',
      aligned: ui.aligned === true,
      follow: ui.follow !== false,
      hidden: Array.isArray(ui.hidden) ? ui.hidden.filter(isStr) : [],
      focused: isStr(ui.focused) ? ui.focused : undefined,
      domain,
      laneScroll: typeof ui.laneScroll === 'number' && Number.isFinite(ui.laneScroll) && ui.laneScroll >= 0 ? ui.laneScroll : undefined,
    },
    events: Array.isArray(r.events) ? r.events.filter(isTraceEvent) : [],
    ...(isStr(r.source) && r.source.length <= 4096 ? { source: r.source } : {}),
  };
}

type CacheEntry = { lastSeq: number; events: TraceEvent[] };

/**
 * Builds snapshots; rebuilt events of finished runs are cached by run id, so
 * persisting during a live run does not rebuild them again.
 */
export class SnapshotBuilder {
  #cache = new Map<string, CacheEntry>();

  clear(): void {
    this.#cache.clear();
  }

  snapshot(model: TraceModel, ui: PersistedUi, source?: string): PersistedState {
    let budget = PERSIST_EVENT_CAP;
    const events: TraceEvent[] = [];
    // Keep the newest runs that fit; the host replays the others in full (they are absent from lastSeq).
    const cache = new Map<string, CacheEntry>();
    const kept: TraceEvent[][] = [];
    for (const run of [...model.runs].reverse()) {
      // A live run is left to the host's replay (its lastSeq is then absent); it is persisted once it ends.
      if (run.start && !run.end) continue;
      if (run.eventCount > budget) continue;
      const entry = this.#entry(model, run);
      cache.set(run.runId, entry);
      budget -= entry.events.length;
      kept.push(entry.events);
    }
    this.#cache = cache;
    for (let k = kept.length - 1; k >= 0; k--) for (const e of kept[k]) events.push(e);
    return source === undefined ? { v: 1, ui, events } : { v: 1, ui, events, source };
  }

  #entry(model: TraceModel, run: RunInfo): CacheEntry {
    const cached = this.#cache.get(run.runId);
    if (cached && cached.lastSeq === run.lastSeq) return cached;
    const evs = inLaneOrder(model.eventsOf(run), run.lanes.map((li) => model.lanes[li].workerId));
    // Rebuilt events are renumbered; restore the host's last seq on the final one so replay starts after it.
    if (evs.length) evs[evs.length - 1] = { ...evs[evs.length - 1], seq: run.lastSeq };
    return { lastSeq: run.lastSeq, events: evs };
  }
}

/**
 * The rebuilt events sorted by time put a worker that became ready later
 * first; the model makes lanes in the order workers first appear, so the
 * restored lanes (and per-worker figures) would come out reordered. Worker
 * starts go right after run-start, in the order the run's lanes were made,
 * which restores the same lane order.
 */
function inLaneOrder(events: TraceEvent[], laneWorkerIds: number[]): TraceEvent[] {
  const order = new Map(laneWorkerIds.map((id, k) => [id, k]));
  const starts = events.filter((e): e is WorkerStartEvent => e.type === 'worker-start')
    .sort((a, b) => (order.get(a.workerId) ?? Infinity) - (order.get(b.workerId) ?? Infinity));
  if (starts.length < 2) return events;
  const rest = events.filter((e) => e.type !== 'worker-start');
  const head = rest.length && rest[0].type === 'run-start' ? [rest.shift()!] : [];
  // Renumbered in the new order: the model skips an event whose seq is not above its run's last.
  return [...head, ...starts, ...rest].map((e, seq) => ({ ...e, seq }));
}
