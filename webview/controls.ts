/**
 * The toolbar's controls: native <button>, <select>, <input> and checkbox
 * elements styled with VS Code's theme variables (media/timeline.css), and
 * codicons (the icons VS Code itself uses) inlined as SVG from
 * @vscode/codicons at build time — no web-component library, no icon font,
 * nothing for the CSP to allow beyond the page's own script and style.
 */
import clearAll from '@vscode/codicons/src/icons/clear-all.svg';
import debugStop from '@vscode/codicons/src/icons/debug-stop.svg';
import deviceCamera from '@vscode/codicons/src/icons/device-camera.svg';
import fileCode from '@vscode/codicons/src/icons/file-code.svg';
import folderOpened from '@vscode/codicons/src/icons/folder-opened.svg';
import json from '@vscode/codicons/src/icons/json.svg';
import layers from '@vscode/codicons/src/icons/layers.svg';
import play from '@vscode/codicons/src/icons/play.svg';
import screenFull from '@vscode/codicons/src/icons/screen-full.svg';
import zoomIn from '@vscode/codicons/src/icons/zoom-in.svg';
import zoomOut from '@vscode/codicons/src/icons/zoom-out.svg';

export const ICONS = {
  'clear-all': clearAll, 'debug-stop': debugStop, 'device-camera': deviceCamera, 'file-code': fileCode,
  'folder-opened': folderOpened, json, layers, play, 'screen-full': screenFull, 'zoom-in': zoomIn, 'zoom-out': zoomOut,
} as const;
export type IconName = keyof typeof ICONS;

/** An inline codicon (decorative: the control carries the accessible name). */
export function icon(name: IconName): Element {
  const t = document.createElement('template');
  // The SVG text is a build-time constant from @vscode/codicons, not user input.
  t.innerHTML = ICONS[name];
  const svg = t.content.firstElementChild as SVGElement;
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('ps-icon');
  return svg;
}

export interface ButtonOptions {
  /** The accessible name (and the visible text when `showLabel`). */
  label: string;
  /** Tooltip; defaults to the label. */
  title?: string;
  icon?: IconName;
  /** Shows the label next to the icon (the main action). */
  showLabel?: boolean;
  primary?: boolean;
  onClick(): void;
}

/** A toolbar button: a codicon, its name as aria-label and tooltip; Enter/Space click it natively. */
export function createButton(o: ButtonOptions): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `ps-btn${o.primary ? ' ps-btn-primary' : ''}${o.icon && !o.showLabel ? ' ps-btn-icon' : ''}`;
  b.setAttribute('aria-label', o.label);
  b.title = o.title ?? o.label;
  if (o.icon) b.append(icon(o.icon));
  if (!o.icon || o.showLabel) {
    const span = document.createElement('span');
    span.textContent = o.label;
    b.append(span);
  }
  b.addEventListener('click', () => {
    if (!b.disabled) o.onClick();
  });
  return b;
}

export interface DropdownOptions<T extends string> {
  label: string;
  options: readonly { value: T; text: string }[];
  value: T;
  onChange(value: T): void;
}

/** A labelled <select>; `setValue` updates it without firing `onChange`. */
export function createDropdown<T extends string>(o: DropdownOptions<T>): { element: HTMLElement; select: HTMLSelectElement; setValue(v: T): void; setOptions(opts: readonly { value: T; text: string }[]): void } {
  const wrap = document.createElement('label');
  wrap.className = 'ps-field';
  const caption = document.createElement('span');
  caption.className = 'ps-field-label';
  caption.textContent = o.label;
  const select = document.createElement('select');
  select.className = 'ps-select';
  const fill = (opts: readonly { value: T; text: string }[]) => {
    const current = select.value;
    select.replaceChildren(...opts.map((opt) => {
      const el = document.createElement('option');
      el.value = opt.value;
      el.textContent = opt.text;
      return el;
    }));
    if (opts.some((x) => x.value === current)) select.value = current;
  };
  fill(o.options);
  // Programmatic value changes fire no event; only the user's do.
  select.addEventListener('change', () => o.onChange(select.value as T));
  wrap.append(caption, select);
  const setValue = (v: T) => { select.value = v; };
  setValue(o.value);
  return { element: wrap, select, setValue, setOptions: fill };
}

export interface NumberFieldOptions {
  label: string;
  value: number;
  min: number;
  max: number;
  onChange(value: number): void;
}

/** A small numeric input (the pool size); invalid entries snap back. The caller places the visible label. */
export function createNumberField(o: NumberFieldOptions): { element: HTMLInputElement; setValue(v: number): void; setMax(max: number): void } {
  const input = document.createElement('input');
  input.type = 'number';
  input.className = 'ps-number';
  input.setAttribute('aria-label', o.label);
  input.min = String(o.min);
  input.max = String(o.max);
  input.step = '1';
  let max = o.max;
  let current = o.value;
  input.value = String(o.value);
  input.addEventListener('change', () => {
    const n = Number(input.value);
    if (Number.isInteger(n) && n >= o.min && n <= max) {
      current = n;
      o.onChange(n);
    } else {
      input.value = String(current);
    }
  });
  return {
    element: input,
    setValue: (v) => { current = v; input.value = String(v); },
    setMax: (m) => { max = m; input.max = String(m); },
  };
}

/** A labelled checkbox; `setChecked` does not fire `onChange`. */
export function createCheckbox(label: string, checked: boolean, onChange: (checked: boolean) => void, title?: string): { element: HTMLElement; input: HTMLInputElement; setChecked(c: boolean): void } {
  const wrap = document.createElement('label');
  wrap.className = 'ps-check';
  if (title) wrap.title = title;
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  const span = document.createElement('span');
  span.textContent = label;
  wrap.append(input, span);
  return { element: wrap, input, setChecked: (c) => { input.checked = c; } };
}

export function setEnabled(el: HTMLButtonElement | HTMLInputElement | HTMLSelectElement, enabled: boolean): void {
  el.disabled = !enabled;
}
