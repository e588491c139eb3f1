/**
 * The "PoolScope" log output channel: one line per run start and end, task
 * console output prefixed by the worker that printed it, and task errors.
 * A `LogOutputChannel` is also mirrored to a file in the window's log folder,
 * which is how the workbench tests read it.
 */
import * as vscode from 'vscode';
import type { TraceEvent } from '../trace/events.js';

export class RunOutput implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** Worker names per run, learnt from `worker-start`, for prefixing log lines. */
  #workerNames = new Map<string, Map<number, string>>();

  constructor() {
    this.channel = vscode.window.createOutputChannel('PoolScope', { log: true });
  }

  /** Writes the human-relevant part of a batch of trace events. */
  append(batch: readonly TraceEvent[]): void {
    for (const e of batch) {
      switch (e.type) {
        case 'run-start':
          this.#workerNames.set(e.runId, new Map());
          this.channel.info(`run ${e.runId}${e.label ? ` (${e.label})` : ''}: ${e.fn ?? 'main'} on ${e.backend} × ${e.workers}, ${e.inputsCount} input(s), runner pid ${e.pid}, ${e.node}`);
          break;
        case 'worker-start':
          this.#workerNames.get(e.runId)?.set(e.workerId, e.name);
          this.channel.debug(`[${e.name}] started: pid ${e.pid}, threadId ${e.threadId}, ${(e.startupUs / 1000).toFixed(1)} ms`);
          break;
        case 'log': {
          const who = e.workerId === undefined ? 'main' : this.#workerNames.get(e.runId)?.get(e.workerId) ?? `worker-${e.workerId}`;
          const task = e.taskId === undefined ? '' : ` task ${e.taskId}`;
          for (const line of e.text.replace(/\r?\n$/, '').split(/\r?\n/)) {
            if (e.stream === 'stderr') this.channel.warn(`[${who}${task}] ${line}`);
            else this.channel.info(`[${who}${task}] ${line}`);
          }
          break;
        }
        case 'task-end':
          if (!e.ok && e.error) {
            const line = `task ${e.taskId} failed: ${e.error.name}: ${e.error.message}`;
            // Tasks cut short by Stop Run are expected, not errors.
            if (e.error.name === 'PoolTerminated') this.channel.info(line);
            else this.channel.error(line);
          }
          break;
        case 'worker-exit':
          if (e.reason === 'crash' || e.reason === 'timeout') {
            this.channel.warn(`worker ${this.#workerNames.get(e.runId)?.get(e.workerId) ?? e.workerId} exited (${e.reason}): code ${e.code}, signal ${e.signal}`);
          }
          break;
        case 'run-end': {
          const s = e.stats;
          this.channel.info(`run ${e.runId} ended: ${s.tasks} task(s), ${s.ok} ok, ${s.failed} failed, wall ${(s.wallUs / 1000).toFixed(1)} ms, `
            + `Σ task ${(s.taskUs / 1000).toFixed(1)} ms, pids [${s.pids.join(', ')}], threadIds [${s.threadIds.join(', ')}]`
            + (e.error ? ` — ${e.error.name}: ${e.error.message}` : ''));
          this.#workerNames.delete(e.runId);
          break;
        }
        default:
          break;
      }
    }
  }

  dispose(): void {
    this.channel.dispose();
  }
}
