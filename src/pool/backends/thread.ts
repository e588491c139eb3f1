/**
 * `thread` backend: N worker_threads in the pool's own process (one PID, N
 * threadIds), tasks pipelined and run one at a time per thread.
 */
import { Worker } from 'node:worker_threads';
import type { PoolBackend, PoolHost } from './backend.js';
import type { SpawnWorker } from './transport.js';
import { workerScriptPath } from './worker-script.js';
import { WorkerSet } from './worker-set.js';

/** Spawns one worker thread running dist/worker.js. */
export function threadSpawner(host: PoolHost): SpawnWorker {
  const script = workerScriptPath();
  return (init, events) => {
    const worker = new Worker(script, {
      workerData: init,
      resourceLimits: host.options.resourceLimits,
      name: init.name,
    });
    let error: Error | undefined;
    worker.on('message', events.onBatch);
    // 'error' (uncaught exception, out of memory) always comes before 'exit'.
    worker.on('error', (err) => { error = err; });
    // Node drains the worker's ports before 'exit', so every reply it sent has been handled.
    worker.on('exit', (code) => events.onExit(code, null, error));
    return {
      pid: process.pid,
      threadId: worker.threadId,
      send: (batch) => worker.postMessage(batch),
      check: (batch) => { structuredClone(batch); },
      kill: () => { void worker.terminate(); },
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
