// Task errors become diagnostics at the throwing line, and go away on the next good run.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, fixture, ofType, runCommand } from './helpers.js';

export function defineDiagnosticsTests(): void {
  suite('diagnostics', () => {
    test('a throwing task puts a diagnostic on its source line; the next good run clears it', async () => {
      await api();
      const file = fixture('tasks.ts');
      const uri = vscode.Uri.file(file);
      const failing = await runCommand('poolscope.runFunction', { file, fn: 'failOnTwo', inputs: '[1, 2, 3]', backend: 'thread', workers: 2 });
      assert.equal(failing.ok, false);
      assert.equal(failing.failed, 1);
      const failed = ofType(failing.events, 'task-end').filter((e) => !e.ok);
      assert.equal(failed[0].error?.name, 'RangeError');

      const diags = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PoolScope');
      assert.equal(diags.length, 1);
      assert.equal(diags[0].code, 'RangeError');
      assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Error);
      assert.equal(diags[0].range.start.line, 10, 'the throw statement (line 11)');
      assert.match(diags[0].message, /two is not allowed/);

      const good = await runCommand('poolscope.runFunction', { file, fn: 'square', inputs: '[1, 2, 3]', backend: 'thread', workers: 2 });
      assert.equal(good.ok, true);
      assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PoolScope'), []);
    });

    test('a task stopped by its timeout is flagged on its function\'s declaration (no frame of its own)', async () => {
      const file = fixture('tasks.ts');
      const summary = await runCommand('poolscope.runFunction', { file, fn: 'spin', inputs: '[3000]', backend: 'thread', workers: 1, timeout: 300 });
      assert.equal(summary.failed, 1);
      const error = ofType(summary.events, 'task-end')[0].error;
      assert.equal(error?.name, 'TaskTimeout');
      const diags = vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === 'PoolScope');
      assert.equal(diags.length, 1);
      assert.equal(diags[0].code, 'TaskTimeout');
      assert.equal(diags[0].range.start.line, 16, '`export function spin` (line 17)');
    });

    test('console output of a task reaches the PoolScope log, prefixed by its worker', async () => {
      const summary = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'shout', inputs: '["hi"]', backend: 'thread', workers: 1 });
      assert.equal(summary.ok, true);
      const logs = ofType(summary.events, 'log');
      assert.ok(logs.some((l) => l.text.includes('shouting hi') && l.workerId !== undefined), 'a log event for the task');
    });
  });
}
