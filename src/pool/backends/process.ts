/**
 * `process` backend: N `child_process.fork` children (N PIDs), each the
 * leader of its own process group so that stopping it (timeout, terminate)
 * takes down anything it spawned too: SIGTERM, a short grace, SIGKILL.
 * A child exits by itself when its IPC channel closes (the pool is gone); if its pool's process dies while a task
 * spins, the pool's sentinel (mark-sentinel.ts) ends it.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { serialize as v8Serialize } from 'node:v8';
import { WORKER_INIT_ENV } from '../protocol.js';
import { markVariable, poolMark, workerMark } from '../descendants.js';
import type { PoolBackend, PoolHost } from './backend.js';
import { canUseSentinel, MarkSentinel } from '../mark-sentinel.js';
import type { SpawnWorker } from './transport.js';
import { workerScriptPath } from './worker-script.js';
import { WorkerSet } from './worker-set.js';

/** SIGTERM → SIGKILL grace period. */
const KILL_GRACE_MS = 500;
/**
 * After 'exit' and the IPC channel's end (every reply the worker sent has been delivered by then), how long its
 * stdout/stderr may still take: a grandchild holding the pipes open must not delay the exit's report.
 */
const STDIO_AFTER_EXIT_MS = 100;
/** After 'exit', the longest wait for the IPC channel to end before the exit is reported anyway. */
const CHANNEL_AFTER_EXIT_MS = 10_000;

/** VmRSS of `pid` from /proc/<pid>/status, bytes; −1 where there is no /proc (the memory watch then does nothing). */
function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const at = status.indexOf('VmRSS:');
    return at < 0 ? -1 : Number.parseInt(status.slice(at + 6), 10) * 1024;
  } catch {
    return -1;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals, orLeader: boolean): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone. Fall back to the child alone (e.g. it left its group).
    if (orLeader) try { process.kill(pid, signal); } catch { /* gone */ }
  }
}

/** `watchdogThread`: each worker watches for its parent's death itself (no pool sentinel covers it). */
export function processSpawner(host: PoolHost, watchdogThread: boolean): SpawnWorker {
  const script = workerScriptPath();
  const pool = markVariable(poolMark(host.runId));
  return (init, events) => {
    // Everything this worker starts inherits the mark, also what leaves its process group (detached, setsid).
    const mark = workerMark(host.runId, init.workerId);
    const spawnedAtMs = Date.now();
    const child = fork(script, [], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Structured clone, like the thread backend: same values survive, same errors for unclonable ones.
      serialization: 'advanced',
      env: { ...process.env, [WORKER_INIT_ENV]: JSON.stringify({ ...init, markVariable: markVariable(mark), parentWatchdog: watchdogThread }), [pool]: '1', [markVariable(mark)]: '1' },
      execArgv: host.options.execArgv ?? [],
    });
    const pid = child.pid ?? -1;
    let exited = false;
    let reported = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let spawnError: Error | undefined;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const report = (): void => {
      if (reported) return;
      reported = true;
      events.onExit(exitCode, exitSignal, spawnError);
    };
    // Checked and decoded by the worker set (decodeFromWorker, protocol.ts).
    child.on('message', (batch: unknown) => events.onBatch(batch));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => events.onOutput(1, text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => events.onOutput(2, text));
    child.on('error', (err) => {
      // Only a failed spawn matters here; a send racing with the child's death is settled by its exit.
      if (child.pid === undefined) { spawnError = err; exited = true; report(); }
    });
    // The channel ends once the worker is gone and every message it sent was read ('disconnect'): only then are
    // its results all in. Reporting the exit sooner (a fixed wait, on a busy machine) would re-queue tasks whose
    // results are still on the way — and run them twice.
    let channelEnded = false;
    const reportSoon = (): void => { if (exited && channelEnded) setTimeout(report, STDIO_AFTER_EXIT_MS).unref(); };
    child.on('disconnect', () => { channelEnded = true; reportSoon(); });
    child.on('exit', (code, signal) => {
      exited = true;
      // Whatever task code started in the worker's group goes with it (also after a clean exit).
      if (pid > 0) {
        signalGroup(pid, 'SIGTERM', false);
        killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL', false), KILL_GRACE_MS);
      }
      // …and whatever left the group: after the same grace, everything still carrying the worker's mark.
      host.sweepWorkerMark(mark, spawnedAtMs, KILL_GRACE_MS);
      exitCode = code;
      exitSignal = signal;
      // 'close' follows once stdio and the IPC channel are drained; don't wait for stdio forever
      // (a grandchild holding the pipes open would delay it).
      if (!child.connected) channelEnded = true;
      reportSoon();
      setTimeout(report, CHANNEL_AFTER_EXIT_MS).unref();
    });
    child.on('close', report);
    return {
      pid,
      threadId: 0,
      send: (batch) => { if (child.connected) child.send(batch); },
      check: (batch) => { v8Serialize(batch); },
      rssBytes: () => (exited || pid < 0 ? -1 : rssOf(pid)),
      keepAlive: (on) => {
        for (const handle of [child, child.channel, child.stdout, child.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[]) {
          if (on) handle?.ref?.(); else handle?.unref?.();
        }
      },
      kill: () => {
        if (exited || pid < 0) return;
        signalGroup(pid, 'SIGTERM', true);
        // The whole group gets SIGKILL after the grace period, even if the leader is gone: its children may not be.
        killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL', false), KILL_GRACE_MS);
      },
    };
  };
}

/** The shared worker scheduling, plus the pool's sentinel for as long as workers may run. */
class ProcessWorkerSet extends WorkerSet {
  readonly #sentinel: MarkSentinel | undefined;

  constructor(host: PoolHost, sentinel: MarkSentinel | undefined) {
    super(host, {
      backend: 'process',
      workers: host.options.workers,
      mode: 'sequential',
      depth: host.options.pipeline,
      spawn: processSpawner(host, sentinel === undefined),
    });
    this.#sentinel = sentinel;
  }

  override start(): void {
    // Before the first worker: no moment in which a worker runs uncovered.
    this.#sentinel?.start();
    super.start();
  }

  override async shutdown(): Promise<void> {
    try { await super.shutdown(); } finally { await this.#sentinel?.close(); }
  }

  override async terminate(error: Error): Promise<void> {
    try { await super.terminate(error); } finally { await this.#sentinel?.close(); }
  }
}

export function createProcessBackend(host: PoolHost): PoolBackend {
  const sentinel = canUseSentinel() ? new MarkSentinel(markVariable(poolMark(host.runId))) : undefined;
  return new ProcessWorkerSet(host, sentinel);
}
