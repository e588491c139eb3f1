/**
 * The webview's view of its host. In VS Code it is `acquireVsCodeApi()`
 * (postMessage + getState/setState persistence); in a standalone page (the
 * CLI's HTML report, tests, the render bench) the trace is embedded in the
 * page and host actions such as export happen in the page itself.
 *
 * Either way, incoming messages are validated with `parseToWebview` before
 * the app sees them.
 */
import { EMBEDDED_TRACE_ELEMENT_ID, decodeEmbeddedTrace, type EmbeddedTrace } from '../src/trace/embedded-trace.js';
import { parseToWebview, type FromWebview, type HostKind, type ToWebview } from '../src/common/webview-protocol.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code inside webviews only.
  function acquireVsCodeApi(): VsCodeApi;
}

export interface Host {
  readonly kind: HostKind;
  /** The trace embedded in the page (standalone only). */
  readonly embedded: EmbeddedTrace | undefined;
  post(message: FromWebview): void;
  /** Registers the handler for validated host messages (`arrivedAt`: performance.now() before the message was read and checked). */
  listen(handler: (message: ToWebview, arrivedAt: number) => void): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Messages the page posted, kept for tests and debugging (bounded). */
export const postedMessages: FromWebview[] = [];
const MAX_POSTED = 1000;

function remember(message: FromWebview): void {
  if (postedMessages.length >= MAX_POSTED) postedMessages.shift();
  postedMessages.push(message);
}

function listenToWindow(handler: (message: ToWebview, arrivedAt: number) => void, onRejected: (raw: unknown) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const arrivedAt = performance.now();
    const message = parseToWebview(event.data);
    if (message) handler(message, arrivedAt);
    else onRejected(event.data);
  });
}

function rejected(raw: unknown): void {
  const type = typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : typeof raw;
  console.warn(`PoolScope: ignored an invalid message from the host (type ${type.slice(0, 40)})`);
}

/** Picks the host: VS Code when `acquireVsCodeApi` exists, else standalone. */
export function detectHost(): Host {
  const embeddedEl = document.getElementById(EMBEDDED_TRACE_ELEMENT_ID);
  const embedded = embeddedEl?.textContent ? decodeEmbeddedTrace(embeddedEl.textContent) : undefined;
  if (embeddedEl) {
    // The text is parsed once; drop it from the DOM so a million-task trace is not held twice.
    embeddedEl.textContent = '';
  }
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      kind: 'vscode',
      embedded,
      post: (m) => { remember(m); api.postMessage(m); },
      listen: (h) => listenToWindow(h, rejected),
      getState: () => api.getState(),
      setState: (s) => api.setState(s),
    };
  }
  let state: unknown;
  return {
    kind: 'standalone',
    embedded,
    post: (m) => remember(m),
    // A standalone page can still be driven by postMessage (live demos, the render bench).
    listen: (h) => listenToWindow(h, rejected),
    getState: () => state,
    setState: (s) => { state = s; },
  };
}
