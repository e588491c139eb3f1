// A Python worker killed mid-task: ProcessPoolExecutor fails with BrokenProcessPool, multiprocessing.Pool
// (which would wait forever) with WorkerCrashed — and nothing hangs or stays behind. Stop and parent
// death take the whole Python process tree down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCollect, alive, TASKS } from '../fixtures/python/run-helpers.mjs';

const LONG = [[2000], [2000], [2000], [2000]];

function killWorkerOfFirstTask() {
  const workers = new Map();
  let killed;
  const onEvent = (e) => {
    if (e.type === 'worker-start') workers.set(e.workerId, e.pid);
    if (e.type === 'task-start' && e.taskId === 1 && killed === undefined) {
      killed = workers.get(e.workerId);
      process.kill(killed, 'SIGKILL');
    }
  };
  return { onEvent, killed: () => killed };
}

async function waitGone(pids, ms = 5000) {
  const until = Date.now() + ms;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(alive);
}

test('py-process: a worker killed mid-task fails that task with BrokenProcessPool; the run ends', async () => {
  const kill = killWorkerOfFirstTask();
  const { result, ends, events, pids, runStart } = await runCollect({ backend: 'py-process', fn: 'spin', inputs: LONG },
    { timeoutMs: 30_000, onEvent: kill.onEvent });
  assert.ok(kill.killed() > 0);
  const first = ends.find((e) => e.taskId === 1);
  assert.equal(first.ok, false);
  assert.equal(first.error.name, 'BrokenProcessPool');
  assert.equal(first.error.data.pid, kill.killed());
  assert.equal(first.error.data.signal, 'SIGKILL');
  // Python breaks the whole executor: every other unfinished task fails by the same name, once.
  assert.deepEqual(ends.map((e) => e.taskId).sort(), [1, 2, 3, 4]);
  for (const e of ends) assert.equal(e.error?.name, 'BrokenProcessPool');
  assert.equal(result.failed, 4);
  const crashed = events.find((e) => e.type === 'worker-exit' && e.reason === 'crash');
  assert.equal(crashed.signal, 'SIGKILL');
  assert.deepEqual(await waitGone([...pids, runStart.pid]), [], 'no Python process left');
});

test('py-mp-pool: a worker killed mid-task fails that task with WorkerCrashed; the others complete', async () => {
  const kill = killWorkerOfFirstTask();
  const { result, ends, pids, runStart } = await runCollect({ backend: 'py-mp-pool', fn: 'spin', inputs: [[1500], [300], [300], [300]] },
    { timeoutMs: 30_000, onEvent: kill.onEvent });
  const first = ends.find((e) => e.taskId === 1);
  assert.equal(first.error.name, 'WorkerCrashed');
  assert.equal(first.error.data.pid, kill.killed());
  assert.equal(first.error.data.signal, 'SIGKILL');
  assert.equal(result.failed, 1);
  assert.deepEqual(ends.filter((e) => e.ok).map((e) => e.taskId).sort(), [2, 3, 4]);
  assert.deepEqual(await waitGone([...pids, runStart.pid]), []);
});

test('stop(): running and queued tasks end with RunStopped, the process group is gone', async () => {
  let stopping;
  const { result, ends, pids, runStart, runEnd } = await runCollect({ backend: 'py-process', fn: 'spin', inputs: LONG }, {
    timeoutMs: 30_000,
    onEvent: (e, run) => { if (e.type === 'task-start' && !stopping) stopping = run.stop(); },
  });
  await stopping;
  assert.equal(result.error.name, 'RunStopped');
  assert.equal(runEnd.error.name, 'RunStopped');
  assert.deepEqual(ends.map((e) => e.taskId).sort(), [1, 2, 3, 4]);
  for (const e of ends) assert.equal(e.error.name, 'RunStopped');
  assert.deepEqual(await waitGone([...pids, runStart.pid]), []);
});

test('parent death: when the process that started Python dies, the Python runner and workers go too', async () => {
  const script = `
    import { runPython } from ${JSON.stringify(fileURLToPath(new URL('../../dist/python.mjs', import.meta.url)))};
    const run = runPython({ file: ${JSON.stringify(TASKS)}, fn: 'spin', inputs: [[20000], [20000]], backend: 'py-process', workers: 2 });
    const pids = [];
    run.onTrace((batch) => {
      for (const e of batch) {
        if (e.type === 'run-start' || e.type === 'worker-start') pids.push(e.pid);
        if (e.type === 'task-start') { console.log(JSON.stringify(pids)); process.kill(process.pid, 'SIGKILL'); }
      }
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  await new Promise((r) => child.on('exit', r));
  const pids = JSON.parse(out.trim().split('\n')[0]);
  assert.ok(pids.length >= 2, `got the runner and worker pids: ${out}`);
  assert.deepEqual(await waitGone(pids, 10_000), [], 'orphaned Python processes were killed');
});
