// Shared harness of the reliability lab (test/faults/*.test.mjs). Not a test
// file itself (node --test picks only *.test.mjs here).
//
// What every scenario checks, and how:
// - settles exactly once: `track(handle)` records each settlement; a task's
//   `task-end` trace event must appear at most once (exactly once when it ran);
// - bounded time: `within(promise, ms)` fails the test instead of hanging;
// - no leaks: `leakCheck()` snapshots this process's threads and every process
//   carrying this test file's environment tag (the engine forks with our env,
//   so workers and their own children inherit it), and `assertNoLeaks()`
//   waits a bounded time for them to be gone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { alive, pidsWithEnvironment } from '../fixtures/processes.mjs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const POOL_BUNDLE = fileURLToPath(new URL('../../dist/pool.mjs', import.meta.url));

/** Every process this test process starts (directly or not) carries this in its environment. */
export const LEAK_TAG = `poolscope-fault-${process.pid}-${randomUUID().slice(0, 8)}`;
process.env.POOLSCOPE_FAULT_TAG = LEAK_TAG;

// Scenarios crash workers with SIGABRT (process.abort, V8's out-of-memory abort). Workers inherit our
// resource limits, so turning core dumps off here keeps those crashes from writing core files into the repo.
spawnSync('prlimit', ['--pid', String(process.pid), '--core=0'], { stdio: 'ignore' });
/** True when this process (and so every worker it forks) cannot write core dumps. */
export const coreDumpsOff = /^Max core file size\s+0\s/m.test(readFileSync('/proc/self/limits', 'utf8'));

// libuv starts its thread pool on first use; warm it now so it is part of every baseline.
statSync('/');
await new Promise((resolve) => import('node:fs').then((fs) => fs.stat('/', resolve)));

/** The engine's `createPool`, from the built bundle (run `npm run build` first). */
export const { createPool } = await import(pathToFileURL(POOL_BUNDLE).href);

export const ALL_BACKENDS = ['thread', 'process', 'event-loop', 'serial'];
/** Backends whose workers are separate from the test's own thread: a crash there must not kill the test. */
export const ISOLATED_BACKENDS = ['thread', 'process', 'event-loop'];

