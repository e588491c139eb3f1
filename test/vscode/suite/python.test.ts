// .py files go to the Python runner through the same commands, events and diagnostics.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, assertCompleteRun, fixture, keepWorkspaceSettings, ofType, runCommand, waitFor } from './helpers.js';

export function definePythonTests(): void {
  suite('Python files', () => {
    keepWorkspaceSettings('pythonBackend');

    for (const backend of ['py-thread', 'py-process'] as const) {
      test(`Run Function in Pool on a .py file with ${backend}: a complete trace`, async () => {
        const parts = await api();
        assert.equal(await vscode.commands.executeCommand('poolscope.switchBackend', backend), backend);
        const summary = await runCommand('poolscope.runFunction', { file: fixture('py_tasks.py'), fn: 'square', inputs: 'range(1, 5)', workers: 2 });
        assert.equal(summary.error, undefined, `run error: ${summary.error?.name}: ${summary.error?.message}`);
        assert.equal(summary.ok, true);
        assertCompleteRun(summary.events, summary.runIds[0]);
        assert.equal(ofType(summary.events, 'run-start')[0].backend, backend);
        assert.deepEqual(ofType(summary.events, 'task-end').map((e) => Number(e.resultPreview)).sort((a, b) => a - b), [1, 4, 9, 16]);
        assert.ok(!summary.pids.includes(process.pid), 'no Python task ran in the extension host');
        assert.ok(parts.timeline.history.runIds.includes(summary.runIds[0]));
      });
    }

    test('with a .py file in the editor the status bar shows and toggles the Python backend', async () => {
      const { statusBar } = await api();
      await vscode.commands.executeCommand('poolscope.switchBackend', 'py-thread');
      const workers = vscode.workspace.getConfiguration('poolscope').get<number>('workers');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(fixture('py_tasks.py'))));
      await waitFor(() => statusBar.item.text === `$(pulse) py-thread × ${workers}`, 10_000, 'the Python backend in the status bar');
      assert.equal(await vscode.commands.executeCommand('poolscope.toggleBackend'), 'py-process');
      await waitFor(() => statusBar.item.text === `$(pulse) py-process × ${workers}`, 10_000, 'the toggled Python backend');
      assert.match((statusBar.item.tooltip as vscode.MarkdownString).value, /ProcessPoolExecutor/);

      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(fixture('tasks.ts'))));
      const node = vscode.workspace.getConfiguration('poolscope').get<string>('backend');
      await waitFor(() => statusBar.item.text === `$(pulse) ${node} × ${workers}`, 10_000, 'the Node backend again');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    test('a Python exception becomes a diagnostic on the raising line', async () => {
      const file = fixture('py_tasks.py');
      const summary = await runCommand('poolscope.runFunction', { file, fn: 'fails_on_two', inputs: '[1, 2, 3]', workers: 2 });
      assert.equal(summary.failed, 1);
      assert.equal(ofType(summary.events, 'task-end').find((e) => !e.ok)?.error?.name, 'ValueError');
      const diags = vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === 'PoolScope');
      assert.equal(diags.length, 1);
      assert.equal(diags[0].code, 'ValueError');
      assert.equal(diags[0].range.start.line, 10, 'the raise (line 11)');
    });
  });
}
