// py-dask: tasks as futures on a real Dask LocalCluster (Debian's python3-distributed in CI), lanes host → worker
// process → thread from the workers themselves, phases from Dask's task stream, Dask's own failure semantics,
// and nothing of the cluster left running after the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidsWhoseCommandLine, waitUntilGone } from '../fixtures/processes.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TASKS = fileURLToPath(new URL('../fixtures/python/dask_tasks.py', import.meta.url));

/** The interpreter the backend itself would pick (python3 on PATH, else the system's), or undefined. */
function daskPython() {
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(py, ['-c', 'import distributed'], { stdio: 'ignore', timeout: 60_000 });
      return py;
    } catch { /* next */ }
  }
  return undefined;
}
const PY = daskPython();
const skip = PY ? false : 'Dask distributed is not installed (apt-get install python3-distributed)';

function cli(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 240_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** PIDs of Dask processes (scheduler, nanny, worker) on this machine. */
const daskProcesses = () => pidsWhoseCommandLine((cmd) => cmd.includes('dask_tasks.py') || /distributed|dask-worker|multiprocessing\.(spawn|forkserver)/.test(cmd));

async function runJson(args) {
  const before = new Set(daskProcesses());
  const r = await cli([...args, '--json']);
  const left = await waitUntilGone(daskProcesses().filter((p) => !before.has(p)), 15_000);
  assert.deepEqual(left, [], 'no Dask process of the run is left');
  return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined };
}

test('py-dask on a LocalCluster of 2 workers: tasks on 2 worker processes, phases from the task stream, results kept', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-dask-'));
  try {
    const trace = join(dir, 't.json');
    const { code, json, stderr } = await runJson(['run', TASKS, '--fn', 'spin', '--inputs', '[300,300,300,300,300,300]', '--backend', 'py-dask',
      '--workers', '2', '--trace', trace]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /py-dask: a LocalCluster of 2 worker processes × 1 thread/);
    const events = JSON.parse(readFileSync(trace, 'utf8')).poolscope.events;
    const runStart = events.find((e) => e.type === 'run-start');
    assert.equal(runStart.backend, 'py-dask');
    const workers = events.filter((e) => e.type === 'worker-start');
    assert.ok(new Set(workers.map((w) => w.pid)).size >= 2, 'tasks ran in at least two worker processes');
    assert.ok(workers.every((w) => /^tcp:\/\/127\.0\.0\.1:\d+ · /.test(w.name)), 'lanes named by worker address and thread');
    const ends = events.filter((e) => e.type === 'task-end');
    assert.equal(ends.length, 6);
    assert.ok(ends.every((e) => e.ok));
    // The task phase leaves the engine's start-up out: tasks are queued only once the cluster is up (its log line),
    // and the lanes were ready then, their start-up the cluster's.
    const ready = events.find((e) => e.type === 'log' && /py-dask: a LocalCluster/.test(e.text));
    const queued = events.filter((e) => e.type === 'task-queued');
    assert.equal(queued.length, 6);
    assert.ok(queued.every((e) => e.t >= ready.t), `tasks queued after the cluster was up (${ready.t} µs): ${queued.map((e) => e.t)}`);
    assert.ok(workers.every((w) => w.t <= ready.t + 1 && w.startupUs > 0), 'lanes of the first workers ready with the cluster, start-up measured');
    const summary = json.runs[0];
    assert.ok(summary.startupWallUs - summary.taskPhaseUs >= ready.t - runStart.t,
      `the cluster's start-up (${ready.t - runStart.t} µs) counts only "with start-up": task phase ${summary.taskPhaseUs} µs, with start-up ${summary.startupWallUs} µs`);
    // This machine's task threads are announced while their first task runs (not once its record arrives), so
    // the /proc sampler follows them through their tasks: a lane's samples hold most of its tasks' CPU time.
    for (const w of workers) {
      const firstEnd = ends.filter((e) => e.workerId === w.workerId).sort((a, b) => a.seq - b.seq)[0];
      if (firstEnd) assert.ok(w.seq < firstEnd.seq, `lane ${w.name} announced before its first task ended`);
      const sampled = events.filter((e) => e.type === 'cpu-sample' && e.pid === w.pid && e.tid === w.tid).reduce((sum, e) => sum + e.cpuUs, 0);
      const taskCpu = ends.filter((e) => e.workerId === w.workerId).reduce((sum, e) => sum + e.cpuUs, 0);
      assert.ok(sampled >= 0.5 * taskCpu, `lane ${w.name}: ${sampled} µs sampled on CPU for ${taskCpu} µs of task CPU time`);
    }
    // Each result is the PID the task saw; it is the PID of its lane.
    const byWorker = new Map(workers.map((w) => [w.workerId, w.pid]));
    for (const e of ends) assert.equal(Number(e.resultPreview), byWorker.get(e.workerId));
    for (const e of ends) {
      assert.ok(e.phases.some((p) => p.name === 'compute'), 'Dask reported a compute phase');
      const start = events.find((s) => s.type === 'task-start' && s.taskId === e.taskId).t;
      assert.ok(e.phases.every((p) => p.start >= start - 1 && p.end <= e.t + 1), 'phases lie inside the bar');
      assert.ok(e.cpuUs > 0, 'CPU time measured in the worker thread');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('py-dask: a task that raises fails alone with its own error and traceback; the others succeed', { skip }, async () => {
  const { code, json } = await runJson(['run', TASKS, '--fn', 'maybe_raise', '--inputs', 'range(1, 6)', '--backend', 'py-dask', '--workers', '2']);
  assert.equal(code, 1);
  const tasks = json.tasks ?? json.runs?.flatMap((r) => r.tasks ?? []) ?? [];
  const failed = tasks.filter((t) => t.ok === false);
  assert.equal(failed.length, 1, JSON.stringify(json).slice(0, 500));
  assert.equal(failed[0].error.name, 'ValueError');
  assert.match(failed[0].error.message, /three is not allowed/);
  assert.equal(tasks.filter((t) => t.ok).length, 4);
});

test('py-dask: a worker that dies mid-task is replaced and Dask retries the task (its own semantics), shown as a crashed lane', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-dask-'));
  try {
    const marker = join(dir, 'died-once');
    const trace = join(dir, 't.json');
    const { code, stderr } = await runJson(['run', TASKS, '--fn', 'die_once', '--inputs', JSON.stringify([marker]), '--backend', 'py-dask',
      '--workers', '2', '--trace', trace]);
    assert.equal(code, 0, stderr);
    const events = JSON.parse(readFileSync(trace, 'utf8')).poolscope.events;
    const end = events.find((e) => e.type === 'task-end');
    assert.equal(end.ok, true);
    assert.match(end.resultPreview, /survived on pid \d+/);
    assert.match(stderr, /left the cluster; Dask reschedules its tasks/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('py-dask with an unreachable --scheduler → a clear load error, exit 2', { skip }, async () => {
  const r = await cli(['run', TASKS, '--fn', 'spin', '--inputs', '[1]', '--backend', 'py-dask', '--scheduler', 'tcp://127.0.0.1:9']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /DaskSchedulerUnreachable|could not reach the Dask scheduler at tcp:\/\/127\.0\.0\.1:9/);
});

test('--scheduler must look like a scheduler address', async () => {
  const r = await cli(['run', TASKS, '--fn', 'spin', '--backend', 'py-dask', '--scheduler', 'localhost']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--scheduler must be a Dask scheduler address like tcp:\/\//);
});
