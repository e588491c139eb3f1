// Bad user code never hangs or leaks: process.exit in a task, an infinite loop
// with --timeout, an unserializable result, unbounded allocation — each fails
// its own task with a named error, the CLI exits 1 in bounded time, and no
// process of the run remains.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, processesTagged, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

const cache = tempDir();
after(() => cache.cleanup());
const common = ['--cache-dir', cache.dir, '--json'];

function tasksOf(r) {
  return JSON.parse(r.stdout).tasks;
}

for (const backend of ['thread', 'process']) {
  test(`process.exit(3) inside a task on ${backend} → that task WorkerCrashed, the others ok, exit 1`, async () => {
    const r = await runCli(['run', fixture('process-exit.ts'), '--fn', 'quit', '--inputs', '[3]', '--backend', backend, '--workers', '1', ...common]);
    assert.equal(r.code, 1, r.stderr);
    const [task] = tasksOf(r);
    assert.equal(task.ok, false);
    assert.equal(task.error.name, 'WorkerCrashed');
    assert.deepEqual(r.leftover, []);
  });

  test(`infinite loop with --timeout 500 on ${backend} → TaskTimeout, exit 1 within 20 s`, async () => {
    const r = await runCli(['run', fixture('infinite-loop.ts'), '--fn', 'spinForever', '--inputs', '[[]]', '--timeout', '500', '--backend', backend, '--workers', '1', ...common], { timeoutMs: 20_000 });
    assert.equal(r.code, 1, r.stderr);
    const [task] = tasksOf(r);
    assert.equal(task.error.name, 'TaskTimeout');
    assert.deepEqual(r.leftover, []);
  });
}

test('process.exit inside a serial task (its own worker thread, like one pool worker) → WorkerCrashed for that task, the run continues, exit 1', async () => {
  const r = await runCli(['run', fixture('process-exit.ts'), '--fn', 'quit', '--inputs', '[3, 4]', '--backend', 'serial', ...common]);
  assert.equal(r.code, 1, r.stderr);
  const tasks = tasksOf(r);
  assert.equal(tasks.length, 2);
  // Serial runs on a thread of its own (a fair baseline): process.exit there ends that thread, as on a thread worker.
  assert.ok(tasks.every((t) => t.error?.name === 'WorkerCrashed'), JSON.stringify(tasks));
  assert.deepEqual(r.leftover, []);
});

for (const backend of ['thread', 'process']) {
  test(`unserializable result (a function) on ${backend} → that task fails with a named error, exit 1`, async () => {
    const r = await runCli(['run', fixture('unserializable.ts'), '--fn', 'makeFunction', '--inputs', '[[]]', '--backend', backend, '--workers', '1', ...common]);
    assert.equal(r.code, 1, r.stderr);
    const [task] = tasksOf(r);
    assert.equal(task.ok, false);
    assert.equal(task.error.name, 'SerializationError');
    assert.deepEqual(r.leftover, []);
  });
}

test('unbounded allocation with --max-memory 64 on thread → MemoryLimitExceeded (the heap was full), exit 1', async () => {
  const r = await runCli(['run', fixture('allocate-forever.ts'), '--fn', 'hoard', '--inputs', '[[]]', '--max-memory', '64', '--backend', 'thread', '--workers', '1', ...common], { timeoutMs: 90_000 });
  assert.equal(r.code, 1, r.stderr);
  const [task] = tasksOf(r);
  assert.equal(task.error.name, 'MemoryLimitExceeded');
  assert.deepEqual(r.leftover, []);
});

test('unbounded allocation with --max-memory 64 on process → MemoryLimitExceeded, exit 1', async () => {
  const r = await runCli(['run', fixture('allocate-forever.ts'), '--fn', 'hoard', '--inputs', '[[]]', '--max-memory', '64', '--backend', 'process', '--workers', '1', ...common], { timeoutMs: 60_000 });
  assert.equal(r.code, 1, r.stderr);
  const [task] = tasksOf(r);
  assert.equal(task.error.name, 'MemoryLimitExceeded');
  assert.deepEqual(r.leftover, []);
});

test('infinite loop in a serial task with --timeout 300 → its worker thread is stopped, TaskTimeout, exit 1', async () => {
  const r = await runCli(['run', fixture('infinite-loop.ts'), '--fn', 'spinForever', '--inputs', '[[]]', '--timeout', '300', '--backend', 'serial', '--cache-dir', cache.dir], { timeoutMs: 20_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /TaskTimeout: Task did not finish within 300 ms/);
  assert.deepEqual(r.leftover, []);
});

test('module whose top-level code never finishes, with --timeout 300 → stopped by the watchdog, exit 1', async () => {
  const r = await runCli(['run', fixture('import-spins.ts'), '--fn', 'never', '--inputs', '[[]]', '--timeout', '300', '--backend', 'thread', '--cache-dir', cache.dir], { timeoutMs: 20_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /top-level code ran past --timeout/);
  assert.deepEqual(r.leftover, []);
});

test('Ctrl-C (SIGINT to poolscope) during never-ending tasks on process → stopped, exit 1, runner and workers gone', async () => {
  const r = await runCli(['run', fixture('infinite-loop.ts'), '--fn', 'spinForever', '--inputs', '[[], []]', '--backend', 'process', '--workers', '2', '--cache-dir', cache.dir], {
    timeoutMs: 30_000,
    onSpawn: (child, tag) => {
      // Once the CLI, the runner and both workers exist, press Ctrl-C.
      const poll = setInterval(() => {
        if (processesTagged(tag).length >= 4) {
          clearInterval(poll);
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      }, 100);
      child.on('exit', () => clearInterval(poll));
    },
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /the run was stopped/);
  assert.deepEqual(r.leftover, []);
});

test('unbounded allocation in a serial task with --max-memory 64 → its worker thread hits the heap limit, MemoryLimitExceeded, exit 1', async () => {
  const r = await runCli(['run', fixture('allocate-forever.ts'), '--fn', 'hoard', '--inputs', '[[]]', '--max-memory', '64', '--backend', 'serial', '--cache-dir', cache.dir], { timeoutMs: 60_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /MemoryLimitExceeded: .*memory limit of 64 MiB/);
  assert.deepEqual(r.leftover, []);
});