/** file:// URL of a fixture module in test/fixtures/faults/. */
export function fixture(name) {
  return new URL(`../fixtures/faults/${name}`, import.meta.url).href;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects (failing the test) if `promise` does not settle within `ms`. Generous bounds only: this is not a timing test. */
export async function within(promise, ms, what = 'operation') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `predicate` every 50 ms until it is true or `ms` passed; returns its last value. */
export async function waitFor(predicate, ms = 10_000) {
  const deadline = Date.now() + ms;
  let v = await predicate();
  while (!v && Date.now() < deadline) {
    await sleep(50);
    v = await predicate();
  }
  return v;
}

/**
 * Opens a pool on `backend` for fixture module `moduleName`, recording every
 * trace event. Returns `{ pool, events, track, settleAll, ... }`.
 */
export function openPool(backend, moduleName, options = {}) {
  const pool = createPool({ backend, workers: 2, module: fixture(moduleName), ...options });
  const events = [];
  /** taskId → number of task-end events, kept as events arrive (10 000-task scenarios poll it). */
  const ends = new Map();
  pool.onTrace((batch) => {
    for (const e of batch) {
      events.push(e);
      if (e.type === 'task-end') ends.set(e.taskId, (ends.get(e.taskId) ?? 0) + 1);
    }
  });
  const tracked = [];

  /** Records how `handle` settles: { handle, status: 'pending'|'fulfilled'|'rejected', value?, error?, settlements }. */
  function track(handle) {
    const t = { handle, status: 'pending', settlements: 0 };
    t.done = handle.promise.then(
      (value) => { t.settlements++; t.status = 'fulfilled'; t.value = value; },
      (error) => { t.settlements++; t.status = 'rejected'; t.error = error; },
    );
    tracked.push(t);
    return t;
  }

  function submit(fn, args = [], submitOptions) {
    return track(pool.submit(fn, args, submitOptions));
  }

  /** Waits (bounded) for every tracked task, then checks each settled exactly once and failures carry a name. */
  async function settleAll(ms = 30_000) {
    await within(Promise.all(tracked.map((t) => t.done)), ms, `${tracked.length} tasks on ${backend}`);
    for (const t of tracked) {
      assert.equal(t.settlements, 1, `task ${t.handle.taskId} settled ${t.settlements} times`);
      if (t.status === 'rejected') {
        assert.ok(t.error instanceof Error, `task ${t.handle.taskId} rejected with a non-Error: ${t.error}`);
        assert.equal(typeof t.error.name, 'string');
        assert.notEqual(t.error.name, '', 'rejection without a name');
      }
    }
    // Trace events reach listeners in batches (once per event-loop turn): wait, bounded, for every task-end.
    await waitFor(() => tracked.every((t) => endCount(t.handle.taskId) > 0), 10_000);
    for (const t of tracked) assert.equal(endCount(t.handle.taskId), 1, `task ${t.handle.taskId}: task-end events in the trace`);
    assertTaskEndsOnce();
    return tracked;
  }

  function endCount(taskId) {
    return ends.get(taskId) ?? 0;
  }

  /** No task has two `task-end` events (a task that settled twice in the trace). */
  function assertTaskEndsOnce() {
    for (const [taskId, n] of ends) assert.equal(n, 1, `task ${taskId} has ${n} task-end events`);
  }

  const ofType = (type) => events.filter((e) => e.type === type);
  return { pool, events, ofType, track, submit, settleAll, tracked, assertTaskEndsOnce };
}

/** How many workers a fresh pool starts: event-loop runs all its in-flight tasks on one thread. */
export function initialWorkers(pool) {
  return pool.backend === 'event-loop' ? 1 : pool.backend === 'serial' ? 0 : pool.size;
}

/** The worker a task ran on, from its task-start event. */
export function workerOfTask(ctx, taskId) {
  return ctx.ofType('task-start').find((e) => e.taskId === taskId)?.workerId;
}

/** Waits (bounded) until a tracked task runs: its task-start event arrived. */
export function waitUntilRunning(ctx, t) {
  return waitFor(() => ctx.ofType('task-start').some((e) => e.taskId === t.handle.taskId), 20_000);
}

/** The pool still runs tasks: `n` calls of fixture export `fn` resolve to `expected(i)`. */
export async function assertUsable(pool, { fn = 'echo', n = 4, ms = 30_000 } = {}) {
  const results = await within(Promise.all(Array.from({ length: n }, (_, i) => pool.submit(fn, [i]).promise)), ms, 'tasks after the fault');
  assert.deepEqual(results, Array.from({ length: n }, (_, i) => i));
}

// ───────────────────────────── leak checks ─────────────────────────────

function threadCount() {
  return readdirSync('/proc/self/task').length;
}

/** PIDs (other than ours) whose environment carries LEAK_TAG: every process this test started, at any depth. */
export function taggedProcesses() {
  return pidsWithEnvironment(`POOLSCOPE_FAULT_TAG=${LEAK_TAG}`);
}

/** True while `pid` is a live process (a zombie counts as gone). */
export const isAlive = alive;

/** Snapshot before a scenario: this process's thread count and tagged processes. */
export function leakCheck() {
  return { threads: threadCount(), processes: taggedProcesses() };
}

/** After a scenario (pool closed or terminated): waits up to `ms` for threads and processes to return to the snapshot. */
export async function assertNoLeaks(snapshot, ms = 15_000) {
  const clean = () => threadCount() <= snapshot.threads
    && taggedProcesses().filter((p) => !snapshot.processes.includes(p)).length === 0;
  await waitFor(clean, ms);
  const extraProcs = taggedProcesses().filter((p) => !snapshot.processes.includes(p)).map((pid) => {
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { /* gone */ }
    // Clean up after ourselves even when failing, so one broken scenario does not poison the next.
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    return `${pid} (${cmd.slice(0, 120)})`;
  });
  assert.deepEqual(extraProcs, [], 'processes left running');
  assert.ok(threadCount() <= snapshot.threads, `threads left running: ${threadCount()} now, ${snapshot.threads} before`);
}

/**
 * Runs `body(ctx)` with a pool on `backend` and checks the lab's invariants
 * around it: no leaks after; the pool is terminated even if the body fails.
 */
export async function withPool(backend, moduleName, options, body) {
  const snapshot = leakCheck();
  const ctx = openPool(backend, moduleName, options);
  try {
    await body(ctx);
  } finally {
    await within(ctx.pool.terminate().catch(() => {}), 30_000, 'terminate()');
  }
  await assertNoLeaks(snapshot);
  return ctx;
}

/** The error a settled, tracked task rejected with (fails if it resolved). */
export function rejection(t) {
  assert.equal(t.status, 'rejected', `task ${t.handle.taskId} was expected to fail but ${t.status} with ${JSON.stringify(t.value)?.slice(0, 100)}`);
  return t.error;
}

export { seededRandom } from '../fixtures/seeded-random.mjs';
