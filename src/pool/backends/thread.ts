/**
 * `thread` backend: N worker_threads in the pool's own process (one PID, N
 * threadIds), tasks pipelined and run one at a time per thread.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { markVariable, poolMark, workerMark } from '../descendants.js';
import { readRunning } from '../protocol.js';
import type { PoolBackend, PoolHost } from './backend.js';
import type { SpawnWorker } from './transport.js';
import { workerScriptPath } from './worker-script.js';
import { WorkerSet } from './worker-set.js';

/** Child processes per worker whose pids are remembered (so they can be stopped with it). */
const MAX_TRACKED_CHILDREN = 255;
/** SIGTERM → SIGKILL grace period for children task code left running. */
const KILL_GRACE_MS = 500;

/** Is `pid` (still) a child of this process? Guards against killing a recycled pid. */
function isOurChild(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4 is the parent pid; field 2 (comm) may contain spaces, so count from the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return ppid === process.pid;
  } catch {
    return false;
  }
}

/** Stops the child processes a worker thread's tasks started and left running. */
function killChildren(pids: Int32Array): void {
  const count = Math.min(Atomics.load(pids, 0), pids.length - 1);
  const alive: number[] = [];
  for (let i = 1; i <= count; i++) {
    const pid = Atomics.load(pids, i);
    if (pid > 0 && isOurChild(pid)) alive.push(pid);
  }
  if (alive.length === 0) return;
  for (const pid of alive) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  setTimeout(() => {
    for (const pid of alive) if (isOurChild(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }, KILL_GRACE_MS);
}

/** Spawns one worker thread running dist/worker.js. */
export function threadSpawner(host: PoolHost): SpawnWorker {
  const script = workerScriptPath();
  const pool = markVariable(poolMark(host.runId));
  return (init, events) => {
    const mark = workerMark(host.runId, init.workerId);
    const spawnedAtMs = Date.now();
    const childPids = new SharedArrayBuffer(4 * (MAX_TRACKED_CHILDREN + 1));
    // Sequential workers publish their running task here instead of sending Start messages (one message less per task).
    const running = init.mode === 'sequential' ? new SharedArrayBuffer(16) : undefined;
    const runningView = running ? new Float64Array(running) : undefined;
    if (runningView) runningView[0] = -1;
    // More cells than tasks the worker may hold at once (pipeline depth), so a cell is free again when reused.
    const claims = init.mode === 'sequential' ? new SharedArrayBuffer(4 * Math.max(64, host.options.pipeline * 2)) : undefined;
    const worker = new Worker(script, {
      workerData: { ...init, childPids, running, claims },
      resourceLimits: host.options.resourceLimits,
      name: init.name,
      // The worker's process.env (a copy by default anyway) carries its marks into every child its tasks start.
      env: { ...process.env, [pool]: '1', [markVariable(mark)]: '1' },
    });
    let error: Error | undefined;
    // Checked and decoded by the worker set (decodeFromWorker, protocol.ts).
    worker.on('message', (batch: unknown) => events.onBatch(batch));
    // 'error' (uncaught exception, out of memory) always comes before 'exit'.
    worker.on('error', (err) => { error = err; });
    // Node drains the worker's ports before 'exit', so every reply it sent has been handled.
    worker.on('exit', (code) => {
      killChildren(new Int32Array(childPids));
      // Children the tracker missed (more than it holds, or started before it patched) carry the worker's mark.
      host.sweepWorkerMark(mark, spawnedAtMs, KILL_GRACE_MS);
      events.onExit(code, null, error);
    });
    return {
      pid: process.pid,
      threadId: worker.threadId,
      send: (batch) => worker.postMessage(batch),
      check: (batch) => { structuredClone(batch); },
      running: runningView ? () => readRunning(runningView) : undefined,
      claims: claims ? new Int32Array(claims) : undefined,
      kill: () => { void worker.terminate(); },
      keepAlive: (on) => { if (on) worker.ref(); else worker.unref(); },
    };
  };
}

export function createThreadBackend(host: PoolHost): PoolBackend {
  return new WorkerSet(host, {
    backend: 'thread',
    workers: host.options.workers,
    mode: 'sequential',
    depth: host.options.pipeline,
    spawn: threadSpawner(host),
  });
}

/**
 * `serial` on a thread of its own (`serialThread`): one worker thread, one task
 * at a time — the conditions of one pool worker, so the baseline is not slowed
 * by the caller's thread feeding IPC and trace.
 */
export function createSerialThreadBackend(host: PoolHost): PoolBackend {
  return new WorkerSet(host, {
    backend: 'serial',
    workers: 1,
    mode: 'sequential',
    depth: host.options.pipeline,
    spawn: threadSpawner(host),
  });
}
