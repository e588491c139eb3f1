/**
 * The summary above the chart for one run: wall time, Σ task time, speed-up
 * and efficiency, throughput, queue wait, per-worker utilization and the
 * identity callout ("4 workers · 1 PID · 4 threads"). Figures come from the
 * trace library's RunSummary; this file only presents them.
 */
import type { RunSummary } from './run-summaries.js';
import { formatCount, formatPercent, formatRate, formatSpeedup, formatUs } from '../src/common/format.js';

export class SummaryView {
  readonly element: HTMLElement;
  readonly #cards: HTMLElement;
  readonly #identity: HTMLElement;
  readonly #util: HTMLElement;
  readonly #text: HTMLElement;

  constructor() {
    this.element = document.createElement('section');
    this.element.className = 'ps-summary';
    this.element.setAttribute('aria-label', 'Run summary');
    this.#identity = document.createElement('div');
    this.#identity.className = 'ps-identity';
    this.#cards = document.createElement('div');
    this.#cards.className = 'ps-cards';
    this.#util = document.createElement('div');
    this.#util.className = 'ps-util';
    this.#text = document.createElement('p');
    this.#text.className = 'ps-sr-only ps-summary-text';
    this.element.append(this.#identity, this.#cards, this.#util, this.#text);
  }

  /**
   * Shows `s` (undefined: an empty-state hint). `speedup` overrides the summary's own (compare across runs);
   * `hosts` is the run's host line ("2 hosts (…), 3 processes, 6 threads") when it ran on several machines or a distributed engine.
   */
  render(s: RunSummary | undefined, title: string, speedup?: number, hosts?: string): void {
    if (!s) {
      this.#identity.replaceChildren(text('span', 'ps-identity-main', 'No run yet'),
        text('span', 'ps-identity-sub', 'Run a function in a pool, or open a trace, to see it here.'));
      this.#cards.replaceChildren();
      this.#util.replaceChildren();
      this.#text.textContent = 'No run loaded.';
      return;
    }
    // A live run has no speed-up yet ("–"): its wall time so far is not a measurement of the work.
    const sp = s.finished ? s.speedupVsSerial ?? speedup : undefined;
    // Never above 100 %: past the ideal, the reason is shown instead (see run-numbers.ts).
    const eff = sp === undefined ? undefined : s.efficiency ?? Math.min(1, sp / s.ideal);
    const state = s.finished ? (s.error ? `ended: ${s.error.name}` : 'finished') : 'running…';
    this.#identity.replaceChildren(
      text('span', 'ps-identity-main', s.identity),
      text('span', 'ps-identity-sub', `${title} · ${state}`),
    );
    if (hosts) this.#identity.append(text('span', 'ps-identity-hosts', hosts));
    if (s.busy && s.otherCpuCores !== undefined) {
      // Said where the figures are read: a busy machine makes every speed-up look worse than it is.
      this.#identity.append(text('span', 'ps-busy-warning',
        `Other programs used ${s.otherCpuCores.toFixed(1)}${s.cores !== undefined ? ` of ${s.cores}` : ''} cores during this run: speed-ups are lower than on an idle machine.`));
    }
    this.#identity.dataset.backend = s.backend;
    const cards: [string, string, string, string?][] = [
      ['wall', 'Wall time', formatUs(s.wallUs)],
      ['task-time', 'Σ task time', formatUs(s.taskUs), s.backend === 'event-loop'
        // On the event loop a task's start→end includes time it waited for the thread: show what it really held.
        ? `on the thread: ${formatUs(s.utilization.reduce((sum, u) => sum + u.busyUs, 0))}` : undefined],
      ['speedup', 'Speed-up vs serial', formatSpeedup(sp), sp === undefined
        ? (s.finished ? 'needs a serial run: use Compare' : 'when the run has finished')
        : s.speedupWithStartup !== undefined ? `task phase (warm pool); with start-up ${formatSpeedup(s.speedupWithStartup)}` : 'task phase'],
      ['cores-used', 'Cores used', s.coresUsed !== undefined && s.taskPhaseUs ? `${s.coresUsed.toFixed(1)}${s.cores !== undefined ? ` of ${s.cores}` : ''}` : '–',
        s.coresUsed !== undefined ? 'on-CPU time of the task threads ÷ task phase (from the OS)' : 'needs on-CPU sampling (Linux /proc)'],
      ['efficiency', 'Parallel efficiency', formatPercent(eff), eff === undefined ? undefined : s.efficiencyNote ?? `speed-up ÷ ideal ${s.ideal}× (min of workers, cores)`],
      ['on-cpu', 'On CPU per task', s.cpuFraction !== undefined ? formatPercent(s.cpuFraction) : '–', s.cpuFraction !== undefined
        // Mean of cpuUs ÷ run time over the tasks: what share of its bar each task really had a core.
        ? `mean of the tasks; the rest waited${s.gil === false ? ' (GIL disabled)' : s.backend === 'py-thread' ? ' (for the GIL or a core)' : ''}`
        : 'needs on-CPU sampling (Linux /proc)'],
      ['throughput', 'Throughput', formatRate(s.throughput)],
      ['queue-wait', 'Queue wait p50 / p95', `${formatUs(s.queueWaitP50Us)} / ${formatUs(s.queueWaitP95Us)}`],
      ['tasks', 'Tasks ok / failed', `${formatCount(s.ok)} / ${formatCount(s.failed)}`,
        [s.cancelled ? `${formatCount(s.cancelled)} cancelled` : '', s.pending ? `${formatCount(s.pending)} pending` : ''].filter(Boolean).join(' · ') || undefined],
    ];
    this.#cards.replaceChildren(...cards.map(([key, label, value, hint]) => {
      const card = document.createElement('div');
      card.className = 'ps-card';
      card.dataset.metric = key;
      if (key === 'tasks' && s.failed > 0) card.classList.add('ps-card-bad');
      card.append(text('div', 'ps-card-label', label), text('div', 'ps-card-value', value));
      if (hint) card.append(text('div', 'ps-card-hint', hint));
      return card;
    }));
    const rows: HTMLElement[] = s.utilization.slice(0, 64).map((u) => {
      const row = document.createElement('div');
      row.className = 'ps-util-row';
      const bar = document.createElement('div');
      bar.className = 'ps-util-bar';
      const fill = document.createElement('div');
      fill.className = 'ps-util-fill';
      fill.style.width = `${Math.round(u.utilization * 100)}%`;
      bar.append(fill);
      row.append(text('span', 'ps-util-name', `${u.name} (PID ${u.pid} · thread ${u.threadId})`), bar,
        text('span', 'ps-util-value', `${formatPercent(u.utilization)} · ${formatCount(u.tasks)} tasks`
          + (u.cpuFraction !== undefined ? ` · ${formatPercent(u.cpuFraction)} on CPU` : '')));
      return row;
    });
    if (s.utilization.length > 64) rows.push(text('div', 'ps-util-more', `… and ${s.utilization.length - 64} more workers`));
    this.#util.replaceChildren(text('div', 'ps-util-title', 'Worker utilization'), ...rows);
    this.#text.textContent = `${title}: ${s.backend} backend, ${s.identity}${hosts ? `, ${hosts}` : ''}. Wall time ${formatUs(s.wallUs)}, `
      + `total task time ${formatUs(s.taskUs)}, ${formatCount(s.ok)} tasks ok, ${formatCount(s.failed)} failed`
      + `${sp !== undefined ? `, speed-up ${formatSpeedup(sp)} over serial` : ''}.`;
  }
}

export function text(tag: string, className: string, content: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = content;
  return el;
}

/** A table header row of column titles (`<th scope="col">`, so screen readers announce each cell's column). */
export function tableHead(columns: readonly string[]): HTMLTableSectionElement {
  const thead = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const title of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    tr.append(th);
  }
  thead.append(tr);
  return thead;
}
