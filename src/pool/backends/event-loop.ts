/**
 * `event-loop` backend: ONE worker thread with up to N tasks in flight, all
 * started at once and interleaving at `await` — concurrency without
 * parallelism, the picture of Python's GIL. The worker records when each task
 * actually held the thread (task-slice events).
 */
import type { PoolBackend, PoolHost } from './backend.js';
import { threadSpawner } from './thread.js';
import { WorkerSet } from './worker-set.js';

export function createEventLoopBackend(host: PoolHost): PoolBackend {
  return new WorkerSet(host, {
    backend: 'event-loop',
    workers: 1,
    mode: 'concurrent',
    depth: host.options.workers,
    spawn: threadSpawner(host),
  });
}
