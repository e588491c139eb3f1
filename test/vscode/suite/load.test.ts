// A big run through the host: every event arrives, is retained, and reaches the panel.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, fixture, ofType, runCommand, waitFor } from './helpers.js';

export function defineLoadTests(): void {
  suite('load', () => {
    test('10 000 tasks on thread × 2: complete trace in the host, drawn by the panel', async function () {
      // Generous: the bound is "it arrives", not a speed (timing belongs in the bench); CI machines are noisy.
      this.timeout(240_000);
      const parts = await api();
      await vscode.commands.executeCommand('poolscope.showTimeline', { waitForReadyMs: 45_000 });
      const panel = parts.timeline.panel;
      assert.ok(panel?.ready, 'the panel is ready');
      const t0 = Date.now();
      const summary = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: 'range(0, 10000)', backend: 'thread', workers: 2, showPanel: true });
      const ranMs = Date.now() - t0;
      assert.equal(summary.ok, true, `failed ${summary.failed}, error ${summary.error?.name}: ${summary.error?.message}`);
      assert.equal(ofType(summary.events, 'task-end').length, 10_000);
      const runId = summary.runIds[0];
      assert.equal(parts.timeline.history.events([runId]).length, summary.events.length);
      await waitFor(() => (panel.lastRendered?.bars ?? 0) >= 10_000, 180_000, 'the panel to draw 10 000 bars');
      parts.output.channel.info(`load test: 10 000 tasks, ${summary.events.length} events, command ${ranMs} ms, drawn after ${Date.now() - t0} ms`);
    });
  });
}
