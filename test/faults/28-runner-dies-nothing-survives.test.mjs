// Scenario 28: the runner dies uncleanly, through the real CLI — SIGKILLed
// from outside, killed together with the CLI, stopped by Ctrl-C or by its own
// watchdog while main() spins with a process pool busy, or hit by a task's
// kill(0). The runner is its own process group and session, its parent knows
// every worker from worker-start and kills them (and their groups) when it
// dies, workers exit by themselves within ~2 s once their parent is gone, and
// every process of the run carries the run's mark. Nothing of the run may
// survive, and the user's shell (here: the test's own process group) is never hit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine } from '../fixtures/processes.mjs';
import { leakCheck, assertNoLeaks, taggedProcesses, waitFor, within, isAlive } from './harness.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const FILE = fileURLToPath(new URL('../fixtures/cli/runner-faults.ts', import.meta.url));

const cmdline = commandLine;

/** The run's processes by role, from the leak tag every one of them carries. */
function runProcesses() {
  const pids = taggedProcesses();
  return {
    runner: pids.filter((p) => cmdline(p).includes('runner.js')),
    workers: pids.filter((p) => cmdline(p).includes('worker.js')),
  };
}

/** Starts the CLI in a process group of its own (as a shell would), collecting stderr. */
function startCli(args, log) {
  const cli = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, FAULT_LOG: log }, stdio: ['ignore', 'ignore', 'pipe'], detached: true,
  });
  let stderr = '';
  cli.stderr.setEncoding('utf8').on('data', (t) => { stderr += t; });
  const exited = new Promise((resolve) => cli.on('exit', (code, signal) => resolve({ code, signal, stderr: () => stderr })));
  return { cli, exited };
}

function logLines(log) {
  try { return readFileSync(log, 'utf8').split('\n').filter(Boolean); } catch { return []; }
}

async function scenario(body) {
  const snapshot = leakCheck();
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-fault28-'));
  const log = join(dir, 'run.log');
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let cli;
  let passed = false;
  try {
    await body(log, (args) => { const started = startCli(args, log); cli = started.cli; return started; });
    passed = true;
  } finally {
    if (cli?.pid !== undefined && cli.exitCode === null && cli.signalCode === null) try { process.kill(-cli.pid, 'SIGKILL'); } catch { /* gone */ }
    // A failed scenario must not leave its run behind for the next one: the runner and the workers lead process
    // groups of their own (the CLI's group kill misses them), but every one of them carries the leak tag.
    if (!passed) {
      for (const pid of taggedProcesses()) {
        if (snapshot.processes.includes(pid)) continue;
        try { process.kill(-pid, 'SIGKILL'); } catch { /* not a group leader, or gone */ }
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  await assertNoLeaks(snapshot);
}

const FN_RUN = ['run', FILE, '--fn', 'spinLogged', '--inputs', '[1,2]', '-b', 'process', '-w', '2'];

test('process run: the runner is SIGKILLed → RunnerCrashed, exit 1, its workers are killed by the CLI', async () => {
  await scenario(async (log, start) => {
    const { exited } = start(FN_RUN);
    assert.ok(await waitFor(() => logLines(log).length >= 2, 60_000), 'both tasks started');
    const { runner, workers } = runProcesses();
    assert.equal(runner.length, 1);
    assert.equal(workers.length, 2);
    process.kill(runner[0], 'SIGKILL');
    const exit = await within(exited, 30_000, 'the CLI to exit');
    assert.equal(exit.code, 1, exit.stderr());
    assert.match(exit.stderr(), /RunnerCrashed/);
    assert.deepEqual(workers.filter(isAlive), [], 'workers outlived the runner');
  });
});

test('process run: the CLI and the runner are SIGKILLed together → the workers exit by themselves', async () => {
  await scenario(async (log, start) => {
    const { cli, exited } = start(FN_RUN);
    assert.ok(await waitFor(() => logLines(log).length >= 2, 60_000), 'both tasks started');
    const { runner, workers } = runProcesses();
    assert.equal(workers.length, 2);
    process.kill(cli.pid, 'SIGKILL');
    process.kill(runner[0], 'SIGKILL');
    await within(exited, 30_000, 'the CLI to die');
    // Nobody is left to kill them: each worker's watchdog thread notices its parent is gone (~250 ms polls).
    assert.ok(await waitFor(() => workers.every((p) => !isAlive(p)), 10_000), `workers still running: ${workers.filter(isAlive)}`);
  });
});

test('Run File: Ctrl-C while main() spins with a process pool busy → the CLI ends, nothing of the run is left', async () => {
  await scenario(async (log, start) => {
    const { cli, exited } = start(['run', FILE, '-w', '2']);
    assert.ok(await waitFor(() => logLines(log).includes('main spins'), 60_000), 'main() spins with both tasks running');
    process.kill(cli.pid, 'SIGINT');
    const exit = await within(exited, 30_000, 'the CLI to exit after Ctrl-C');
    assert.notEqual(exit.code, 0, exit.stderr());
  });
});

test('Run File: --timeout stops a main() that spins (the watchdog), with a process pool busy; nothing is left', async () => {
  await scenario(async (log, start) => {
    const { exited } = start(['run', FILE, '-w', '2', '--timeout', '500']);
    const exit = await within(exited, 60_000, 'the CLI to exit');
    assert.ok(logLines(log).includes('main spins'), 'main() was reached');
    assert.equal(exit.code, 1, exit.stderr());
    assert.match(exit.stderr(), /main\(\) ran past --timeout/);
  });
});

for (const backend of ['thread', 'serial']) {
  test(`${backend}: a task's kill(0) hits the runner's own group, not the user's shell → RunnerCrashed, exit 1`, async () => {
    await scenario(async (log, start) => {
      const { exited } = start(['run', FILE, '--fn', 'killGroup', '--inputs', '[1]', '-b', backend, '-w', '1']);
      const exit = await within(exited, 60_000, 'the CLI to exit');
      assert.ok(logLines(log).includes('killGroup'), 'the task ran');
      assert.equal(exit.signal, null, 'the CLI itself was signalled');
      assert.equal(exit.code, 1, exit.stderr());
      assert.match(exit.stderr(), /RunnerCrashed/);
    });
  });
}

test('process: a task\'s kill(0) hits only its worker\'s group → WorkerCrashed for that task, exit 1', async () => {
  await scenario(async (log, start) => {
    const { exited } = start(['run', FILE, '--fn', 'killGroup', '--inputs', '[1]', '-b', 'process', '-w', '1']);
    const exit = await within(exited, 60_000, 'the CLI to exit');
    assert.equal(exit.signal, null);
    assert.equal(exit.code, 1, exit.stderr());
    assert.match(exit.stderr(), /WorkerCrashed/);
  });
});
