// buildHtmlReport(): one self-contained page with a strict CSP and the trace as a data block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { buildHtmlReport, reportCsp, cspHashSource, EMBEDDED_TRACE_ELEMENT_ID } from '../../dist/trace.mjs';
import { defined, firstOf } from '../fixtures/trace-events.mjs';

/** @type {import('../../dist/trace.mjs').TraceEvent[]} */
const events = [
  { runId: 'r', seq: 0, type: 'run-start', t: 0, backend: 'thread', workers: 1, inputsCount: 1, node: 'v20', pid: 1, originUs: 1 },
  { runId: 'r', seq: 1, type: 'task-queued', t: 1, taskId: 0, fn: 'f', inputPreview: '["</script><script>window.pwned=1</script>", "&amp; \u2028"]' },
];
// A stand-in bundle: reads the data block the way the webview does and shows what it found.
const webviewJs = `(() => {
  const el = document.getElementById(${JSON.stringify(EMBEDDED_TRACE_ELEMENT_ID)});
  const doc = JSON.parse(el.textContent);
  document.body.dataset.events = String(doc.events.length);
  document.body.dataset.input = doc.events[1].inputPreview;
  document.body.dataset.title = doc.title;
  const s = "</script>"; document.body.dataset.s = s;
})();`;
const css = 'body { color: rgb(1, 2, 3); }';

/** Parses a CSP header value into { directive: [sources] }. */
function parseCsp(text) {
  return Object.fromEntries(text.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name, sources];
  }));
}

function unescapeAttr(s) {
  return s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
}

test("cspHashSource() is the CSP 'sha256-…' source of the exact text, also for non-ASCII", () => {
  for (const text of ['', 'abc', 'é ✓ 𝄞 \u2028', 'x'.repeat(100_003)]) {
    assert.equal(cspHashSource(text), `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`, `length ${text.length}`);
  }
});

test('buildHtmlReport() embeds the trace as an escaped JSON data block with the agreed id', () => {
  const html = buildHtmlReport({ events, webviewJs, css, title: 'demo.ts <fib> × 2' });
  const m = html.match(/<script type="application\/json" id="poolscope-trace">([^]*?)<\/script>/);
  assert.ok(m, 'data block present');
  assert.ok(!m[1].includes('<'), 'no < inside the data block');
  const doc = JSON.parse(m[1]);
  assert.deepEqual(doc.events, events);
  assert.equal(doc.title, 'demo.ts <fib> × 2');
  assert.match(html, /<title>demo\.ts &#60;fib&#62; × 2<\/title>/);
  assert.equal(html.match(/<script/g)?.length, 2, 'the data block and the one bundle script, nothing else');
});

test('buildHtmlReport() CSP: default-src none, the inline script and style allowed by their exact hashes', () => {
  const html = buildHtmlReport({ events, webviewJs, css });
  const cspText = unescapeAttr(defined(html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/))[1]);
  const csp = parseCsp(cspText);
  assert.deepEqual(csp['default-src'], ["'none'"]);
  const script = defined(html.match(/<script>([^]*?)<\/script>/))[1];
  const style = defined(html.match(/<style>([^]*?)<\/style>/))[1];
  assert.deepEqual(csp['script-src'], [`'sha256-${createHash('sha256').update(script).digest('base64')}'`]);
  assert.deepEqual(csp['style-src'], [`'sha256-${createHash('sha256').update(style).digest('base64')}'`]);
  assert.ok(!cspText.includes('unsafe'), 'no unsafe-inline / unsafe-eval');
  assert.ok(!script.includes('</script>'), 'a </script> inside the bundle is neutralised');
  assert.equal(cspText, reportCsp(script, style));
  assert.equal(cspHashSource(css), csp['style-src'][0]);
});

test('buildHtmlReport() page runs its bundle, reads the trace, and blocks any other script (Chromium)', async (t) => {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.POOLSCOPE_CHROMIUM
    ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : await (await import('@sparticuz/chromium')).default.executablePath());
  const browser = await chromium.launch({ executablePath, headless: true });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const violations = [];
  page.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text()); });
  const html = buildHtmlReport({ events, webviewJs, css, title: 'report' });
  // An injected inline script (as if a preview had escaped its block) must not run.
  const tampered = html.replace('</body>', '<script>document.body.dataset.injected = "yes"</script></body>');
  await page.setContent(tampered);
  const { data, pwned, color } = await page.evaluate(() => ({
    data: Object.assign({}, document.body.dataset), pwned: 'pwned' in window, color: getComputedStyle(document.body).color }));
  assert.equal(data.events, '2', 'bundle ran under the CSP and parsed the data block');
  assert.equal(data.input, firstOf(events, 'task-queued').inputPreview, 'the escaped JSON decodes to the original text');
  assert.equal(data.title, 'report');
  assert.equal(data.s, '</script>', 'the neutralised closing tag still means the same string');
  assert.equal(data.injected, undefined, 'a script without the hash is blocked');
  assert.equal(pwned, false);
  assert.equal(color, 'rgb(1, 2, 3)', 'the hashed inline style applies');
  assert.ok(violations.length >= 1, 'Chromium reported the blocked script');
});
