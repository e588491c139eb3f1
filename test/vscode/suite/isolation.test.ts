// User code never runs in the extension host; Stop Run leaves no process behind;
// a runner that dies takes nothing else with it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CommandResult } from '../../../src/extension/command-result.js';
import { api, fixture, isAlive, ofType, processesOf, waitFor } from './helpers.js';

/** Starts a long CPU-bound run and resolves once `minStarted` tasks are running. */
async function startLongRun(backend: 'process' | 'thread', minStarted: number): Promise<{ done: Promise<CommandResult>; pids: () => number[] }> {
  const parts = await api();
  const seen = new Set<number>();
  let started = 0;
  const done = Promise.resolve(vscode.commands.executeCommand<CommandResult>('poolscope.runFunction', {
    file: fixture('tasks.ts'), fn: 'spin', inputs: Array.from({ length: 8 }, () => [5000]), backend, workers: 2, showPanel: false, progress: false,
  }));
  // Watch the live history for this run's worker PIDs and running tasks.
  await waitFor(() => {
    const events = parts.timeline.history.events();
    const run = ofType(events, 'run-start').find((r) => r.pid === parts.controller.runnerPid);
    if (!run) return false;
    const mine = events.filter((e) => e.runId === run.runId);
    started = ofType(mine, 'task-start').length;
    for (const w of ofType(mine, 'worker-start')) seen.add(w.pid);
    return started >= minStarted;
  }, 30_000, `${minStarted} running task(s)`);
  return { done, pids: () => [...seen] };
}

export function defineIsolationTests(): void {
  suite('isolation and stopping', () => {
    // A failed test must not leave its long run behind for the next one.
    teardown(async () => { await (await api()).controller.stop(); });

    test('Stop Run ends the run and leaves no runner or worker process', async function () {
      const parts = await api();
      const run = await startLongRun('process', 2);
      const runnerPid = parts.controller.runnerPid;
      assert.ok(runnerPid && runnerPid !== process.pid);
      const workerPids = run.pids();
      assert.ok(workerPids.length >= 2 && workerPids.every((p) => p !== process.pid && p !== runnerPid));
      assert.ok([runnerPid, ...workerPids].every(isAlive));

      const t0 = Date.now();
      assert.equal(await vscode.commands.executeCommand('poolscope.stopRun'), true);
      const summary = await run.done;
      assert.equal(summary.stopped, true);
      assert.equal(summary.ok, false);
      const ends = ofType(summary.events, 'task-end');
      assert.ok(ends.filter((e) => e.ok).length < 8, 'stopped before all 8 × 5 s tasks finished');
      assert.ok(ends.filter((e) => !e.ok).every((e) => typeof e.error?.name === 'string'), 'stopped tasks fail with a named error');
      assert.ok(Date.now() - t0 < 15_000, 'stop did not wait for the tasks');
      await waitFor(() => ![runnerPid, ...workerPids, ...processesOf(summary)].some(isAlive), 10_000, 'runner and workers to exit');
      assert.equal(parts.controller.running, false);
      assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(fixture('tasks.ts'))).filter((d) => d.source === 'PoolScope'), [],
        'tasks cut short by Stop Run are not problems in the code');
      assert.equal(await vscode.commands.executeCommand('poolscope.stopRun'), false, 'nothing left to stop');
    });

    test('killing the runner fails the run as RunnerCrashed; the host lives on and runs again', async () => {
      const parts = await api();
      const run = await startLongRun('thread', 1);
      const runnerPid = parts.controller.runnerPid;
      assert.ok(runnerPid && runnerPid !== process.pid, 'the runner is its own process');
      process.kill(runnerPid, 'SIGKILL');
      const summary = await run.done;
      assert.equal(summary.ok, false);
      assert.equal(summary.error?.name, 'RunnerCrashed');
      await waitFor(() => !isAlive(runnerPid), 10_000, 'the killed runner to be gone');
      assert.equal(isAlive(process.pid), true);

      const again = await vscode.commands.executeCommand<CommandResult>('poolscope.runFunction', {
        file: fixture('tasks.ts'), fn: 'square', inputs: '[3]', backend: 'thread', workers: 1, showPanel: false, progress: false,
      });
      assert.equal(again.ok, true);
      assert.notEqual(again.runnerPid, runnerPid);
    });

    test('a poolscope.nodePath that does not exist fails the run with a clear RunnerCrashed, not a hang', async () => {
      const c = vscode.workspace.getConfiguration('poolscope');
      const saved = c.inspect('nodePath')?.workspaceValue;
      await c.update('nodePath', '/nonexistent/bin/node', vscode.ConfigurationTarget.Workspace);
      try {
        const summary = await vscode.commands.executeCommand<CommandResult>('poolscope.runFunction', {
          file: fixture('tasks.ts'), fn: 'square', inputs: '[1]', showPanel: false, progress: false,
        });
        assert.equal(summary.ok, false);
        assert.equal(summary.error?.name, 'RunnerCrashed');
        assert.match(summary.error?.message ?? '', /nodePath/);
      } finally {
        await c.update('nodePath', saved, vscode.ConfigurationTarget.Workspace);
      }
      const again = await vscode.commands.executeCommand<CommandResult>('poolscope.runFunction', {
        file: fixture('tasks.ts'), fn: 'square', inputs: '[2]', backend: 'serial', showPanel: false, progress: false,
      });
      assert.equal(again.ok, true, 'the default runtime (the editor\'s own Node) works again');
    });

    test('one run at a time: a second run while one is in flight is refused by name', async () => {
      const parts = await api();
      const run = await startLongRun('thread', 1);
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: '[1]', showPanel: false, progress: false })),
        (e: Error) => e.name === 'RunInProgress',
      );
      await parts.controller.stop();
      const summary = await run.done;
      assert.equal(summary.stopped, true);
    });
  });
}
