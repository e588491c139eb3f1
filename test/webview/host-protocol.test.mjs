// The host⇄webview protocol: validators reject what they must, the page in a VS Code-like
// host says `ready` with what it holds, renders live batches at most once per frame,
// follows the newest time, persists its state and restores it, and posts toolbar actions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, launchBrowser, loadFixture, openPage, panelHtml, reportHtml, settle, taskAt, taskRect } from './browser.mjs';
import { defined } from '../fixtures/trace-events.mjs';

const { parseFromWebview, parseToWebview, eventMessages, eventsToColumns, expandTraceColumns, unpackText, PROTOCOL_VERSION } = await import(path.join(ROOT, 'dist', 'webview-protocol.mjs'));
const { chromeToTrace, traceToChrome, TraceModel } = await import(path.join(ROOT, 'dist', 'trace.mjs'));

describe('parseFromWebview / parseToWebview', () => {
  test('parseFromWebview keeps well-formed messages and only their known fields', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready', protocol: 1, lastSeq: { r1: 41 }, extra: 1 }), { type: 'ready', protocol: 1, lastSeq: { r1: 41 } });
    assert.deepEqual(parseFromWebview({ type: 'set-workers', workers: 8 }), { type: 'set-workers', workers: 8 });
    assert.deepEqual(parseFromWebview({ type: 'reveal', file: '/a/b.ts', line: 3, column: 7 }), { type: 'reveal', file: '/a/b.ts', line: 3, column: 7 });
    assert.deepEqual(parseFromWebview({ type: 'export', format: 'png', data: 'data:image/png;base64,AAAA' }), { type: 'export', format: 'png', data: 'data:image/png;base64,AAAA' });
  });

  test('parseFromWebview rejects unknown types, wrong shapes and huge payloads', () => {
    const bad = [
      null, 'ready', [], { type: 'rm -rf' }, { type: 'set-backend', backend: 'gpu' }, { type: 'set-workers', workers: 0 },
      { type: 'set-workers', workers: 1.5 }, { type: 'set-workers', workers: 1e9 }, { type: 'reveal', file: '', line: 1, column: 1 },
      { type: 'reveal', file: 'x'.repeat(5000), line: 1, column: 1 }, { type: 'reveal', file: '/a', line: -1, column: 1 },
      { type: 'export', format: 'exe' }, { type: 'export', format: 'png', data: 'javascript:alert(1)' },
      { type: 'export', format: 'png', data: `data:image/png;base64,${'A'.repeat(33 * 1024 * 1024)}` },
      { type: 'export', format: 'csv', data: 'x' }, { type: 'ready', protocol: 1, lastSeq: { r: 'x' } },
      { type: 'ready', protocol: 1, lastSeq: Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`r${i}`, 1])) },
      { type: 'rendered', runs: -1, lanes: 0, bars: 0, events: 0 },
    ];
    for (const m of bad) assert.equal(parseFromWebview(m), undefined, JSON.stringify(m)?.slice(0, 80));
  });

  test('parseToWebview checks every event of a batch', () => {
    const ok = { type: 'events', batch: [{ type: 'task-start', runId: 'r', seq: 0, t: 1, taskId: 0, workerId: 0 }] };
    assert.deepEqual(parseToWebview(ok), ok);
    assert.equal(parseToWebview({ type: 'events', batch: [...ok.batch, { type: 'task-start', runId: 'r', seq: 'x', t: 1 }] }), undefined);
    assert.equal(parseToWebview({ type: 'events', batch: [{ type: 'eval', runId: 'r', seq: 1, t: 1 }] }), undefined);
    assert.equal(parseToWebview({ type: 'config', host: 'vscode', backend: 'thread', workers: 4, running: 'yes' }), undefined);
    assert.equal(PROTOCOL_VERSION, 2);
  });

  test("parseToWebview({ type: 'columns' }) checks the batch: lengths, number cells, row kinds, texts, one valid event per Event row", () => {
    const columns = {
      runId: 'r', firstSeq: 3, length: 4, kind: new Uint8Array([0, 2, 3, 5]), taskId: new Float64Array([0, 0, 0, 0]), t: [1, 2, 3, 0],
      ref: [0, 1, 1, 0], num: [0, 0, 0, 0], text: ['[1]', null, '1', null], fns: ['f'],
      events: [{ type: 'log', runId: 'r', seq: 6, t: 4, stream: 'stdout', text: 'hi' }],
    };
    assert.deepEqual(parseToWebview({ type: 'columns', columns }), { type: 'columns', columns });
    const bad = {
      'a short column': { t: [1, 2] }, 'a text cell that is a number': { text: [1] }, 'a string in a number column': { t: ['1', 2, 3, 0] },
      'an unknown row kind': { kind: [0, 2, 9, 5] }, 'a function index out of range': { ref: [7, 1, 1, 0] }, 'an empty runId': { runId: '' },
      'a negative length': { length: -1 }, 'a fractional length': { length: 1.5 }, 'a huge length': { length: 1e12 },
      'a negative firstSeq': { firstSeq: -1 }, 'an event row without its event': { events: [] },
      'an invalid event': { events: [{ type: 'eval', runId: 'r', seq: 6, t: 4 }] }, 'fns not strings': { fns: [{}] },
    };
    for (const [what, patch] of Object.entries(bad)) assert.equal(parseToWebview({ type: 'columns', columns: { ...columns, ...patch } }), undefined, what);
    assert.equal(parseToWebview({ type: 'columns', columns: null }), undefined);
    assert.equal(parseToWebview({ type: 'tasks', packed: columns }), undefined, 'the old message type is gone');
  });

  test("a 'columns' message's text may come packed (what eventMessages sends): one string and row ends, checked and kept packed; the model reads the same previews from it", () => {
    const fx = loadFixture('failures.json');
    const messages = eventMessages(fx.events, 1);
    const packed = messages.filter((m) => m.type === 'columns');
    assert.ok(packed.length > 0);
    const { columns } = eventsToColumns(fx.events, 1);
    const fromPacked = new TraceModel({ dedupeBySeq: true });
    const fromText = new TraceModel({ dedupeBySeq: true });
    packed.forEach((m, k) => {
      assert.deepEqual(m.columns.text, [], 'the text column travels packed');
      assert.equal(typeof m.packedText.joined, 'string');
      const back = parseToWebview(JSON.parse(JSON.stringify(m)));
      assert.deepEqual(back?.columns.text, [], 'kept packed');
      assert.ok(back?.packedText?.ends instanceof Int32Array);
      const text = unpackText(back.packedText, back.columns.length);
      assert.deepEqual(text, columns[k].text.map((x) => x ?? null).slice(0, text.length));
      assert.ok(columns[k].text.slice(text.length).every((x) => x == null), 'rows past the ends have no text');
      fromPacked.addColumns(back.columns, back.packedText);
      fromText.addColumns(columns[k]);
    });
    const records = (model) => model.runs.flatMap((r) => model.taskRecordsOf(r));
    assert.ok(records(fromText).some((r) => r.resultPreview !== undefined && r.inputPreview !== ''), 'the fixture has previews');
    assert.deepEqual(records(fromPacked), records(fromText), 'same tasks, inputs and results from packed text as from a text column');
    const m = JSON.parse(JSON.stringify(packed[0]));
    const bad = {
      'ends going back': { joined: 'abcdef', ends: [3, 1] },
      'an end past the text': { joined: 'ab', ends: [3] },
      'a fractional end': { joined: 'ab', ends: [0.5] },
      'more ends than rows': { joined: '', ends: new Array(m.columns.length + 1).fill(-1) },
      'joined not a string': { joined: 7, ends: [] },
      'ends not a list': { joined: 'ab', ends: 'x' },
    };
    for (const [what, packedText] of Object.entries(bad)) assert.equal(parseToWebview({ ...m, packedText }), undefined, what);
  });

  test('eventsToColumns keeps small runs as events, cuts at seq gaps, and expands back to the same events', () => {
    const fx = loadFixture('failures.json');
    const small = { type: 'log', runId: 'other', seq: 0, t: 0, stream: 'stdout', text: 'x' };
    const events = [...fx.events, small];
    const { columns, rest } = eventsToColumns(events, 5);
    assert.deepEqual(rest, [small]);
    assert.deepEqual(columns.flatMap(expandTraceColumns), fx.events);
    for (const c of columns) assert.deepEqual(parseToWebview({ type: 'columns', columns: JSON.parse(JSON.stringify(c)) }), { type: 'columns', columns: c });
    const gap = eventsToColumns(fx.events.filter((e) => e.seq !== 3), 1);
    assert.equal(gap.columns.length, 2, 'a batch is cut where seq jumps');
    assert.equal(gap.columns[1].firstSeq, 4);
  });
});

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const post = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);

