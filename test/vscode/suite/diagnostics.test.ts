// Task errors become diagnostics at the throwing line, and go away on the next good run.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TaskDiagnostics } from '../../../src/extension/diagnostics.js';
import { api, fixture, ofType, runCommand } from './helpers.js';

/** A workspace state in memory: what a reloaded window hands the extension back. */
class MemoryMemento implements vscode.Memento {
  readonly #values = new Map<string, unknown>();
  keys(): readonly string[] { return [...this.#values.keys()]; }
  get<T>(key: string, fallback?: T): T | undefined { return this.#values.has(key) ? this.#values.get(key) as T : fallback; }
  update(key: string, value: unknown): Thenable<void> {
    // Stored as JSON, as VS Code does.
    if (value === undefined) this.#values.delete(key); else this.#values.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
}

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

    test('one diagnostic per failing call site, listing the inputs that failed there (not one per task)', async () => {
      const parts = await api();
      const file = fixture('tasks.ts');
      const uri = vscode.Uri.file(file);
      const failing = await runCommand('poolscope.runFunction', { file, fn: 'failOnOdd', inputs: '[1, 2, 3, 4, 5]', backend: 'thread', workers: 2 });
      assert.equal(failing.failed, 3);
      const diags = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PoolScope');
      assert.equal(diags.length, 1, diags.map((d) => d.message).join(' | '));
      assert.equal(diags[0].range.start.line, 34, 'the throw in failOnOdd (line 35)');
      assert.match(diags[0].message, /^RangeError: odd input \d \(3 calls failed here: inputs 1, 3, 5\)$/);

      // After a window reload the same problems come back from the workspace state.
      const memento = new MemoryMemento();
      const before = new TaskDiagnostics(memento, (runId, ids) => parts.timeline.history.inputPreviews(runId, ids));
      before.addFromEvents(failing.events, file, 'failOnOdd');
      const shown = before.collection.get(uri)?.map((d) => [d.message, d.range.start.line, d.code]);
      before.dispose();
      const after = new TaskDiagnostics(memento);
      try {
        assert.deepEqual(after.collection.get(uri)?.map((d) => [d.message, d.range.start.line, d.code]), shown);
        assert.equal(shown?.length, 1);
        after.clear();
        assert.equal(memento.get('poolscope.diagnostics'), undefined, 'clearing forgets them for the next reload too');
      } finally {
        after.dispose();
      }
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
