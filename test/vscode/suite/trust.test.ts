// Workspace Trust: untrusted workspaces refuse to run code; Open Trace still works.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, fixture, runCommand } from './helpers.js';

export function defineTrustTests(): void {
  suite('workspace trust', () => {
    teardown(async () => (await api()).trust.setCheck(undefined));

    test('an untrusted workspace refuses every run command with UntrustedWorkspace, and starts no runner', async () => {
      const parts = await api();
      // The real trust state cannot be toggled from a test: the gate's check is injectable.
      parts.trust.setCheck(() => false);
      for (const command of ['poolscope.runFunction', 'poolscope.runFile', 'poolscope.compareBackends']) {
        let started = false;
        const sub = parts.controller.onDidChangeRunning((r) => { started ||= r; });
        await assert.rejects(
          Promise.resolve(vscode.commands.executeCommand(command, { file: fixture('tasks.ts'), fn: 'square', inputs: '[1]', showPanel: false, progress: false })),
          (e: Error) => e.name === 'UntrustedWorkspace',
          `${command} must be refused`,
        );
        sub.dispose();
        assert.equal(started, false, `${command} started a runner`);
      }
    });

    test('untrusted: refused before any prompt, and the CodeLens says Restricted Mode instead of offering a run', async () => {
      const parts = await api();
      parts.trust.setCheck(() => false);
      // No inputs given: a trusted run would open the inputs box; an untrusted one must refuse first.
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', showPanel: false, progress: false })),
        (e: Error) => e.name === 'UntrustedWorkspace',
      );
      const uri = vscode.Uri.file(fixture('tasks.ts'));
      await vscode.workspace.openTextDocument(uri);
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      assert.equal(lenses.filter((l) => l.command?.command.startsWith('poolscope.')).length, 0, 'no run lenses');
      const restricted = lenses.filter((l) => l.command?.command === 'workbench.trust.manage');
      assert.ok(restricted.length > 0 && restricted.every((l) => /Restricted Mode/.test(l.command?.title ?? '')));
    });

    test('Open Trace works in an untrusted workspace (it runs nothing)', async () => {
      const parts = await api();
      parts.trust.setCheck(undefined);
      const ran = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[1, 2]', backend: 'serial' });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'poolscope-trace-')), 'trace.json');
      try {
        const written = await vscode.commands.executeCommand<string>('poolscope.exportTrace', { format: 'chrome-json', runIds: ran.runIds, uri: file });
        assert.equal(written, file);
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: { ph: string }[] };
        assert.equal(json.traceEvents.filter((e) => e.ph === 'X').length >= 2, true, 'an X event per task');

        parts.trust.setCheck(() => false);
        const opened = await vscode.commands.executeCommand<{ events: number; runIds: string[] }>('poolscope.openTrace', { uri: file });
        assert.deepEqual(opened.runIds, ran.runIds);
        assert.equal(opened.events, ran.events.length);
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    });
  });
}