describe('in a VS Code-like host', () => {
  const fx = loadFixture('thread.json');
  let saved;

  test('says ready, renders live batches at most once per frame, follows, and settles at run-end', async () => {
    const { page, context, problems } = await openPage(browser, panelHtml(), { vscode: true });
    try {
      const posted = () => page.evaluate(() => window.__vscodePosted);
      assert.deepEqual((await posted())[0], { type: 'ready', protocol: PROTOCOL_VERSION, lastSeq: {} });
      await post(page, { type: 'config', host: 'vscode', backend: 'process', workers: 3, running: true });
      await post(page, { type: 'run-state', phase: 'running', runIds: ['thread-1'] });
      await settle(page);
      assert.equal(await page.getAttribute('button[aria-label="Stop"]', 'disabled'), null, 'Stop is enabled while running');
      assert.notEqual(await page.getAttribute('button[aria-label="Run again"]', 'disabled'), null);
      // Half the events in 30 tiny batches, posted back to back: they coalesce into few frames.
      const half = fx.events.slice(0, Math.floor(fx.events.length / 2));
      const framesBefore = await page.evaluate(() => window.__poolscope.frames);
      await page.evaluate((events) => { for (let i = 0; i < events.length; i += 3) window.postMessage({ type: 'events', batch: events.slice(i, i + 3) }, '*'); }, half);
      await settle(page);
      const frames = (await page.evaluate(() => window.__poolscope.frames)) - framesBefore;
      assert.ok(frames >= 1 && frames < Math.ceil(half.length / 3), `${frames} redraws for ${Math.ceil(half.length / 3)} batches`);
      assert.equal(await page.evaluate(() => window.__poolscope.follow), true);
      const live = await page.evaluate(() => ({ d: window.__poolscope.domain, f: window.__poolscope.fullDomain }));
      assert.ok(Math.abs(live.d[1] - live.f[1]) < 1, 'follow keeps the newest time in view');
      assert.match(await page.textContent('.ps-identity-sub') ?? '', /running/);
      // Replayed events (already seen) are ignored; the rest completes the run.
      await post(page, { type: 'events', batch: fx.events });
      await settle(page);
      assert.equal(await page.evaluate(() => window.__poolscope.events), fx.events.length);
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 16);
      await post(page, { type: 'run-state', phase: 'done' });
      await settle(page);
      assert.match(await page.textContent('.ps-identity-sub') ?? '', /finished/);
      assert.match(await page.textContent('.ps-status') ?? '', /16 tasks done/);
      // `rendered` is throttled (≤ 2 per second, trailing): wait for the report of the final state.
      await page.waitForFunction((n) => window.__vscodePosted.filter((m) => m.type === 'rendered').pop()?.events === n, fx.events.length, { timeout: 20_000 });
      const rendered = (await posted()).filter((m) => m.type === 'rendered').pop();
      assert.deepEqual(rendered, { type: 'rendered', runs: 1, lanes: 4, bars: 16, events: fx.events.length });
      // Hostile input is dropped without harm.
      await post(page, { type: 'events', batch: [{ type: 'task-start', runId: 'x', seq: 'NaN' }] });
      await post(page, { type: 'exec', code: 'alert(1)' });
      await settle(page);
      assert.equal(await page.evaluate(() => window.__poolscope.runIds.length), 1);
      // Toolbar actions become messages.
      await page.click('button[aria-label="Export JSON"]');
      await page.click('button[aria-label="PNG"]');
      await post(page, { type: 'run-state', phase: 'idle' });
      await settle(page);
      await page.click('button[aria-label="Run again"]');
      const actions = (await posted()).filter((m) => ['export', 'run-again'].includes(m.type));
      assert.deepEqual(actions[0], { type: 'export', format: 'chrome-json', runIds: ['thread-1'] });
      const png = actions[1];
      assert.ok(png?.type === 'export', JSON.stringify(png));
      assert.equal(png.format, 'png');
      assert.match(png.data ?? '', /^data:image\/png;base64,/);
      assert.ok(parseFromWebview(png), 'the PNG export passes the host-side validator');
      assert.deepEqual(actions[2], { type: 'run-again' });
      // State is persisted (debounced) for a torn-down webview.
      await page.waitForFunction(() => (window.__vscodeState()?.events.length ?? 0) > 0, null, { timeout: 20_000 });
      saved = await page.evaluate(() => window.__vscodeState());
      assert.deepEqual(await problems.csp(), []);
      assert.deepEqual(problems.console, []);
    } finally {
      await context.close();
    }
  });

  test('a restored webview shows the run from its state and asks the host only for newer events', async () => {
    assert.ok(saved, 'state from the previous test');
    const { page, context } = await openPage(browser, panelHtml(), { vscode: true, state: saved });
    try {
      const ready = await page.evaluate(() => window.__vscodePosted[0]);
      const lastSeq = fx.events[fx.events.length - 1].seq;
      assert.deepEqual(ready, { type: 'ready', protocol: PROTOCOL_VERSION, lastSeq: { 'thread-1': lastSeq } });
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 16);
      assert.equal(await page.textContent('.ps-identity-main'), '4 workers · 1 PID · 4 threads');
      // A host that replays everything anyway does not duplicate anything.
      await post(page, { type: 'events', batch: fx.events });
      await settle(page);
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 16);
    } finally {
      await context.close();
    }
  });
});

