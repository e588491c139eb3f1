/**
 * Keeps the toolkit's start-up probe from tripping a strict CSP.
 *
 * When its module is evaluated, FAST (under @vscode/webview-ui-toolkit)
 * checks `:focus-visible` support by appending an empty inline `<style>` and
 * calling `sheet.insertRule`. Under `style-src` without 'unsafe-inline' that
 * element is blocked and reported as a CSP violation (in VS Code's panel and in
 * the hash-CSP HTML report alike; even `type="text/plain"` is checked). While
 * the guard is installed, `createElement('style')` returns an inert
 * `<template>` carrying a constructed stylesheet as `sheet`: no inline style
 * ever exists, and the probe still measures the real browser's support.
 *
 * This module must be imported before the toolkit; `toolkit.ts` removes the
 * guard once the toolkit has loaded.
 */
const originalCreateElement = Document.prototype.createElement;
let installed = false;

function install(): void {
  if (installed || typeof document === 'undefined') return;
  installed = true;
  Document.prototype.createElement = function createElement(this: Document, tagName: string, options?: ElementCreationOptions): HTMLElement {
    if (tagName.toLowerCase() !== 'style' || typeof CSSStyleSheet !== 'function') {
      return originalCreateElement.call(this, tagName, options);
    }
    // An inert <template> stands in for the probe's <style>: it can be appended and removed, is never CSS.
    const el = originalCreateElement.call(this, 'template', options);
    Object.defineProperty(el, 'sheet', { value: new CSSStyleSheet(), configurable: true });
    return el;
  } as Document['createElement'];
}

/** Restores `document.createElement` (called right after the toolkit module loaded). */
export function removeStyleProbeGuard(): void {
  if (!installed) return;
  Document.prototype.createElement = originalCreateElement;
  installed = false;
}

install();
