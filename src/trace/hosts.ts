/**
 * How many machines, processes and threads took part in a run: the line the
 * CLI and the timeline print for runs that spanned several hosts (or ran on a
 * distributed engine), and whether the timeline groups a run's lanes by host.
 */
import type { Backend, TraceEvent } from './events.js';
import type { RunInfo, TraceModel } from './trace-model.js';

export interface Participants {
  hosts: string[];
  processes: number;
  threads: number;
}

/** What a worker without `host` ran on: the runner's own machine. */
export const THIS_MACHINE = 'this machine';

/** Backends whose workers may be on other machines: their lanes are grouped by host even when all are local. */
const DISTRIBUTED_BACKENDS: ReadonlySet<string> = new Set<Backend>(['py-dask', 'bullmq']);

interface WorkerWhere {
  host?: string;
  pid: number;
  threadId: number;
}

function count(workers: Iterable<WorkerWhere>): Participants {
  const hosts = new Set<string>();
  const processes = new Set<string>();
  const threads = new Set<string>();
  for (const w of workers) {
    const host = w.host ?? THIS_MACHINE;
    hosts.add(host);
    processes.add(`${host}\u0000${w.pid}`);
    threads.add(`${host}\u0000${w.pid}\u0000${w.threadId}`);
  }
  // In the timeline's order: this machine first, then the others by name.
  const order = [...hosts].sort((a, b) => (a === THIS_MACHINE ? -1 : b === THIS_MACHINE ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return { hosts: order, processes: processes.size, threads: threads.size };
}

/** Counts from a run's worker-start events; a worker without `host` ran on the runner's own machine. */
export function participants(events: readonly TraceEvent[]): Participants {
  return count(events.flatMap((e) => (e.type === 'worker-start' ? [e] : [])));
}

/** The same counts from a model's run (the workers that reported `worker-start`). */
export function runParticipants(model: TraceModel, run: RunInfo): Participants {
  return count(model.workersOf(run));
}

/** Whether a run's lanes are shown under a heading per machine: some worker named its host, or the engine is a distributed one. */
export function isGroupedByHost(backend: Backend | undefined, workers: readonly { host?: string }[]): boolean {
  return (backend !== undefined && DISTRIBUTED_BACKENDS.has(backend)) || workers.some((w) => w.host !== undefined);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

function line(p: Participants): string {
  return `${plural(p.hosts.length, 'host')} (${p.hosts.join(', ')}), ${plural(p.processes, 'process')}, ${plural(p.threads, 'thread')}`;
}

/** "3 hosts (10.0.0.5, 10.0.0.6, 10.0.0.7), 4 processes, 8 threads" — or undefined for a one-machine run. */
export function hostLine(events: readonly TraceEvent[]): string | undefined {
  const p = participants(events);
  if (p.hosts.length < 2 && !events.some((e) => e.type === 'worker-start' && e.host !== undefined)) return undefined;
  return line(p);
}

/**
 * The host line of a model's run, for the timeline's summary: shown when its lanes are grouped by host
 * (so a LocalCluster says "1 host (this machine)" — honest about where a distributed engine ran), else undefined.
 */
export function runHostLine(model: TraceModel, run: RunInfo): string | undefined {
  const workers = model.workersOf(run);
  if (!workers.length || !isGroupedByHost(run.start?.backend, workers)) return undefined;
  return line(count(workers));
}
