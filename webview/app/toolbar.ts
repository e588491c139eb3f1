/** The toolbar: run controls (VS Code panel only), view controls and file actions. */
import { NODE_RUN_BACKENDS, type NodeRunBackend } from '../../src/common/backends.js';
import type { HostKind } from '../../src/common/webview-protocol.js';
import { text } from '../summary-view.js';
import { KEY_ZOOM_FACTOR } from '../timeline/keyboard.js';
import type { ColorMode } from '../timeline/view.js';
import { createButton, createCheckbox, createDropdown, createNumberField, setEnabled } from '../controls.js';

export interface ToolbarConfig {
  backend: NodeRunBackend;
  workers: number;
  running: boolean;
  backends: NodeRunBackend[];
  maxWorkers: number;
}

export interface ToolbarActions {
  setBackend(b: NodeRunBackend): void;
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
  readonly #backend: ReturnType<typeof createDropdown<NodeRunBackend>>;
  readonly #workers: ReturnType<typeof createNumberField>;
  readonly #run: HTMLButtonElement;
  readonly #compare: HTMLButtonElement;
  readonly #stop: HTMLButtonElement;
  /** Run controls are disabled while the host says it cannot run (Restricted Mode, a read-only trace). */
  #canRun = true;
  readonly #follow: ReturnType<typeof createCheckbox>;
  readonly #aligned: ReturnType<typeof createCheckbox>;
  readonly #color: ReturnType<typeof createDropdown<ColorMode>>;

  /** `readOnly`: a trace file's panel — no run controls and no Clear (the file is what it shows). */
  constructor(hostKind: HostKind, config: ToolbarConfig, follow: boolean, a: ToolbarActions, readOnly = false) {
    const bar = document.createElement('div');
    bar.className = 'ps-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Timeline actions');
    const hostOnly = document.createElement('div');
    hostOnly.className = 'ps-group ps-host-only';
    this.#backend = createDropdown<NodeRunBackend>({
      label: 'Backend', options: NODE_RUN_BACKENDS.map((b) => ({ value: b, text: b })), value: config.backend,
      onChange: (b) => a.setBackend(b),
    });
    this.#workers = createNumberField({
      label: 'Workers', value: config.workers, min: 1, max: config.maxWorkers,
      onChange: (n) => a.setWorkers(n),
    });
    const workersWrap = document.createElement('label');
    workersWrap.className = 'ps-field';
    workersWrap.append(text('span', 'ps-field-label', 'Workers'), this.#workers.element);
    this.#run = createButton({ label: 'Run again', icon: 'play', showLabel: true, primary: true, title: 'Run again with this backend and pool size', onClick: () => a.runAgain() });
    this.#compare = createButton({ label: 'Compare backends', icon: 'layers', title: 'Compare backends: run serial, event-loop, thread and process on one clock', onClick: () => a.compare() });
    this.#stop = createButton({ label: 'Stop', icon: 'debug-stop', title: 'Stop the running pool', onClick: () => a.stop() });
    setEnabled(this.#stop, false);
    hostOnly.append(this.#backend.element, workersWrap, this.#run, this.#compare, this.#stop);

    const viewGroup = document.createElement('div');
    viewGroup.className = 'ps-group';
    const fit = createButton({ label: 'Fit', icon: 'screen-full', title: 'Fit all (0)', onClick: () => a.fit() });
    const zoomIn = createButton({ label: 'Zoom in', icon: 'zoom-in', title: 'Zoom in (+)', onClick: () => a.zoomBy(KEY_ZOOM_FACTOR) });
    const zoomOut = createButton({ label: 'Zoom out', icon: 'zoom-out', title: 'Zoom out (−)', onClick: () => a.zoomBy(1 / KEY_ZOOM_FACTOR) });
    this.#follow = createCheckbox('Follow', follow, (on) => a.setFollow(on), 'Follow the newest time while a run streams (F)');
    this.#aligned = createCheckbox('Aligned starts', false, (on) => a.setAligned(on), 'Every run starts at 0 instead of sharing one clock');
    this.#color = createDropdown<ColorMode>({
      label: 'Colour', options: [{ value: 'function', text: 'by function' }, { value: 'status', text: 'by status' }], value: 'function',
      onChange: (m) => a.setColorMode(m),
    });
    viewGroup.append(fit, zoomIn, zoomOut, this.#follow.element, this.#aligned.element, this.#color.element);

    const fileGroup = document.createElement('div');
    fileGroup.className = 'ps-group';
    const exportJson = createButton({ label: 'Export JSON', icon: 'json', title: 'Export JSON: Chrome Trace Event format (opens in Perfetto and speedscope)', onClick: () => a.exportJson() });
    const exportCsv = createButton({ label: 'CSV', icon: 'file-code', title: 'Export CSV: one row per task', onClick: () => a.exportCsv() });
    const exportPng = createButton({ label: 'PNG', icon: 'device-camera', title: 'Export PNG: a snapshot of the chart', onClick: () => a.exportPng() });
    const open = createButton({ label: 'Open trace…', icon: 'folder-opened', title: 'Open trace…: a Chrome trace JSON exported by PoolScope (or another tool)', onClick: () => a.openTrace() });
    const clear = createButton({ label: 'Clear', icon: 'clear-all', title: 'Clear: forget all runs', onClick: () => a.clear() });
    fileGroup.append(exportJson, exportCsv, exportPng, open, clear);

    if (hostKind === 'standalone' || readOnly) hostOnly.hidden = true;
    if (readOnly) clear.hidden = true;
    bar.append(hostOnly, viewGroup, fileGroup);
    this.element = bar;
  }

  apply(config: ToolbarConfig): void {
    this.#backend.setOptions(config.backends.map((b) => ({ value: b, text: b })));
    this.#backend.setValue(config.backend);
    this.#workers.setMax(config.maxWorkers);
    this.#workers.setValue(config.workers);
    setEnabled(this.#run, this.#canRun && !config.running);
    setEnabled(this.#compare, this.#canRun && !config.running);
    setEnabled(this.#stop, config.running);
    setEnabled(this.#backend.select, this.#canRun);
    setEnabled(this.#workers.element, this.#canRun);
  }

  /** Enables or disables the run controls for good (until the host says otherwise), with the reason as their tooltip. */
  setCanRun(can: boolean, reason: string | undefined, config: ToolbarConfig): void {
    this.#canRun = can;
    for (const b of [this.#run, this.#compare]) {
      if (!b.dataset.title) b.dataset.title = b.title;
      b.title = can ? b.dataset.title : `${b.dataset.title} — ${reason ?? 'not available'}`;
    }
    this.apply(config);
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
