// Scenario 34: a task's process.kill(process.ppid, 'SIGKILL') — on thread,
// event-loop and serial workers that is the runner's parent, the poolscope
// command itself (or the editor's extension host) — fails that task with
// KillRefused instead of ending the CLI silently; the other tasks complete,
// the CLI reports and exits 1, nothing of the run is left. On process workers
// the parent is the runner: refused the same way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const cache = tempDir();
after(() => cache.cleanup());

for (const backend of ['thread', 'event-loop', 'serial', 'process']) {
  test(`${backend}: process.kill(process.ppid) in a task → KillRefused for that task, the CLI lives and exits 1`, async () => {
    const r = await runCli(['run', fixture('kill-parent.ts'), '--fn', 'signalParent', '--inputs', '[0,1,2]', '--backend', backend,
      '--workers', '2', '--cache-dir', cache.dir, '--json'], { timeoutMs: 60_000 });
    assert.equal(r.signal, null, `the CLI was killed: ${r.stderr}`);
    assert.equal(r.code, 1, r.stderr);
    const tasks = JSON.parse(r.stdout).tasks;
    assert.equal(tasks.length, 3, r.stdout);
    const failed = tasks.filter((t) => !t.ok);
    assert.equal(failed.length, 1, JSON.stringify(tasks));
    assert.equal(failed[0].error.name, 'KillRefused');
    assert.match(failed[0].error.message, /would signal the process that started this run/);
    assert.deepEqual(tasks.filter((t) => t.ok).map((t) => t.result).sort(), [0, 2], JSON.stringify(tasks));
    assert.deepEqual(r.leftover, []);
  });
}
