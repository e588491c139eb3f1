/** The one line above the lanes: what the focused run is and how it did, in the panel's narrowest width. */
import { formatCount, formatSpeedup, formatUs } from '../../src/common/format.js';
import { isCancelledError } from '../../src/trace/run-numbers.js';
import { isCompleteRun, type RunSummary } from '../run-summaries.js';

/** `hosts`: the run's host line, for runs on several machines or a distributed engine (src/trace/hosts.ts). */
export function renderStatsLine(el: HTMLElement, s: RunSummary | undefined, speedup: number | undefined, hosts?: string): void {
  if (!s) { el.replaceChildren(); return; }
  // A run cut short (stopped, broken) did not do the same work: no speed-up for it.
  const sp = isCompleteRun(s) ? s.speedupVsSerial ?? speedup : undefined;
  const stat = (label: string, value: string, bad = false) => {
    const span = document.createElement('span');
    span.className = `ps-stat${bad ? ' ps-stat-bad' : ''}`;
    const b = document.createElement('b');
    b.textContent = value;
    span.append(`${label} `, b);
    return span;
  };
  const main = document.createElement('span');
  main.className = 'ps-stat-main';
  main.textContent = `${s.backend} × ${s.workers} · ${s.identity}`;
  const parts: HTMLElement[] = [main];
  if (hosts) {
    const where = document.createElement('span');
    where.className = 'ps-stat ps-stat-hosts';
    where.textContent = hosts;
    parts.push(where);
  }
  parts.push(stat('wall', formatUs(s.wallUs)));
  // Once the run is over, tasks that never ran are "not run", not "pending" (nothing will run them).
  const tasks = `${formatCount(s.ok)} ok${s.failed ? ` · ${formatCount(s.failed)} failed` : ''}${s.cancelled ? ` · ${formatCount(s.cancelled)} cancelled` : ''}`
    + `${s.pending ? ` · ${formatCount(s.pending)} ${s.finished ? 'not run' : 'pending'}` : ''}`;
  parts.push(stat('tasks', tasks, s.failed > 0));
  if (sp !== undefined) parts.push(stat('speed-up', formatSpeedup(sp)));
  parts.push(stat('queue p95', formatUs(s.queueWaitP95Us)));
  if (!s.finished) parts.push(stat('', 'running…'));
  else if (s.error) parts.push(stat('', isCancelledError(s.error) ? 'stopped' : `ended: ${s.error.name}`, !isCancelledError(s.error)));
  el.replaceChildren(...parts);
}
