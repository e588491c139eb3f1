// The distributed engines in the extension: bullmq / py-dask are offered by name (not in the click cycle),
// the Redis URL setting is checked before anything starts (no other scheme, no credentials), a missing
// engine stops the run with the install command, and a real bullmq run (when redis-server is installed)
// goes through the same commands as the pools.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { api, assertCompleteRun, fixture, keepWorkspaceSettings, ofType, runCommand, waitFor } from './helpers.js';

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The command's rejection (the commands reject with named errors for programmatic callers). */
async function rejection(command: string, args: object): Promise<Error> {
  try {
    await vscode.commands.executeCommand(command, { showPanel: false, progress: false, ...args });
  } catch (e) {
    return e as Error;
  }
  return assert.fail(`${command} did not reject`);
}

export function defineDistributedTests(): void {
  suite('distributed engines (bullmq, py-dask)', () => {
    keepWorkspaceSettings('backend', 'pythonBackend', 'bullmq.redis');

    test('Switch Backend takes bullmq and py-dask by name; the status bar explains them; a click leaves bullmq for the pools', async () => {
      const { statusBar } = await api();
      assert.equal(await vscode.commands.executeCommand('poolscope.switchBackend', 'bullmq'), 'bullmq');
      assert.equal(vscode.workspace.getConfiguration('poolscope').get('backend'), 'bullmq');
      await waitFor(() => statusBar.item.text.includes('bullmq ×'), 5000, 'the status bar shows bullmq');
      assert.match((statusBar.item.tooltip as vscode.MarkdownString).value, /BullMQ jobs on a Redis server/);
      assert.equal(await vscode.commands.executeCommand('poolscope.toggleBackend'), 'event-loop', 'the click cycle holds the pools only');
      assert.equal(await vscode.commands.executeCommand('poolscope.switchBackend', 'py-dask'), 'py-dask');
      assert.equal(vscode.workspace.getConfiguration('poolscope').get('pythonBackend'), 'py-dask');
    });

    test('the timeline\'s backend dropdown can pick bullmq (the webview\'s set-backend goes through Switch Backend)', async () => {
      const parts = await api();
      await vscode.commands.executeCommand('poolscope.switchBackend', 'thread');
      const panel = parts.timeline.panel ?? (await vscode.commands.executeCommand('poolscope.showTimeline'), parts.timeline.panel);
      assert.ok(panel);
      const rejected = panel.rejectedMessages;
      panel.receive({ type: 'set-backend', backend: 'bullmq' });
      await waitFor(() => vscode.workspace.getConfiguration('poolscope').get('backend') === 'bullmq', 5000, 'backend bullmq from the webview');
      assert.equal(panel.rejectedMessages, rejected, 'bullmq is a valid choice, not a rejected message');
    });

    test('poolscope.bullmq.redis: another scheme or credentials stop the run before it starts, without echoing the password', async () => {
      const c = vscode.workspace.getConfiguration('poolscope');
      await c.update('bullmq.redis', 'http://10.0.0.5:6379', vscode.ConfigurationTarget.Workspace);
      const scheme = await rejection('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[1]', backend: 'bullmq' });
      assert.equal(scheme.name, 'InvalidSetting');
      assert.match(scheme.message, /redis:\/\//);
      await c.update('bullmq.redis', 'redis://app:hunter2@10.0.0.5:6379', vscode.ConfigurationTarget.Workspace);
      const secret = await rejection('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[1]', backend: 'bullmq' });
      assert.equal(secret.name, 'InvalidSetting');
      assert.match(secret.message, /POOLSCOPE_REDIS_PASSWORD/);
      assert.doesNotMatch(secret.message, /hunter2/);
      await c.update('bullmq.redis', undefined, vscode.ConfigurationTarget.Workspace);
    });

    test('bullmq without redis-server: RedisNotInstalled naming the install command, no run started', async () => {
      const { controller } = await api();
      const before = process.env.POOLSCOPE_REDIS_SERVER;
      process.env.POOLSCOPE_REDIS_SERVER = '/nonexistent/redis-server';
      try {
        const e = await rejection('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[1]', backend: 'bullmq' });
        assert.equal(e.name, 'RedisNotInstalled');
        assert.match(e.message, /redis-server' was not found on PATH/);
        assert.match(e.message, /poolscope\.bullmq\.redis/);
        assert.equal(controller.running, false);
      } finally {
        if (before === undefined) delete process.env.POOLSCOPE_REDIS_SERVER;
        else process.env.POOLSCOPE_REDIS_SERVER = before;
      }
    });

    test('a bullmq run from the editor: a complete trace, lanes under this machine\'s workers, results as returned', async function () {
      if (!hasRedisServer()) this.skip();
      this.timeout(120_000);
      const summary = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: 'range(1, 7)', workers: 2, backend: 'bullmq' });
      assert.equal(summary.error, undefined, `run error: ${summary.error?.name}: ${summary.error?.message}`);
      assertCompleteRun(summary.events, summary.runIds[0]);
      assert.equal(ofType(summary.events, 'run-start')[0].backend, 'bullmq');
      assert.deepEqual(ofType(summary.events, 'task-end').map((e) => Number(e.resultPreview)).sort((a, b) => a - b), [1, 4, 9, 16, 25, 36]);
      const lanes = ofType(summary.events, 'worker-start');
      assert.ok(lanes.length >= 1 && lanes.every((w) => w.host === undefined), 'local workers: no host of their own (this machine)');
      assert.ok(!summary.pids.includes(process.pid), 'no job ran in the extension host');
    });
  });
}
