/**
 * The DOM around the canvas that describes tasks: the hover tooltip, the
 * details pane (full error stack, "Reveal in editor"), and the accessible
 * task table for screen readers (capped, in start order).
 */
import { clip, formatCount, formatPercent, formatUs } from '../src/common/format.js';
import { firstUserFrame, type SourceLocation } from '../src/common/stack-frames.js';
import { tableHead, text } from './summary-view.js';
import type { TaskInfo } from './task-info.js';

function rows(info: TaskInfo): [string, string][] {
  const out: [string, string][] = [
    ['task', `#${info.taskId} · ${info.fn}`],
    ['input', clip(info.input || '–', 160)],
  ];
  if (info.error) out.push(['error', `${info.error.name}: ${clip(info.error.message, 200)}`]);
  else if (info.result !== undefined) out.push(['result', clip(info.result, 160)]);
  else out.push(['status', info.status]);
  out.push(
    ['where', `${info.host ? `${info.host} · ` : ''}PID ${info.pid ?? '?'} · thread ${info.threadId ?? '?'} · ${info.worker ?? '?'}`],
    ['queued', info.queued !== undefined ? `at ${formatUs(info.queued)}` : '–'],
    ['start → end', `${info.start !== undefined ? formatUs(info.start) : '–'} → ${info.end !== undefined ? formatUs(info.end) : '…'}`],
    ['duration', info.durationUs !== undefined ? formatUs(info.durationUs) : 'running…'],
    ['queue wait', info.waitUs !== undefined ? formatUs(info.waitUs) : '–'],
  );
  if (info.phases) out.push(['phases', info.phases.map((p) => `${p.name} ${formatUs(p.us)}`).join(' · ')]);
  if (info.slices) out.push(['on thread', `${formatUs(info.onThreadUs ?? 0)} in ${formatCount(info.slices)} slices`]);
  if (info.cpuUs !== undefined) {
    const share = info.cpuFraction !== undefined ? ` · ${formatPercent(info.cpuFraction)} of its run time` : '';
    const how = info.cpuSource === 'sampled' ? ' (sampled)' : info.cpuSource === 'slices' ? ' (in its slices, sampled)' : '';
    out.push(['on CPU', `${formatUs(info.cpuUs)}${share}${how}`]);
  }
  return out;
}

function dl(pairs: [string, string][]): HTMLElement {
  const list = document.createElement('dl');
  for (const [k, v] of pairs) {
    list.append(text('dt', '', k), text('dd', k === 'error' ? 'ps-error-text' : '', v));
  }
  return list;
}

export class Tooltip {
  readonly element: HTMLElement;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'ps-tooltip';
    this.element.setAttribute('role', 'tooltip');
    this.element.hidden = true;
  }

  showTask(info: TaskInfo, clientX: number, clientY: number): void {
    this.element.replaceChildren(dl(rows(info)));
    this.element.classList.toggle('ps-tooltip-failed', info.status === 'failed');
    this.#place(clientX, clientY);
  }

  showText(lines: string[], clientX: number, clientY: number): void {
    this.element.replaceChildren(...lines.map((l) => text('div', '', l)));
    this.element.classList.remove('ps-tooltip-failed');
    this.#place(clientX, clientY);
  }

  hide(): void {
    this.element.hidden = true;
  }

  #place(x: number, y: number): void {
    const el = this.element;
    el.hidden = false;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const left = x + 14 + w > window.innerWidth ? Math.max(4, x - 14 - w) : x + 14;
    const top = y + 16 + h > window.innerHeight ? Math.max(4, y - 8 - h) : y + 16;
    el.style.left = `${left + window.scrollX}px`;
    el.style.top = `${top + window.scrollY}px`;
  }
}

export class DetailsPane {
  readonly element: HTMLElement;
  #location: SourceLocation | undefined;

  constructor(private readonly onReveal: ((loc: SourceLocation) => void) | undefined) {
    this.element = document.createElement('aside');
    this.element.className = 'ps-details';
    this.element.setAttribute('aria-label', 'Task details');
    this.element.hidden = true;
  }

