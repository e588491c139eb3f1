/** The legend under the chart: what each colour and mark means for what is shown. */
import type { Theme } from '../theme.js';
import type { TraceModel } from '../../src/trace/trace-model.js';
import type { ColorMode } from '../timeline/view.js';
import { phaseFill } from '../timeline/lane-painter.js';

export type LegendMark = 'swatch' | 'queue' | 'startup' | 'start' | 'cross' | 'ring' | 'cpu' | 'thin' | 'on-cpu' | 'waiting';

/** The legend entries [mark, colour, label] for a model in a colour mode. */
export function legendEntries(model: TraceModel, colorMode: ColorMode, th: Theme): [LegendMark, string, string][] {
  const entries: [LegendMark, string, string][] = [];
  if (colorMode === 'function') {
    model.fnNames.slice(1, 11).forEach((name, k) => entries.push(['swatch', th.fn(k + 1), name]));
    if (model.fnNames.length > 11) entries.push(['swatch', th.muted, `+${model.fnNames.length - 11} more functions`]);
  } else {
    entries.push(['swatch', th.ok, 'ok'], ['swatch', th.running, 'running']);
  }
  entries.push(['swatch', th.failed, 'failed'], ['swatch', th.cancelled, 'cancelled (stopped)'], ['queue', th.queue, 'queue wait'], ['startup', th.muted, 'worker start-up'], ['start', th.ok, 'worker ready'],
    ['cross', th.failed, 'worker crashed'], ['ring', th.running, 'recycled'], ['swatch', th.mainWait, 'main program waited']);
  const sampled = model.lanes.some((l) => l.cpu.length);
  if (sampled || hasTaskCpu(model)) {
    // Bars are drawn as they ran (timeline/lane-painter.ts): the two styles of one bar.
    const colour = colorMode === 'function' ? th.fn(1) : th.ok;
    entries.push(['on-cpu', colour, 'on CPU (full colour; height = share of the time)'],
      ['waiting', colour, 'waiting: GIL, event loop or a busy core (pale)']);
  }
  if (sampled) entries.push(['cpu', th.cpu, 'thread on CPU, in or out of tasks (strip)']);
  const phases = phaseNames(model);
  if (phases.length) {
    // An engine's own parts of a task (Dask's task stream), drawn inside the bars.
    const colour = colorMode === 'function' ? th.fn(1) : th.ok;
    for (const name of phases) entries.push(['swatch', phaseFill(name, colour, th.muted), name === 'compute' ? 'compute (the task\'s colour)' : `engine: ${name}`]);
    entries.push(['waiting', colour, 'between phases (pale)']);
  }
  if (model.slices.count) {
    entries.push(['thin', th.muted, 'in flight (event loop)']);
    if (colorMode === 'function' && model.fnNames.length <= 2) entries.push(['swatch', th.fn(2), 'event loop: one colour per task']);
  }
  return entries;
}

/** Phase names the model's tasks carry, compute first, at most 8. */
function phaseNames(model: TraceModel): string[] {
  const names = new Set<string>();
  for (const phases of model.tasks.phases.values()) {
    for (const p of phases) names.add(p.name);
    if (names.size >= 8) break;
  }
  return [...names].sort((a, b) => (a === 'compute' ? -1 : b === 'compute' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

function hasTaskCpu(model: TraceModel): boolean {
  const cpu = model.tasks.cpuUs;
  for (let i = 0; i < model.tasks.count; i++) if (!Number.isNaN(cpu[i])) return true;
  return false;
}

export function renderLegend(el: HTMLElement, model: TraceModel, colorMode: ColorMode, th: Theme): void {
  el.replaceChildren(...legendEntries(model, colorMode, th).map(([kind, color, label]) => {
    const item = document.createElement('span');
    item.className = 'ps-legend-item';
    const sw = document.createElement('span');
    sw.className = `ps-legend-mark ps-mark-${kind}`;
    sw.style.setProperty('--mark', color);
    item.append(sw, document.createTextNode(label));
    return item;
  }));
}