describe('column batches', () => {
  test("a host that sends eventsToColumns' batches as 'columns' messages gets the same timeline as with events, and an over-replay adds nothing", async () => {
    const fx = loadFixture('failures.json');
    const { columns, rest } = eventsToColumns(fx.events, 1);
    assert.equal(columns.length, 1);
    assert.deepEqual(rest, []);
    const { page, context, problems } = await openPage(browser, panelHtml(), { vscode: true });
    try {
      for (const c of columns) await post(page, { type: 'columns', columns: c });
      await settle(page);
      await page.waitForFunction(() => window.__poolscope.summary !== undefined);
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 18);
      assert.equal(await page.evaluate(() => window.__poolscope.events), fx.events.length);
      const s = defined(await page.evaluate(() => window.__poolscope.summary), 'the summary');
      assert.deepEqual([s.ok, s.failed, s.identity], [14, 4, '3 workers · 1 PID · 6 threads']);
      const r = await taskRect(page, 'failures-1', 11);
      const info = await taskAt(page, r.x + r.width / 2, r.y + r.height / 2);
      assert.equal(info.error?.name, 'RangeError');
      // Over-replay (a host after a reload): events and batches already held are skipped by seq.
      await post(page, { type: 'events', batch: fx.events.slice(0, 20) });
      for (const c of columns) await post(page, { type: 'columns', columns: c });
      await settle(page);
      assert.equal(await page.evaluate(() => window.__poolscope.events), fx.events.length);
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 18);
      assert.deepEqual(await problems.csp(), []);
      assert.deepEqual(problems.console, []);
    } finally {
      await context.close();
    }
  });

  test("'columns' messages with packed text (what a host sends): the tooltips show each task's input and result previews", async () => {
    const fx = loadFixture('failures.json');
    const messages = eventMessages(fx.events, 1);
    assert.ok(messages.some((m) => m.type === 'columns' && m.packedText), 'the previews travel packed');
    const { page, context, problems } = await openPage(browser, panelHtml(), { vscode: true });
    try {
      for (const m of messages) await post(page, m);
      await settle(page);
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 18);
      const ends = fx.events.filter((e) => e.type === 'task-end');
      const okEnd = defined(ends.find((e) => e.ok && e.resultPreview), 'a task with a result');
      const failedEnd = defined(ends.find((e) => !e.ok), 'a failed task');
      for (const end of [okEnd, failedEnd]) {
        const queued = defined(fx.events.find((e) => e.type === 'task-queued' && e.taskId === end.taskId), 'its task-queued');
        const r = await taskRect(page, end.runId, end.taskId);
        const info = await taskAt(page, r.x + r.width / 2, r.y + r.height / 2);
        assert.equal(info.taskId, end.taskId);
        assert.equal(info.input, queued.inputPreview);
        assert.equal(info.result, end.resultPreview);
        assert.equal(info.error?.name, end.error?.name);
      }
      assert.deepEqual(await problems.csp(), []);
      assert.deepEqual(problems.console, []);
    } finally {
      await context.close();
    }
  });
});

