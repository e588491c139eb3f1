// The backend toggle: status bar text follows the setting.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, keepWorkspaceSettings, waitFor } from './helpers.js';

export function defineStatusBarTests(): void {
  suite('status bar and backend settings', () => {
    keepWorkspaceSettings('backend', 'workers');

    test('shows "$(pulse) backend × workers" and toggles on click', async () => {
      const { statusBar } = await api();
      await vscode.commands.executeCommand('poolscope.switchBackend', 'thread');
      await vscode.commands.executeCommand('poolscope.setPoolSize', 3);
      await waitFor(() => statusBar.item.text === '$(pulse) thread × 3', 5000, 'status bar "thread × 3"');
      assert.equal(statusBar.item.command, 'poolscope.toggleBackend');

      const next = await vscode.commands.executeCommand<string>(statusBar.item.command as string);
      assert.equal(next, 'process');
      await waitFor(() => statusBar.item.text === '$(pulse) process × 3', 5000, 'status bar "process × 3"');
      assert.equal(vscode.workspace.getConfiguration('poolscope').get('backend'), 'process');

      assert.equal(await vscode.commands.executeCommand('poolscope.toggleBackend'), 'serial');
      assert.equal(await vscode.commands.executeCommand('poolscope.toggleBackend'), 'event-loop');
      await waitFor(() => statusBar.item.text === '$(pulse) event-loop × 3', 5000, 'status bar "event-loop × 3"');
      const tooltip = statusBar.item.tooltip as vscode.MarkdownString;
      assert.match(tooltip.value, /concurrency, not parallelism/);
    });

    test('Set Pool Size clamps to 1…64', async () => {
      assert.equal(await vscode.commands.executeCommand('poolscope.setPoolSize', 500), 64);
      assert.equal(await vscode.commands.executeCommand('poolscope.setPoolSize', 0), 1);
      assert.equal(vscode.workspace.getConfiguration('poolscope').get('workers'), 1);
    });
  });
}
