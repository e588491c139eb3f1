/**
 * `window.__poolscope`: a read-only view of what is shown, for the webview
 * tests, the render bench and the docs screenshots. Only test builds include
 * it (esbuild defines POOLSCOPE_TEST_HOOK; the shipped bundle has none).
 */
import { postedMessages } from '../host.js';
import type { HostKind, RunPhase } from '../../src/common/webview-protocol.js';
import type { RunSummaries } from '../run-summaries.js';
import { taskInfo, type TaskInfo } from '../task-info.js';
import type { TraceModel } from '../../src/trace/trace-model.js';
import type { TimelineView } from '../timeline/view.js';

/** What the hook reads from the live app (getters, so it never holds a stale model). */
export interface AppProbe {
  readonly hostKind: HostKind;
  readonly phase: RunPhase;
  readonly model: TraceModel;
  readonly summaries: RunSummaries;
  readonly view: TimelineView;
  readonly focused: string | undefined;
  readonly follow: boolean;
  readonly frames: number;
  readonly dirty: boolean;
  /** A large trace's panels wait for an idle moment (frame-scheduler.ts PanelThrottle). */
  readonly panelsPending: boolean;
  readonly bars: number;
  /** Rows received and not folded into the model yet (the lanes are drawn coarse). */
  readonly folding: boolean;
  /** model.events when the chart was last painted. */
  readonly paintedEvents: number;
  /** Holds (true) or lets go (false) the fold of deferred rows. */
  holdFold(on: boolean): void;
  /** Whether large column batches are deferred (on by default). */
  deferFold(on: boolean): void;
  setDomain(a: number, b: number): void;
  loadTraceText(content: string, name: string): number;
}

export function exposeTestHook(app: AppProbe): void {
  Object.defineProperty(window, '__poolscope', { value: Object.freeze(testHook(app)), configurable: false });
}

/** What `window.__poolscope` holds (the webview tests type their page code with it: test/types/globals.d.ts). */
export type TestHook = ReturnType<typeof testHook>;

function testHook(app: AppProbe) {
  return {
    get host() { return app.hostKind; },
    get phase() { return app.phase; },
    get runs() { return app.summaries.all(); },
    get runIds() { return app.model.runs.map((r) => r.runId); },
    get lanes() {
      const model = app.model;
      return app.view.rows.filter((r) => r.kind !== 'run').map((r) => {
        const lane = r.lane >= 0 ? model.lanes[r.lane] : undefined;
        return {
          kind: r.kind, label: r.label, runId: model.runs[r.runIndex].runId, pid: lane?.pid ?? r.other?.pid ?? model.runs[r.runIndex].start?.pid,
          otherCpuUs: r.other?.cpuUs, otherPeakCores: r.other?.peakCores,
          threadId: lane?.threadId, name: lane?.name, workerId: lane?.workerId, tasks: lane?.tasks.length ?? 0,
          exit: lane?.exit?.reason, cpuSamples: lane ? lane.cpu.length / 3 : 0, host: r.host, detail: r.detail, y: r.y,
        };
      });
    },
    get bars() { return app.bars; },
    get barsDrawn() { return app.view.barsDrawn; },
    get domain() { return app.view.domain; },
    get fullDomain() { return app.view.fullDomain; },
    get summary() { return app.summaries.byRunId(app.focused ?? ''); },
    get follow() { return app.follow; },
    get frames() { return app.frames; },
    get events() { return app.model.events; },
    /** Events the last painted chart frame showed (coarse while `folding`). */
    get paintedEvents() { return app.paintedEvents; },
    get folding() { return app.folding; },
    holdFold(on: boolean) { app.holdFold(on); },
    deferFold(on: boolean) { app.deferFold(on); },
    posted: postedMessages,
    hitTest(clientX: number, clientY: number): TaskInfo | { kind: string } | undefined {
      const hit = app.view.hitTest(clientX, clientY);
      if (!hit) return undefined;
      return hit.kind === 'task' ? taskInfo(app.model, hit.task) : { kind: hit.kind };
    },
    /** Client rectangle of a task's bar as drawn, or undefined when not on screen. */
    taskRect(runId: string, taskId: number) {
      const run = app.model.runById(runId);
      if (!run) return undefined;
      const i = app.model.taskIndex(run, taskId);
      return i >= 0 ? app.view.taskClientRect(i) : undefined;
    },
    setDomain(a: number, b: number) { app.setDomain(a, b); },
    loadTraceText: (content: string, name: string) => app.loadTraceText(content, name),
    /**
     * Resolves after the next frame has been drawn (including one the live-frame throttle deferred) and the panels
     * a large trace defers to an idle moment are rendered (and deferred rows are folded); waits at most 5 s.
     */
    settled: () => new Promise<void>((resolve) => {
      const until = performance.now() + 5000;
      const check = () => requestAnimationFrame(() => requestAnimationFrame(() => {
        if ((app.dirty || app.panelsPending || app.folding) && performance.now() < until) setTimeout(check, 20);
        else resolve();
      }));
      check();
    }),
  };
}
