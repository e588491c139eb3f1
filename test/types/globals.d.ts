// Globals the webview tests' page code reads (page.evaluate callbacks run in the page, typed here for
// tsconfig.tests.json): the test bundle's hook and what test/webview/browser.mjs installs.
import type { TestHook } from '../../webview/app/test-hook.js';
import type { FromWebview } from '../../src/common/webview-protocol.js';
import type { PersistedState } from '../../webview/app/persisted-state.js';

declare global {
  interface Window {
    /** The test bundle's read-only view of what is shown (webview/app/test-hook.ts). */
    readonly __poolscope: TestHook;
    /** browser.mjs: messages the page posted to its fake VS Code host, and the state it saved last (or was given). */
    __vscodePosted: FromWebview[];
    __vscodeState: () => PersistedState | undefined;
    /** browser.mjs: CSP violations seen by the page. */
    __cspViolations: string[];
    /** live-stream.test.mjs: the flushes to post. */
    __flushes: unknown[][];
  }
}

export {};