describe('standalone export and open', () => {
  test('Export JSON downloads a Chrome trace that round-trips; opening it shows the same tasks', async () => {
    const fx = loadFixture('failures.json');
    const { page, context, problems } = await openPage(browser, await reportHtml(fx.events, fx.title));
    try {
      assert.equal(await page.isVisible('button[aria-label="Run again"]'), false, 'host-only actions are hidden');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[aria-label="Export JSON"]')]);
      const file = await download.path();
      const { readFileSync } = await import('node:fs');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      assert.ok(json.traceEvents.some((e) => e.ph === 'X'), 'Chrome X events');
      const back = chromeToTrace(json);
      assert.equal(back.filter((e) => e.type === 'task-end').length, 18);
      assert.equal(back.filter((e) => e.type === 'task-end' && !e.ok).length, 4);
      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button[aria-label="CSV"]')]);
      const rows = readFileSync(await csv.path(), 'utf8').trim().split(/\r?\n/);
      assert.equal(rows.length, 1 + 18);
      // Open a foreign-shaped copy (our export) back in the page.
      const n = await page.evaluate((text) => window.__poolscope.loadTraceText(text, 'exported.json'), JSON.stringify(traceToChrome(fx.events)));
      await settle(page);
      assert.equal(n, fx.events.length);
      assert.equal(await page.evaluate(() => window.__poolscope.bars), 18);
      assert.equal(await page.textContent('.ps-title'), 'exported.json');
      assert.equal(await page.evaluate(() => window.__poolscope.loadTraceText('{"nope": 1}', 'bad.json')), 0);
      assert.match(await page.textContent('.ps-status') ?? '', /bad\.json is not a trace PoolScope can open \(TraceFormatError/);
      assert.deepEqual(await problems.csp(), []);
    } finally {
      await context.close();
    }
  });
});
