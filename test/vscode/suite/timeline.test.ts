// The timeline panel: one panel, replay on ready, hostile messages ignored.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, fixture, keepWorkspaceSettings, runCommand, waitFor } from './helpers.js';

export function defineTimelineTests(): void {
  suite('timeline panel', () => {
    keepWorkspaceSettings('workers');

    test('Show Timeline opens one panel beside the editor; the webview reports ready and draws a run', async () => {
      const parts = await api();
      const shown = await vscode.commands.executeCommand<{ ready: boolean }>('poolscope.showTimeline', { waitForReadyMs: 45_000 });
      assert.equal(shown.ready, true, 'the webview sent ready');
      const panel = parts.timeline.panel;
      assert.ok(panel);
      await vscode.commands.executeCommand('poolscope.showTimeline');
      assert.equal(parts.timeline.panel, panel, 'the panel is reused');

      const summary = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: 'range(0, 5)', backend: 'thread', workers: 2, showPanel: true });
      assert.equal(summary.ok, true);
      await waitFor(() => (panel.lastRendered?.bars ?? 0) >= 5 && (panel.lastRendered?.events ?? 0) >= summary.events.length, 30_000,
        'the webview to draw the run\'s 5 tasks');
      assert.ok(parts.timeline.history.runIds.includes(summary.runIds[0]), 'the host retains the run for replay');
    });

    test('the panel survives being hidden: the webview comes back and is replayed', async () => {
      const parts = await api();
      const panel = parts.timeline.panel;
      assert.ok(panel);
      const before = panel.lastRendered?.events ?? 0;
      assert.ok(before > 0);
      // Cover the panel with an editor in its column, then reveal it again.
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(fixture('tasks.ts')));
      await vscode.window.showTextDocument(doc, { viewColumn: panel.panel.viewColumn, preview: false });
      await waitFor(() => !panel.panel.visible, 10_000, 'the panel to be hidden');
      const readyAgain = new Promise<void>((resolve) => { const sub = panel.onReady(() => { sub.dispose(); resolve(); }); });
      panel.reveal();
      await readyAgain;
      await waitFor(() => (panel.lastRendered?.events ?? 0) >= before, 30_000, 'the replayed events to be drawn again');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    test('a panel restored after a reload (serializer path) gets the same options, HTML and a full replay', async () => {
      const parts = await api();
      const held = parts.timeline.history.events().length;
      assert.ok(held > 0);
      // What VS Code hands the serializer: a bare panel of our view type, options not yet applied.
      const bare = vscode.window.createWebviewPanel('poolscope.timeline', 'PoolScope Timeline', vscode.ViewColumn.Two, {});
      const revived = await parts.timeline.revive(bare);
      assert.equal(parts.timeline.panel, revived, 'the revived panel is the one panel');
      assert.equal(bare.webview.options.enableScripts, true);
      assert.deepEqual(bare.webview.options.localResourceRoots?.map((u) => u.path.split('/').slice(-1)[0]), ['dist', 'media']);
      assert.match(bare.webview.html, /default-src 'none'/);
      assert.match(bare.webview.html, /script-src 'nonce-[^']+'/);
      assert.doesNotMatch(bare.webview.html, /unsafe-inline|unsafe-eval/);
      await waitFor(() => revived.ready, 45_000, 'the revived webview to report ready');
      await waitFor(() => (revived.lastRendered?.events ?? 0) >= held, 30_000, 'every retained event to be replayed and drawn');
    });

    test('retained runs are stored on disk, so a window reload can replay them', async () => {
      const parts = await api();
      const summary = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[7, 8]', backend: 'serial' });
      await parts.store.flush();
      const stored = await parts.store.load();
      const mine = stored.filter((e) => e.runId === summary.runIds[0]);
      assert.equal(mine.length, summary.events.length);
      assert.equal(mine[mine.length - 1].type, 'run-end');
    });

    test('Open Trace opens the file in a read-only panel of its own, titled by the file; the live panel keeps its runs', async () => {
      const parts = await api();
      const ran = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[3, 4, 5]', backend: 'thread', workers: 2 });
      const live = parts.timeline.panel ?? (await vscode.commands.executeCommand('poolscope.showTimeline'), parts.timeline.panel);
      assert.ok(live);
      const liveRuns = parts.timeline.history.runIds;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolscope-open-'));
      const file = path.join(dir, 'squares.trace.json');
      try {
        await vscode.commands.executeCommand('poolscope.exportTrace', { format: 'chrome-json', runIds: ran.runIds, uri: file });
        const opened = await vscode.commands.executeCommand<{ events: number; runIds: string[]; title: string }>('poolscope.openTrace', { uri: file });
        assert.equal(opened.title, 'squares.trace.json');
        assert.deepEqual(opened.runIds, ran.runIds);
        const view = parts.traceFiles.views.find((v) => v.file === file);
        assert.ok(view, 'a trace-file view for the file');
        assert.notEqual(view.panel, live, 'not the live panel');
        assert.equal(view.panel.panel.viewType, 'poolscope.traceFile');
        assert.equal(view.panel.panel.title, 'squares.trace.json');
        assert.match(view.panel.panel.webview.html, /data-read-only="true"/);
        assert.equal(parts.timeline.panel, live, 'the live panel is still the live panel');
        assert.deepEqual(parts.timeline.history.runIds, liveRuns, 'the live history is untouched');
        await waitFor(() => view.panel.ready, 45_000, 'the trace panel to report ready');
        await waitFor(() => (view.panel.lastRendered?.bars ?? 0) >= 3, 30_000, 'the file\'s 3 tasks drawn');
        // Nothing in it starts a run: run requests are refused, not forwarded to the commands.
        let started = false;
        const sub = parts.controller.onDidChangeRunning((r) => { started ||= r; });
        const refused = view.refusedRequests;
        for (const type of ['run-again', 'compare', 'stop']) view.panel.receive({ type });
        view.panel.receive({ type: 'set-workers', workers: 7 });
        assert.equal(view.refusedRequests - refused, 4);
        sub.dispose();
        assert.equal(started, false);
        assert.notEqual(vscode.workspace.getConfiguration('poolscope').get('workers'), 7);
        // Opening it again replaces its panel instead of stacking a second one.
        await vscode.commands.executeCommand('poolscope.openTrace', { uri: file });
        assert.equal(parts.traceFiles.views.filter((v) => v.file === file).length, 1);
      } finally {
        for (const v of parts.traceFiles.views) v.panel.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a trace-file panel restored after a reload reads its file again (the path comes from the page state)', async () => {
      const parts = await api();
      const ran = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[6]', backend: 'serial' });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolscope-revive-'));
      const file = path.join(dir, 'one.json');
      try {
        await vscode.commands.executeCommand('poolscope.exportTrace', { format: 'chrome-json', runIds: ran.runIds, uri: file });
        const bare = vscode.window.createWebviewPanel('poolscope.traceFile', 'one.json', vscode.ViewColumn.One, {});
        const view = await parts.traceFiles.revive(bare, { v: 1, source: file });
        assert.equal(view.file, file);
        assert.deepEqual(view.history.runIds, ran.runIds);
        assert.match(bare.webview.html, /data-read-only="true"/);
        // A state naming no usable path gives an empty read-only panel, never a read of something else.
        const other = vscode.window.createWebviewPanel('poolscope.traceFile', 'x', vscode.ViewColumn.One, {});
        const empty = await parts.traceFiles.revive(other, { v: 1, source: 'relative/path.json' });
        assert.equal(empty.history.size, 0);
      } finally {
        for (const v of parts.traceFiles.views) v.panel.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('hostile messages from the webview are ignored and logged, never acted on', async () => {
      const parts = await api();
      const panel = parts.timeline.panel ?? (await vscode.commands.executeCommand('poolscope.showTimeline'), parts.timeline.panel);
      assert.ok(panel);
      await vscode.workspace.getConfiguration('poolscope').update('workers', 2, vscode.ConfigurationTarget.Workspace);
      const circular: Record<string, unknown> = { type: 'ready' };
      circular.self = circular;
      const hostile: unknown[] = [
        null, undefined, 42, 'ready', [], { type: 42 }, { type: 'nope' },
        { type: 'set-workers', workers: 1e9 }, { type: 'set-workers', workers: '3' }, { type: 'set-workers', workers: -1 },
        { type: 'set-backend', backend: 'rm -rf /' },
        { type: 'export', format: 'exe' }, { type: 'export', format: 'png', data: 'javascript:alert(1)' },
        { type: 'reveal', file: '', line: 1, column: 1 }, { type: 'reveal', file: '/etc/passwd', line: 0, column: 1 },
        { type: 'ready', protocol: 1, lastSeq: { a: 'x' } }, { type: 'ready', protocol: 1, lastSeq: [] },
        { type: '__proto__' }, Object.create(null), circular,
        { type: 'rendered', runs: -1, lanes: 0, bars: 0, events: 0 },
        { type: 'set-workers', workers: 3, get extra() { throw new Error('getter'); } },
      ];
      const before = panel.rejectedMessages;
      for (const m of hostile) assert.doesNotThrow(() => panel.receive(m));
      // The last one has a valid shape (the throwing getter is not read): it is the only one acted on.
      assert.equal(panel.rejectedMessages - before, hostile.length - 1);
      await waitFor(() => vscode.workspace.getConfiguration('poolscope').get('workers') === 3, 5000, 'the one valid set-workers');
      assert.equal(vscode.workspace.getConfiguration('poolscope').get('backend') !== 'rm -rf /', true);
    });

    test('a well-formed reveal of a file no run touched is not opened', async () => {
      const parts = await api();
      const panel = parts.timeline.panel;
      assert.ok(panel);
      const before = vscode.window.visibleTextEditors.map((e) => e.document.uri.fsPath);
      const refused = parts.timeline.refusedReveals;
      panel.receive({ type: 'reveal', file: '/etc/hostname', line: 1, column: 1 });
      await waitFor(() => parts.timeline.refusedReveals === refused + 1, 5000, 'the reveal to be refused');
      assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === '/etc/hostname' && !before.includes('/etc/hostname')));
    });
  });
}
