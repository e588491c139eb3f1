/**
 * Colours for the canvas, read from CSS custom properties (VS Code's theme
 * variables, with the stylesheet's fallbacks in a standalone page) so the
 * chart follows light, dark and high-contrast themes.
 */
import { schemeTableau10 } from 'd3';

export interface Theme {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  laneAlt: string;
  queue: string;
  ok: string;
  running: string;
  failed: string;
  /** Tasks cut short by Stop / terminate / cancel: not failures, drawn grey. */
  cancelled: string;
  mainWait: string;
  cpu: string;
  focus: string;
  highContrast: boolean;
  /** Font family for text drawn on the canvas (canvas fonts cannot use var()). */
  font: string;
  /** Colour per function index (index 0 = unknown function). */
  fn: (index: number) => string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

/** Reads the current theme from the document's computed style. */
export function readTheme(root: HTMLElement = document.body): Theme {
  const s = getComputedStyle(root);
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  // Red is reserved for failures: drop it from the function palette.
  const palette = schemeTableau10.filter((c) => c !== '#e15759');
  return {
    background: cssVar(s, '--ps-chart-bg', '#1e1e1e'),
    foreground: cssVar(s, '--ps-fg', '#cccccc'),
    muted: cssVar(s, '--ps-muted', '#8b8b8b'),
    grid: cssVar(s, '--ps-grid', 'rgba(128,128,128,0.18)'),
    laneAlt: cssVar(s, '--ps-lane-alt', 'rgba(128,128,128,0.06)'),
    queue: cssVar(s, '--ps-queue', 'rgba(150,150,150,0.55)'),
    ok: cssVar(s, '--ps-ok', '#4e9a5b'),
    running: cssVar(s, '--ps-running', '#3794ff'),
    failed: cssVar(s, '--ps-failed', '#f14c4c'),
    cancelled: cssVar(s, '--ps-cancelled', '#8b8b8b'),
    mainWait: cssVar(s, '--ps-main-wait', '#d19a2a'),
    cpu: cssVar(s, '--ps-cpu', '#89d185'),
    focus: cssVar(s, '--ps-focus', '#007fd4'),
    highContrast,
    font: s.fontFamily || 'system-ui, sans-serif',
    fn: (i) => palette[(Math.max(1, i) - 1) % palette.length],
  };
}
