// Activation, contributed commands and manifest facts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, api, fixture } from './helpers.js';

const COMMANDS = [
  'poolscope.runFunction', 'poolscope.runSelection', 'poolscope.runFile', 'poolscope.compareBackends',
  'poolscope.switchBackend', 'poolscope.toggleBackend', 'poolscope.setPoolSize', 'poolscope.stopRun',
  'poolscope.showTimeline', 'poolscope.exportTrace', 'poolscope.openTrace',
];

export function defineCommandTests(): void {
  suite('activation and commands', () => {
    test('the extension activates and returns its parts', async () => {
      const parts = await api();
      assert.ok(parts.controller && parts.timeline && parts.trust);
      assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    });

    test('every contributed command is registered, in category PoolScope', async () => {
      const registered = new Set(await vscode.commands.getCommands(true));
      for (const id of COMMANDS) assert.ok(registered.has(id), `${id} is not registered`);
      const contributed = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands as { command: string; category: string }[];
      assert.deepEqual(contributed.map((c) => c.command).sort(), [...COMMANDS].sort());
      assert.ok(contributed.every((c) => c.category === 'PoolScope'));
    });

    test('manifest: limited support in untrusted workspaces, no eager activation', () => {
      const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { capabilities: { untrustedWorkspaces: { supported: string } }; activationEvents: string[] };
      assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
      assert.ok(!pkg.activationEvents.includes('*') && !pkg.activationEvents.includes('onStartupFinished'));
    });

    test('the walkthrough has 3–4 steps, each with a picture that ships with the extension', () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext);
      type Image = string | { light: string; dark: string; hc?: string; hcLight?: string };
      const walkthroughs = ext.packageJSON.contributes.walkthroughs as { steps: { media: { image: Image }; completionEvents: string[] }[] }[];
      assert.equal(walkthroughs.length, 1);
      const steps = walkthroughs[0].steps;
      assert.ok(steps.length >= 3 && steps.length <= 4);
      for (const step of steps) {
        // A light and a dark picture, so the walkthrough follows the theme.
        const image = step.media.image;
        assert.ok(typeof image === 'object' && image.light !== image.dark, 'light and dark variants');
        for (const file of Object.values(image)) assert.ok(fs.existsSync(path.join(ext.extensionPath, file)), `${file} is missing`);
        // Only completion events VS Code knows (onLanguage: is not one: such a step never completes).
        for (const e of step.completionEvents) assert.match(e, /^(onCommand|onContext|onSettingChanged|onView|onLink|onStepSelected|onExtensionInstalled):./);
      }
    });

    test('CodeLens offers "▶ Run in pool" and "Compare backends" above each exported function', async () => {
      await api();
      const uri = vscode.Uri.file(fixture('tasks.ts'));
      await vscode.workspace.openTextDocument(uri);
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      const ours = lenses.filter((l) => l.command?.command.startsWith('poolscope.'));
      const square = ours.filter((l) => (l.command?.arguments?.[0] as { fn?: string } | undefined)?.fn === 'square');
      assert.deepEqual(square.map((l) => l.command?.title), ['▶ Run in pool', 'Compare backends']);
      assert.equal(square[0].range.start.line, 4);
    });
  });
}
