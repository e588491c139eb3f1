/**
 * How many machines, processes and threads took part in a run: the line the
 * CLI and the timeline print for runs that spanned several hosts.
 */
import type { TraceEvent } from './events.js';

export interface Participants {
  hosts: string[];
  processes: number;
  threads: number;
}

/** Counts from a run's worker-start events; a worker without `host` ran on the runner's own machine. */
export function participants(events: readonly TraceEvent[]): Participants {
  const hosts = new Set<string>();
  const processes = new Set<string>();
  const threads = new Set<string>();
  for (const e of events) {
    if (e.type !== 'worker-start') continue;
    const host = e.host ?? 'this machine';
    hosts.add(host);
    processes.add(`${host}\u0000${e.pid}`);
    threads.add(`${host}\u0000${e.pid}\u0000${e.threadId}`);
  }
  return { hosts: [...hosts], processes: processes.size, threads: threads.size };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

/** "3 hosts (10.0.0.5, 10.0.0.6, 10.0.0.7), 4 processes, 8 threads" — or undefined for a one-machine run. */
export function hostLine(events: readonly TraceEvent[]): string | undefined {
  const p = participants(events);
  if (p.hosts.length < 2 && !events.some((e) => e.type === 'worker-start' && e.host !== undefined)) return undefined;
  return `${plural(p.hosts.length, 'host')} (${p.hosts.join(', ')}), ${plural(p.processes, 'process')}, ${plural(p.threads, 'thread')}`;
}
