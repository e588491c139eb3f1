// Issue 17's warm click: the same function run twice from the command, each time until the webview reports
// the run's first bar drawn (its `first-bar` message, sent on the frame after the one that drew it): the first
// cold (no spare runner), the second on the runner kept forked after the first, which started the same pool
// ahead (launch.ts warm start, run-session.ts PreparedPool). Only that both happen is asserted; the times
// (machine-dependent), stage by stage (RunController.lastClick), go to E2E_OUT/warm-click.json and the log,
// which the bench report prints.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, fixture, isAlive, keepWorkspaceSettings, runCommand, waitFor } from './helpers.js';

export function defineWarmClickTests(): void {
  suite('warm click', () => {
    keepWorkspaceSettings('workers');

    test('two runs of one function each reach a drawn bar; the times are recorded', async () => {
      const parts = await api();
      const shown = await vscode.commands.executeCommand<{ ready: boolean }>('poolscope.showTimeline', { waitForReadyMs: 45_000 });
      assert.equal(shown.ready, true);
      const panel = parts.timeline.panel;
      assert.ok(panel);

      const click = async (): Promise<{ firstBarMs: number; reportedMs: number; doneMs: number; runnerPid: number | undefined; stages: unknown }> => {
        const t0 = performance.now();
        let firstBarMs: number | undefined;
        let firstBarRun: string | undefined;
        let reportedMs: number | undefined;
        const sub = panel.onFirstBar((m) => {
          if (reportedMs === undefined) {
            reportedMs = performance.now() - t0;
            // The webview stamps the frame on the wall clock (the same machine's): not counting the report's way back.
            firstBarMs = m.paintedAtEpochMs !== undefined ? m.paintedAtEpochMs - (performance.timeOrigin + t0) : reportedMs;
            firstBarRun = m.runId;
          }
        });
        try {
          const summary = await runCommand('poolscope.runFunction', {
            file: fixture('tasks.ts'), fn: 'square', inputs: 'range(0, 4)', backend: 'thread', workers: 2, showPanel: true,
          });
          const doneMs = performance.now() - t0;
          assert.equal(summary.ok, true, summary.error?.message);
          await waitFor(() => firstBarMs !== undefined, 30_000, 'the run\'s first bar to be drawn');
          assert.equal(firstBarRun, summary.runIds[0], 'the first bar reported is this run\'s');
          return { firstBarMs: firstBarMs!, reportedMs: reportedMs!, doneMs, runnerPid: summary.runnerPid, stages: parts.controller.lastClick };
        } finally {
          sub.dispose();
        }
      };

      // Earlier runs of the suite left a spare: the first click is cold only without it.
      parts.spareRunners.dispose();
      const first = await click();
      // A user's second click comes seconds after the first run: by then the spare has its pool's workers up.
      // Waiting for the spare to say so stands for that pause.
      await waitFor(() => parts.spareRunners.readyPids().length === 1, 30_000, 'a spare runner with the pool started ahead and ready');
      const [spare] = parts.spareRunners.pids();
      const second = await click();
      assert.ok(first.firstBarMs > 0 && second.firstBarMs > 0);
      assert.equal(second.runnerPid, spare, 'the second run starts on the spare runner');
      assert.equal((second.stages as { prepared?: boolean }).prepared, true, 'the second run uses the pool the spare started ahead');

      const figures = {
        date: new Date().toISOString(),
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
        what: 'command → the frame after the one that drew the run\'s first bar (the webview\'s wall-clock stamp against the extension host\'s), thread × 2, 4 tasks; warm once the spare runner\'s pool was ready; *ReportedMs: when the webview\'s report of it reached the host',
        coldClickMs: Math.round(first.firstBarMs), warmClickMs: Math.round(second.firstBarMs),
        coldReportedMs: Math.round(first.reportedMs), warmReportedMs: Math.round(second.reportedMs),
        coldDoneMs: Math.round(first.doneMs), warmDoneMs: Math.round(second.doneMs),
        coldStages: first.stages, warmStages: second.stages,
      };
      console.log(`warm click: ${JSON.stringify(figures)}`);
      const out = process.env.E2E_OUT;
      if (out) {
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, 'warm-click.json'), `${JSON.stringify(figures, null, 2)}\n`);
      }
    });

    test('a spare holding a pool started ahead: a saved code file swaps it for a plain one, a settings change ends it; no process is left', async () => {
      const parts = await api();
      const args = { file: fixture('tasks.ts'), fn: 'square', inputs: 'range(0, 2)', backend: 'thread', workers: 2 } as const;
      parts.spareRunners.dispose();
      assert.equal((await runCommand('poolscope.runFunction', args)).ok, true);
      await waitFor(() => parts.spareRunners.preparedPids().length === 1, 30_000, 'a spare starting the pool ahead');
      const [prepared] = parts.spareRunners.preparedPids();

      // Saving a code file (a space added, then taken out again): a plain spare takes the place of the one with the pool.
      const doc = await vscode.workspace.openTextDocument(fixture('tasks.ts'));
      const add = new vscode.WorkspaceEdit();
      add.insert(doc.uri, new vscode.Position(0, 0), ' ');
      await vscode.workspace.applyEdit(add);
      await doc.save();
      await waitFor(() => parts.spareRunners.preparedPids().length === 0, 10_000, 'the spare with the pool to be replaced after the save');
      await waitFor(() => !isAlive(prepared), 10_000, `the spare that held the pool (pid ${prepared}) to be gone`);
      assert.equal(parts.spareRunners.pids().length, 1, 'a plain spare waits instead');
      const remove = new vscode.WorkspaceEdit();
      remove.delete(doc.uri, new vscode.Range(0, 0, 0, 1));
      await vscode.workspace.applyEdit(remove);
      await doc.save();

      // A run on the plain spare prepares the next one again; a settings change then ends every spare.
      assert.equal((await runCommand('poolscope.runFunction', args)).ok, true);
      await waitFor(() => parts.spareRunners.preparedPids().length === 1, 30_000, 'a spare starting the pool ahead again');
      const spares = parts.spareRunners.pids();
      const c = vscode.workspace.getConfiguration('poolscope');
      await c.update('workers', (c.get<number>('workers') ?? 4) === 3 ? 5 : 3, vscode.ConfigurationTarget.Workspace);
      await waitFor(() => parts.spareRunners.pids().length === 0, 10_000, 'no spare after a settings change');
      await waitFor(() => spares.every((pid) => !isAlive(pid)), 10_000, `the spares (${spares.join(', ')}) to be gone`);
    });
  });
}