  show(info: TaskInfo, logs: string[]): void {
    const head = document.createElement('header');
    head.append(text('h2', '', `Task #${info.taskId} · ${info.fn}`));
    const close = document.createElement('button');
    close.className = 'ps-close';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Close details');
    close.addEventListener('click', () => this.hide());
    head.append(close);
    const body: HTMLElement[] = [head, dl(rows(info))];
    this.#location = firstUserFrame(info.error?.stack);
    if (info.error) {
      body.push(text('h3', '', `${info.error.name}`), text('p', 'ps-error-text', info.error.message));
      if (info.error.stack) body.push(text('pre', 'ps-stack', info.error.stack));
      if (info.error.data) body.push(text('pre', 'ps-stack', JSON.stringify(info.error.data, null, 2)));
      for (let cause = info.error.cause; cause; cause = cause.cause) {
        body.push(text('h3', '', `Caused by ${cause.name}`), text('p', 'ps-error-text', cause.message));
        if (cause.stack) body.push(text('pre', 'ps-stack', cause.stack));
      }
      if (this.#location && this.onReveal) {
        const loc = this.#location;
        const b = document.createElement('button');
        b.className = 'ps-reveal';
        b.textContent = `Reveal in editor — ${loc.file.split(/[\\/]/).pop()}:${loc.line}:${loc.column}`;
        b.addEventListener('click', () => this.onReveal?.(loc));
        body.push(b);
      }
    } else if (info.result !== undefined) {
      body.push(text('h3', '', 'Result'), text('pre', 'ps-result', info.result));
    }
    if (logs.length) body.push(text('h3', '', 'Output'), text('pre', 'ps-logs', logs.join('')));
    this.element.replaceChildren(...body);
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }

  get location(): SourceLocation | undefined {
    return this.#location;
  }
}

/** Rows shown at most in the accessible table (the canvas holds the rest). */
export const TASK_TABLE_CAP = 500;

export class TaskTable {
  readonly element: HTMLDetailsElement;
  readonly #table: HTMLTableElement;
  readonly #note: HTMLElement;

  constructor(private readonly onPick: (index: number) => void) {
    this.element = document.createElement('details');
    this.element.className = 'ps-task-table';
    const summary = document.createElement('summary');
    summary.textContent = 'Task table (accessible view)';
    this.#note = text('p', 'ps-note', '');
    this.#table = document.createElement('table');
    this.element.append(summary, this.#note, this.#table);
  }

  get open(): boolean {
    return this.element.open;
  }

  /** `tasks` in start order (already capped by the caller to what it wants listed). */
  render(title: string, total: number, tasks: TaskInfo[]): void {
    this.#note.textContent = total > tasks.length
      ? `${title}: showing the first ${formatCount(tasks.length)} of ${formatCount(total)} tasks by start time.`
      : `${title}: ${formatCount(total)} tasks.`;
    const head = ['Task', 'Function', 'PID', 'Thread', 'Worker', 'Start', 'Duration', 'Queue wait', 'Outcome'];
    const thead = tableHead(head);
    const tbody = document.createElement('tbody');
    for (const t of tasks) {
      const row = document.createElement('tr');
      if (t.status === 'failed') row.className = 'ps-row-failed';
      const outcome = t.error ? `${t.error.name}: ${clip(t.error.message, 80)}` : t.result !== undefined ? clip(t.result, 60) : t.status;
      const cells = [`#${t.taskId}`, t.fn, String(t.pid ?? '?'), String(t.threadId ?? '?'), t.worker ?? '?',
        t.start !== undefined ? formatUs(t.start) : '–', t.durationUs !== undefined ? formatUs(t.durationUs) : '…',
        t.waitUs !== undefined ? formatUs(t.waitUs) : '–', outcome];
      cells.forEach((c, k) => {
        const td = document.createElement(k === 0 ? 'th' : 'td');
        if (k === 0) {
          (td as HTMLTableCellElement).scope = 'row';
          const b = document.createElement('button');
          b.className = 'ps-link';
          b.textContent = c;
          b.addEventListener('click', () => this.onPick(t.index));
          td.append(b);
        } else {
          td.textContent = c;
        }
        row.append(td);
      });
      tbody.append(row);
    }
    this.#table.replaceChildren(thead, tbody);
  }
}
