/**
 * Compare mode: a side-by-side table of the shown runs and a small speed-up
 * chart (SVG via D3: few bars, so DOM is fine here).
 */
import { axisBottom, max, scaleBand, scaleLinear, select } from 'd3';
import type { RunSummary } from './run-summaries.js';
import { formatCount, formatPercent, formatRate, formatSpeedup, formatUs } from '../src/common/format.js';
import { tableHead, text } from './summary-view.js';
import { compareFindings } from '../src/trace/run-numbers.js';

export class CompareView {
  readonly element: HTMLElement;
  readonly #table: HTMLTableElement;
  readonly #chart: SVGSVGElement;
  /** The busy-machine warning and the verdict, above the table. */
  readonly #findings: HTMLElement;

  constructor(private readonly onPickRun: (runId: string) => void) {
    this.element = document.createElement('section');
    this.element.className = 'ps-compare';
    this.element.setAttribute('aria-label', 'Compare runs');
    this.#table = document.createElement('table');
    this.#table.className = 'ps-compare-table';
    this.#chart = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.#chart.classList.add('ps-speedup-chart');
    this.#chart.setAttribute('role', 'img');
    const chartWrap = document.createElement('figure');
    chartWrap.className = 'ps-speedup';
    const cap = document.createElement('figcaption');
    cap.textContent = 'Speed-up vs serial, task phase (dashed: ideal = min(workers, cores))';
    chartWrap.append(cap, this.#chart);
    this.#findings = document.createElement('div');
    this.#findings.className = 'ps-compare-findings';
    this.element.append(this.#findings, this.#table, chartWrap);
  }

  /** Renders the runs; hidden when fewer than two. */
  render(runs: RunSummary[], speedups: Map<string, number>, labels: Map<string, string>): void {
    this.element.hidden = runs.length < 2;
    if (runs.length < 2) return;
    // Warnings first (a busy machine makes every speed-up lower), then the verdict from cores used.
    const findings = compareFindings(runs, 'these runs');
    this.#findings.replaceChildren(
      ...findings.warnings.map((w) => text('p', 'ps-compare-warning', w)),
      ...(findings.verdict ? [text('p', 'ps-verdict', findings.verdict)] : []),
    );
    const head = ['Run', 'Backend', 'Where it ran', 'Task phase', 'Σ task time', 'Speed-up', 'Cores used', 'Efficiency', 'Throughput', 'Wait p95', 'Failed'];
    const thead = tableHead(head);
    const tbody = document.createElement('tbody');
    const best = Math.max(...runs.map((r) => speedups.get(r.runId) ?? 0));
    for (const r of runs) {
      const tr = document.createElement('tr');
      tr.dataset.runId = r.runId;
      tr.dataset.backend = r.backend;
      const sp = speedups.get(r.runId);
      // Never above 100 %: the ideal is min(workers, cores).
      const eff = sp !== undefined ? r.efficiency ?? Math.min(1, sp / r.ideal) : undefined;
      const cores = r.coresUsed !== undefined ? `${r.coresUsed.toFixed(1)}${r.cores !== undefined ? ` of ${r.cores}` : ''}` : '–';
      const cells = [
        labels.get(r.runId) ?? r.runId, `${r.backend} × ${r.workers}`, r.identity, r.taskPhaseUs !== undefined ? formatUs(r.taskPhaseUs) : '–', formatUs(r.taskUs),
        formatSpeedup(sp), cores, formatPercent(eff), formatRate(r.throughput), formatUs(r.queueWaitP95Us), formatCount(r.failed),
      ];
      cells.forEach((c, k) => {
        const td = document.createElement(k === 0 ? 'th' : 'td');
        if (k === 0) (td as HTMLTableCellElement).scope = 'row';
        td.textContent = c;
        td.dataset.col = head[k];
        if (k === 5 && sp !== undefined && sp === best && best > 1) td.classList.add('ps-best');
        tr.append(td);
      });
      tr.tabIndex = 0;
      tr.addEventListener('click', () => this.onPickRun(r.runId));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.onPickRun(r.runId); });
      tbody.append(tr);
    }
    const caption = document.createElement('caption');
    caption.textContent = 'Runs side by side (click a row for its summary)';
    this.#table.replaceChildren(caption, thead, tbody);
    this.#renderChart(runs, speedups);
  }

  #renderChart(runs: RunSummary[], speedups: Map<string, number>): void {
    const data = runs.filter((r) => speedups.has(r.runId));
    const svg = select(this.#chart);
    svg.selectAll('*').remove();
    const width = 360;
    const barH = 20;
    const left = 120;
    const height = Math.max(40, data.length * (barH + 6) + 26);
    svg.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
    if (!data.length) {
      svg.append('text').attr('x', 4).attr('y', 20).attr('class', 'ps-chart-note').text('Add a serial run to see speed-up.');
      this.#chart.setAttribute('aria-label', 'No serial baseline');
      return;
    }
    const top = max(data, (r) => Math.max(speedups.get(r.runId) ?? 0, r.ideal)) ?? 1;
    const x = scaleLinear().domain([0, Math.max(1, top) * 1.05]).range([left, width - 10]);
    const y = scaleBand<string>().domain(data.map((r) => r.runId)).range([0, height - 22]).padding(0.2);
    const g = svg.append('g');
    for (const r of data) {
      const sp = speedups.get(r.runId) ?? 0;
      const yy = y(r.runId) ?? 0;
      g.append('text').attr('x', left - 6).attr('y', yy + y.bandwidth() / 2 + 4).attr('text-anchor', 'end')
        .attr('class', 'ps-chart-label').text(`${r.backend} × ${r.workers}`);
      g.append('rect').attr('x', left).attr('y', yy).attr('width', Math.max(1, x(sp) - left)).attr('height', y.bandwidth())
        .attr('class', `ps-chart-bar ps-backend-${r.backend}`);
      g.append('line').attr('x1', x(r.ideal)).attr('x2', x(r.ideal)).attr('y1', yy - 2).attr('y2', yy + y.bandwidth() + 2)
        .attr('class', 'ps-chart-ideal');
      g.append('text').attr('x', x(sp) + 4).attr('y', yy + y.bandwidth() / 2 + 4).attr('class', 'ps-chart-value').text(formatSpeedup(sp));
    }
    g.append('line').attr('x1', x(1)).attr('x2', x(1)).attr('y1', 0).attr('y2', height - 22).attr('class', 'ps-chart-one');
    svg.append('g').attr('transform', `translate(0,${height - 22})`).attr('class', 'ps-chart-axis')
      .call(axisBottom(x).ticks(5).tickFormat((v) => `${v}×`));
    this.#chart.setAttribute('aria-label', data.map((r) => `${r.backend} × ${r.workers}: ${formatSpeedup(speedups.get(r.runId))}`).join(', '));
  }
}

export { text };
