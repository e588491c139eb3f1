// What the run commands take from the editor: the function at the cursor, the selection, remembered inputs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, fixture, ofType, runCommand } from './helpers.js';

async function openAt(file: string, line: number, character: number, endLine = line, endCharacter = character): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
  editor.selection = new vscode.Selection(line, character, endLine, endCharacter);
  return editor;
}

export function defineEditorTests(): void {
  suite('editor context', () => {
    test('Run Function in Pool runs the exported function around the cursor', async () => {
      await api();
      // Line 21 (0-based 20) is inside `spin`'s body.
      await openAt(fixture('tasks.ts'), 20, 4);
      const summary = await runCommand('poolscope.runFunction', { inputs: '[1]', backend: 'serial' });
      assert.equal(summary.ok, true);
      assert.equal(ofType(summary.events, 'run-start')[0].fn, 'spin');
      assert.equal(ofType(summary.events, 'run-start')[0].file, fixture('tasks.ts'));
    });

    test('Run Selection in Pool runs the selected exported function', async () => {
      // `failOnTwo` is on line 9 (0-based 8), columns 16-25.
      await openAt(fixture('tasks.ts'), 8, 16, 8, 25);
      const summary = await runCommand('poolscope.runSelection', { inputs: '[5]', backend: 'serial' });
      assert.equal(ofType(summary.events, 'run-start')[0].fn, 'failOnTwo');
      assert.equal(summary.ok, true);
    });

    test('a selection that names no exported function is refused with NoExportedFunction', async () => {
      await openAt(fixture('tasks.ts'), 2, 0, 2, 6); // "import"
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('poolscope.runSelection', { inputs: '[1]', showPanel: false, progress: false })),
        (e: Error) => e.name === 'NoExportedFunction',
      );
    });

    test('inputs are remembered per function', async () => {
      const parts = await api();
      const file = fixture('tasks.ts');
      await runCommand('poolscope.runFunction', { file, fn: 'square', inputs: 'range(2, 5)', backend: 'serial' });
      await runCommand('poolscope.runFunction', { file, fn: 'nap', inputs: '[1, 2]', backend: 'event-loop', workers: 2 });
      assert.equal(parts.inputs.remembered(file, 'square'), 'range(2, 5)');
      assert.equal(parts.inputs.remembered(file, 'nap'), '[1, 2]');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  });
}
