/**
 * The only module that knows which web-component library draws the toolbar
 * controls (`@vscode/webview-ui-toolkit` today). The toolkit is no longer
 * maintained upstream; to move to `@vscode-elements/elements`, change the
 * registrations and tag names here — callers only use these factories and the
 * plain DOM events they document.
 */
import { removeStyleProbeGuard } from './style-probe-guard.js';
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDropdown, vsCodeOption, vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

// The toolkit's module body (and its CSP-unfriendly probe) has run by now: see style-probe-guard.ts.
removeStyleProbeGuard();

let registered = false;

/** Registers the custom elements once (idempotent). */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField());
}

export interface ButtonOptions {
  label: string;
  title?: string;
  /** 'primary' for the main action, 'secondary' for the rest. @default 'secondary' */
  appearance?: 'primary' | 'secondary' | 'icon';
  onClick(): void;
}

/** A toolbar button; fires `onClick` on click and on Enter/Space (the element handles keys). */
export function createButton(o: ButtonOptions): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = o.label;
  b.setAttribute('appearance', o.appearance ?? 'secondary');
  if (o.title) {
    b.title = o.title;
    b.setAttribute('aria-label', o.title);
  }
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) o.onClick();
  });
  return b;
}

export interface DropdownOptions<T extends string> {
  label: string;
  options: readonly { value: T; text: string }[];
  value: T;
  onChange(value: T): void;
}

/** A labelled dropdown; `setValue` updates it without firing `onChange`. */
export function createDropdown<T extends string>(o: DropdownOptions<T>): { element: HTMLElement; setValue(v: T): void; setOptions(opts: readonly { value: T; text: string }[]): void } {
  const wrap = document.createElement('label');
  wrap.className = 'ps-field';
  const caption = document.createElement('span');
  caption.className = 'ps-field-label';
  caption.textContent = o.label;
  const dd = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  dd.setAttribute('aria-label', o.label);
  let silent = false;
  const fill = (opts: readonly { value: T; text: string }[]) => {
    dd.replaceChildren(...opts.map((opt) => {
      const el = document.createElement('vscode-option') as HTMLElement & { value: string };
      el.setAttribute('value', opt.value);
      el.textContent = opt.text;
      return el;
    }));
  };
  fill(o.options);
  dd.addEventListener('change', () => {
    if (!silent) o.onChange(dd.value as T);
  });
  wrap.append(caption, dd);
  const setValue = (v: T) => {
    silent = true;
    dd.value = v;
    queueMicrotask(() => { silent = false; });
  };
  setValue(o.value);
  return { element: wrap, setValue, setOptions: fill };
}

export interface NumberFieldOptions {
  label: string;
  value: number;
  min: number;
  max: number;
  onChange(value: number): void;
}

/** A small numeric input (the pool size); invalid entries snap back. The caller places the visible label. */
export function createNumberField(o: NumberFieldOptions): { element: HTMLElement; setValue(v: number): void; setMax(max: number): void } {
  const tf = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  tf.setAttribute('type', 'number');
  tf.setAttribute('size', '3');
  tf.setAttribute('aria-label', o.label);
  tf.className = 'ps-number';
  let max = o.max;
  let current = o.value;
  tf.value = String(o.value);
  tf.addEventListener('change', () => {
    const n = Number(tf.value);
    if (Number.isInteger(n) && n >= o.min && n <= max) {
      current = n;
      o.onChange(n);
    } else {
      tf.value = String(current);
    }
  });
  return {
    element: tf,
    setValue: (v) => { current = v; tf.value = String(v); },
    setMax: (m) => { max = m; },
  };
}

/** A checkbox with a label; `setChecked` does not fire `onChange`. */
export function createCheckbox(label: string, checked: boolean, onChange: (checked: boolean) => void): { element: HTMLElement; setChecked(c: boolean): void } {
  const cb = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  cb.textContent = label;
  cb.checked = checked;
  let silent = false;
  cb.addEventListener('change', () => {
    if (!silent) onChange(cb.checked);
  });
  return {
    element: cb,
    setChecked: (c) => {
      if (cb.checked === c) return;
      silent = true;
      cb.checked = c;
      queueMicrotask(() => { silent = false; });
    },
  };
}

/** Enables or disables a control created here. */
export function setEnabled(el: HTMLElement, enabled: boolean): void {
  if (enabled) el.removeAttribute('disabled');
  else el.setAttribute('disabled', '');
}
