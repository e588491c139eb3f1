/** The run chips: one per run, a checkbox to show or hide it and a link that focuses the summary on it. */
import { runLabel, runTitle } from '../lane-layout.js';
import type { RunSummary } from '../run-summaries.js';
import { text } from '../summary-view.js';
import type { TraceModel } from '../../src/trace/trace-model.js';

export interface RunsListActions {
  setShown(runId: string, shown: boolean): void;
  focus(runId: string): void;
}

export function renderRunsList(el: HTMLElement, model: TraceModel, all: readonly RunSummary[], hidden: ReadonlySet<string>, focused: string | undefined, actions: RunsListActions): void {
  if (model.runs.length < 2) {
    el.replaceChildren();
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const items = model.runs.map((run) => {
    const item = document.createElement('div');
    item.className = 'ps-run-chip';
    if (run.runId === focused) item.classList.add('ps-run-focused');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.checked = !hidden.has(run.runId);
    cb.setAttribute('aria-label', `Show ${runLabel(run)}`);
    cb.addEventListener('change', () => actions.setShown(run.runId, cb.checked));
    const b = document.createElement('button');
    b.className = 'ps-link';
    const s = all.find((x) => x.runId === run.runId);
    b.textContent = runLabel(run) + (s && !s.finished ? ' (live)' : '');
    b.title = `${runTitle(run)} — show this run in the summary`;
    b.addEventListener('click', () => actions.focus(run.runId));
    item.append(cb, b);
    return item;
  });
  el.replaceChildren(text('span', 'ps-runs-title', 'Runs:'), ...items);
}
