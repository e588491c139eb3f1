/** The toolbar: run controls (VS Code panel only), view controls and file actions. */
import type { NodeBackend } from '../../src/trace/events.js';
import { NODE_BACKENDS } from '../../src/common/backends.js';
import type { HostKind } from '../../src/common/webview-protocol.js';
import { text } from '../summary-view.js';
import { KEY_ZOOM_FACTOR } from '../timeline/keyboard.js';
import type { ColorMode } from '../timeline/view.js';
import { createButton, createCheckbox, createDropdown, createNumberField, setEnabled } from '../toolkit.js';

export interface ToolbarConfig {
  backend: NodeBackend;
  workers: number;
  running: boolean;
  backends: NodeBackend[];
  maxWorkers: number;
}

export interface ToolbarActions {
  setBackend(b: NodeBackend): void;
  setWorkers(n: number): void;
  runAgain(): void;
  compare(): void;
  stop(): void;
  fit(): void;
  zoomBy(factor: number): void;
  setFollow(on: boolean): void;
  setAligned(on: boolean): void;
  setColorMode(m: ColorMode): void;
  exportJson(): void;
  exportCsv(): void;
  exportPng(): void;
  openTrace(): void;
  clear(): void;
}

export class Toolbar {
  readonly element: HTMLElement;
  readonly #backend: ReturnType<typeof createDropdown<NodeBackend>>;
  readonly #workers: ReturnType<typeof createNumberField>;
  readonly #run: HTMLElement;
  readonly #compare: HTMLElement;
  readonly #stop: HTMLElement;
  readonly #follow: ReturnType<typeof createCheckbox>;
  readonly #aligned: ReturnType<typeof createCheckbox>;
  readonly #color: ReturnType<typeof createDropdown<ColorMode>>;

  constructor(hostKind: HostKind, config: ToolbarConfig, follow: boolean, a: ToolbarActions) {
    const bar = document.createElement('div');
    bar.className = 'ps-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Timeline actions');
    const hostOnly = document.createElement('div');
    hostOnly.className = 'ps-group ps-host-only';
    this.#backend = createDropdown<NodeBackend>({
      label: 'Backend', options: NODE_BACKENDS.map((b) => ({ value: b, text: b })), value: config.backend,
      onChange: (b) => a.setBackend(b),
    });
    this.#workers = createNumberField({
      label: 'Workers', value: config.workers, min: 1, max: config.maxWorkers,
      onChange: (n) => a.setWorkers(n),
    });
    const workersWrap = document.createElement('label');
    workersWrap.className = 'ps-field';
    workersWrap.append(text('span', 'ps-field-label', 'Workers'), this.#workers.element);
    this.#run = createButton({ label: '▶ Run again', appearance: 'primary', title: 'Run again with this backend and pool size', onClick: () => a.runAgain() });
    this.#compare = createButton({ label: 'Compare backends', title: 'Run serial, event-loop, thread and process on one clock', onClick: () => a.compare() });
    this.#stop = createButton({ label: '■ Stop', title: 'Stop the running pool', onClick: () => a.stop() });
    setEnabled(this.#stop, false);
    hostOnly.append(this.#backend.element, workersWrap, this.#run, this.#compare, this.#stop);

    const viewGroup = document.createElement('div');
    viewGroup.className = 'ps-group';
    const fit = createButton({ label: 'Fit', title: 'Fit all (0)', onClick: () => a.fit() });
    const zoomIn = createButton({ label: '+', title: 'Zoom in (+)', onClick: () => a.zoomBy(KEY_ZOOM_FACTOR) });
    const zoomOut = createButton({ label: '−', title: 'Zoom out (−)', onClick: () => a.zoomBy(1 / KEY_ZOOM_FACTOR) });
    this.#follow = createCheckbox('Follow', follow, (on) => a.setFollow(on));
    this.#aligned = createCheckbox('Aligned starts', false, (on) => a.setAligned(on));
    this.#color = createDropdown<ColorMode>({
      label: 'Colour', options: [{ value: 'function', text: 'by function' }, { value: 'status', text: 'by status' }], value: 'function',
      onChange: (m) => a.setColorMode(m),
    });
    viewGroup.append(fit, zoomIn, zoomOut, this.#follow.element, this.#aligned.element, this.#color.element);

    const fileGroup = document.createElement('div');
    fileGroup.className = 'ps-group';
    const exportJson = createButton({ label: 'Export JSON', title: 'Chrome Trace Event JSON (opens in Perfetto and speedscope)', onClick: () => a.exportJson() });
    const exportCsv = createButton({ label: 'CSV', title: 'One row per task', onClick: () => a.exportCsv() });
    const exportPng = createButton({ label: 'PNG', title: 'Snapshot of the chart', onClick: () => a.exportPng() });
    const open = createButton({ label: 'Open trace…', title: 'Open a Chrome trace JSON exported by PoolScope (or another tool)', onClick: () => a.openTrace() });
    const clear = createButton({ label: 'Clear', title: 'Forget all runs', onClick: () => a.clear() });
    fileGroup.append(exportJson, exportCsv, exportPng, open, clear);

    if (hostKind === 'standalone') hostOnly.hidden = true;
    bar.append(hostOnly, viewGroup, fileGroup);
    this.element = bar;
  }

  apply(config: ToolbarConfig): void {
    this.#backend.setOptions(config.backends.map((b) => ({ value: b, text: b })));
    this.#backend.setValue(config.backend);
    this.#workers.setMax(config.maxWorkers);
    this.#workers.setValue(config.workers);
    setEnabled(this.#run, !config.running);
    setEnabled(this.#compare, !config.running);
    setEnabled(this.#stop, config.running);
  }

  showViewSettings(s: { colorMode: ColorMode; follow: boolean; aligned: boolean }): void {
    this.#color.setValue(s.colorMode);
    this.#follow.setChecked(s.follow);
    this.#aligned.setChecked(s.aligned);
  }

  setFollow(on: boolean): void {
    this.#follow.setChecked(on);
  }
}
