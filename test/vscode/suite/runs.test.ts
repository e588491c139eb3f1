// Running a fixture function on every backend and receiving a complete trace.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { NODE_BACKENDS } from '../../../src/trace/events.js';
import { api, assertCompleteRun, fixture, ofType, runCommand } from './helpers.js';

export function defineRunTests(): void {
  suite('runs on every backend', () => {
    suiteSetup(async () => {
      await api();
    });

    for (const backend of NODE_BACKENDS) {
      test(`Run Function in Pool: square × range(1, 7) on ${backend} gives a complete trace`, async () => {
        const summary = await runCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: 'range(1, 7)', backend, workers: 2 });
        assert.equal(summary.error, undefined, `run error: ${summary.error?.name}: ${summary.error?.message}`);
        assert.equal(summary.ok, true);
        assert.equal(summary.runIds.length, 1);
        assertCompleteRun(summary.events, summary.runIds[0]);
        const start = ofType(summary.events, 'run-start')[0];
        assert.equal(start.backend, backend);
        assert.equal(start.fn, 'square');
        assert.equal(start.inputsCount, 6);
        assert.equal(ofType(summary.events, 'task-queued').length, 6);
        const ends = ofType(summary.events, 'task-end');
        assert.equal(ends.length, 6);
        assert.ok(ends.every((e) => e.ok));
        assert.deepEqual(ends.map((e) => Number(e.resultPreview)).sort((a, b) => a - b), [1, 4, 9, 16, 25, 36]);
        const runEnd = ofType(summary.events, 'run-end')[0];
        assert.equal(runEnd.stats.tasks, 6);
        assert.equal(runEnd.stats.failed, 0);

        // Who ran the tasks: what each backend is about.
        assert.ok(summary.runnerPid && summary.runnerPid !== process.pid, 'the runner is not the extension host');
        assert.ok(!summary.pids.includes(process.pid), 'no task ran in the extension host');
        const workers = ofType(summary.events, 'worker-start');
        if (backend === 'process') {
          assert.equal(new Set(workers.map((w) => w.pid)).size, workers.length, 'one PID per worker process');
          assert.ok(workers.every((w) => w.pid !== summary.runnerPid));
        } else {
          assert.ok(workers.every((w) => w.pid === summary.runnerPid), `${backend} workers live in the runner process`);
        }
        if (backend === 'thread') assert.equal(new Set(workers.map((w) => w.threadId)).size, workers.length, 'one thread per worker');
        if (backend === 'event-loop') assert.equal(new Set(workers.map((w) => w.threadId)).size, 1, 'one thread for every task');
      });
    }

    test('Compare Backends runs the same inputs on each backend, one run each', async () => {
      const summary = await runCommand('poolscope.compareBackends', { file: fixture('tasks.ts'), fn: 'square', inputs: [[2], [3], [4]], backends: ['serial', 'thread'], workers: 2 });
      assert.equal(summary.ok, true);
      assert.equal(summary.runIds.length, 2);
      for (const id of summary.runIds) assertCompleteRun(summary.events, id);
      assert.deepEqual(ofType(summary.events, 'run-start').map((e) => e.backend), ['serial', 'thread']);
      assert.equal(ofType(summary.events, 'task-end').length, 6);
    });

    test('Run File runs the default export, which uses the API', async () => {
      const { output } = await api();
      const summary = await runCommand('poolscope.runFile', { file: fixture('script.mjs'), backend: 'thread', workers: 2 });
      assert.equal(summary.error, undefined, `run error: ${summary.error?.name}: ${summary.error?.message}`);
      assert.equal(summary.ok, true);
      const ends = ofType(summary.events, 'task-end');
      assert.deepEqual(ends.map((e) => Number(e.resultPreview)).sort((a, b) => a - b), [1, 8, 27]);
      assert.ok(output.channel.name === 'PoolScope');
    });

    test('a file that does not compile resolves with the load error, not a crash', async () => {
      // Written here, not checked in: the project's type check and lint would trip over it.
      fs.writeFileSync(fixture('broken.ts'), '// does not compile\nexport function half(x: number): number {\n  return x / ;\n}\n');
      const summary = await runCommand('poolscope.runFunction', { file: fixture('broken.ts'), fn: 'half', inputs: '[1]' });
      assert.equal(summary.ok, false);
      assert.ok(summary.error, 'a load error is reported');
      assert.notEqual(summary.error?.name, 'RunnerCrashed');
      const diags = vscode.languages.getDiagnostics(vscode.Uri.file(fixture('broken.ts')));
      assert.equal(diags.length, 1);
      assert.equal(diags[0].range.start.line, 2, 'at the syntax error');
    });

    test('bad inputs are refused before anything runs, by name', async () => {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('poolscope.runFunction', { file: fixture('tasks.ts'), fn: 'square', inputs: 'range(1,', showPanel: false, progress: false })),
        (e: Error) => e.name === 'InvalidInputs',
      );
    });
  });
}
