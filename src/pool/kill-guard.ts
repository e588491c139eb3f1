/**
 * Task code that shares a process with the pool (thread and event-loop
 * workers, serial tasks, Run File's main program in the runner) has the
 * pool's parent as its `process.ppid`: for a CLI run that is the `poolscope`
 * command, for the extension it is the editor's extension host. A task's
 * `process.kill(process.ppid, 'SIGKILL')` would end it silently. So in those
 * places `process.kill` refuses the signals that would reach the processes
 * that started the run — the parent, the parent's process group when it is
 * not ours, and pid −1 (every process the user owns) — with a named error,
 * `KillRefused`, that fails the task that tried. Everything else (its own
 * children, their groups, even this process: that ends the run, which its
 * parent then reports) is left alone.
 *
 * This guards the `process.kill` API; a task that runs `kill` through a
 * shell reaches whatever the user could reach. Linux reads the parent's
 * group from /proc; elsewhere only the parent itself and −1 are refused.
 */
import { readFileSync } from 'node:fs';
import { ErrorNames, PoolError } from './errors.js';

/** Process group of `pid` (field 5 of /proc/<pid>/stat), −1 where unknown. */
function processGroup(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces: count from the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return -1;
  }
}

let guarded = false;

/** Installs the guard on this thread's `process.kill` (once). */
export function guardParentSignals(): void {
  if (guarded) return;
  guarded = true;
  const parent = process.ppid;
  if (!(parent > 1)) return;
  const parentGroup = processGroup(parent);
  const ownGroup = processGroup(process.pid);
  const kill = process.kill.bind(process);
  process.kill = function guardedKill(pid: number, signal?: string | number): true {
    const target = Number(pid);
    const what = target === parent ? `the process that started this run (pid ${parent})`
      : target === -1 ? 'every process you own (pid -1)'
        : parentGroup > 0 && parentGroup !== ownGroup && target === -parentGroup ? `the process group that started this run (${target})`
          : undefined;
    // Signal 0 only asks whether the process exists.
    if (what !== undefined && signal !== 0) {
      throw new PoolError(ErrorNames.KillRefused,
        `process.kill(${target}${signal === undefined ? '' : `, ${JSON.stringify(signal)}`}) was refused: it would signal ${what}; ` +
        'a task may signal its own children, not the processes that run it', { pid: target });
    }
    return kill(pid, signal);
  } as typeof process.kill;
}
