// Run File on a Python script: the pools the script creates itself are traced (submit, map, apply_async),
// prints inside tasks belong to their task, and the `poolscope.PoolExecutor` alias follows the toggle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCollect, alive } from '../fixtures/python/run-helpers.mjs';

const example = (name) => fileURLToPath(new URL(`../../examples/python/${name}`, import.meta.url));

for (const [backend, executor] of /** @type {const} */ ([['py-thread', 'ThreadPoolExecutor'], ['py-process', 'ProcessPoolExecutor']])) {
  test(`unify.py on ${backend}: PoolExecutor is ${executor}; 6 traced get_title tasks with their prints`, async () => {
    const { result, events, runStart, pids, ends } = await runCollect({ file: example('unify.py'), mode: 'file', backend });
    assert.equal(result.ok, true, JSON.stringify(result));
    const queued = events.filter((e) => e.type === 'task-queued');
    assert.equal(queued.length, 6);
    for (const q of queued) assert.equal(q.fn, 'get_title');
    assert.equal(ends.filter((e) => e.ok).length, 6);
    const mainLogs = events.filter((e) => e.type === 'log' && e.taskId === undefined).map((e) => e.text);
    assert.ok(mainLogs.includes(`${executor} with 3 workers\n`), mainLogs.join(''));
    const taskLogs = events.filter((e) => e.type === 'log' && e.taskId !== undefined);
    assert.equal(taskLogs.length, 6);
    for (const l of taskLogs) assert.match(l.text, /^Getting title from 127\.0\.0\.1:\d+\/\S+ PID: \d+ ProcName: \S+\n$/);
    if (backend === 'py-thread') {
      assert.deepEqual(pids, [runStart.pid], 'threads: one PID');
      for (const l of taskLogs) assert.match(l.text, /ProcName: MainProcess/);
    } else {
      assert.ok(pids.length >= 2 && !pids.includes(runStart.pid), `processes: their own PIDs ${pids}`);
      for (const l of taskLogs) assert.match(l.text, /ProcName: ForkProcess-\d/);
      for (const pid of pids) assert.equal(alive(pid), false);
    }
  });
}

test('return_values.py: apply_async, map and apply on multiprocessing.Pool are each traced per item', async () => {
  const { result, events, ends } = await runCollect({ file: example('return_values.py'), mode: 'file', backend: 'py-mp-pool' });
  assert.equal(result.ok, true);
  const fns = events.filter((e) => e.type === 'task-queued').map((e) => e.fn);
  assert.deepEqual(fns, [...Array(6).fill('describe'), ...Array(10).fill('square'), 'square']);
  assert.equal(ends.length, 17);
  assert.ok(ends.every((e) => e.ok));
  const out = events.filter((e) => e.type === 'log').map((e) => e.text).join('');
  assert.match(out, /map \(blocking\): \[0, 1, 4, 9, 16, 25, 36, 49, 64, 81\]/, 'results come back unchanged');
  assert.match(out, /apply \(blocking\): 144/);
});

test('compute.py: multiprocessing.Pool(2) — 8 count_primes tasks on ForkPoolWorker PIDs of their own, close() then join()', async () => {
  const { result, events, workers, ends, runStart } = await runCollect({ file: example('compute.py'), mode: 'file', backend: 'py-mp-pool' });
  assert.equal(result.ok, true);
  assert.equal(ends.length, 8);
  assert.ok(ends.every((e) => e.ok && e.resultPreview === '2762'), 'primes below 25,000');
  // A lane per worker that took a task: both, or one when the first worker took all eight before the second was up
  // (Python's Pool hands tasks from one shared queue; on a quiet machine that happens).
  const names = workers.map((w) => w.name).sort();
  assert.ok(names.length >= 1 && names.length <= 2, names.join(', '));
  for (const name of names) assert.match(name, /^ForkPoolWorker-[12]$/);
  assert.equal(new Set(workers.map((w) => w.pid)).size, workers.length, 'a PID per worker');
  assert.ok(workers.every((w) => w.pid !== runStart.pid));
  const taskLogs = events.filter((e) => e.type === 'log' && e.taskId !== undefined);
  assert.equal(taskLogs.length, 8);
  const pidOf = new Map(workers.map((w) => [w.workerId, w.pid]));
  for (const l of taskLogs) assert.ok(l.text.includes(`PID ${pidOf.get(l.workerId)} (ForkPoolWorker-`), l.text);
});

test('output the script wrote is all in the trace, before run-end, even when it is read after Python\'s run-end', async () => {
  // The stand-in runner ends the run on the events pipe first, then writes 1 MB and a last line to stdout.
  const { result, events } = await runCollect({
    file: example('compute.py'), mode: 'file', backend: 'py-thread', cpuSampleMs: 0,
    runnerScript: fileURLToPath(new URL('../fixtures/python/runner_late_stdout.py', import.meta.url)),
  });
  assert.equal(result.ok, true, JSON.stringify(result));
  const logs = events.filter((e) => e.type === 'log');
  assert.equal(logs.length, 17);
  assert.equal(logs.at(-1).text, 'last line\n');
  assert.equal(events.at(-1).type, 'run-end');
  const end = events.at(-1);
  for (const l of logs) assert.ok(l.t <= end.t && l.seq < end.seq, 'stamped no later than run-end');
});

test('garbage on the Python events pipe is dropped with InvalidPythonEvent on stderr; the well-formed events and the run go through', async () => {
  const { result, events } = await runCollect({
    file: example('compute.py'), mode: 'file', backend: 'py-thread', cpuSampleMs: 0,
    runnerScript: fileURLToPath(new URL('../fixtures/python/runner_garbage_events.py', import.meta.url)),
  }, { timeoutMs: 30_000 });
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(events.filter((e) => e.type.startsWith('task-')).map((e) => [e.type, e.taskId]),
    [['task-queued', 0], ['task-start', 0], ['task-end', 0]], 'only the well-formed task events');
  assert.equal(events.find((e) => e.type === 'task-end').resultPreview, '9');
  assert.equal(events[0].type, 'run-start');
  assert.equal(events.at(-1).type, 'run-end');
  const said = events.filter((e) => e.type === 'log' && e.text.includes('InvalidPythonEvent'));
  assert.equal(said.length, 3, 'the first three bad lines are said, the rest dropped');
  assert.match(said[0].text, /not JSON/);
  assert.match(said[2].text, /further invalid lines are dropped/);
  assert.ok(said.every((e) => e.stream === 'stderr'));
});
