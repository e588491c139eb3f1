/**
 * Entry of the timeline bundle (dist/webview.js). Runs in a VS Code webview
 * and in a standalone page; see host.ts for how it tells them apart and
 * embedded-trace.ts for how a page hands it a trace.
 */
import { App } from './app/app.js';
import { detectHost } from './host.js';

function boot(): void {
  const root = document.getElementById('poolscope-root') ?? document.body.appendChild(document.createElement('div'));
  root.id = 'poolscope-root';
  root.classList.add('ps-app');
  new App(detectHost(), root).start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
