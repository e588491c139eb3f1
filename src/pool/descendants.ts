/**
 * Finding every process a run started, whatever it did to escape.
 *
 * A process group or session only holds a descendant until it calls
 * `setsid()` or is spawned `detached`; a parent-pid walk loses it once its
 * parent exits (it is re-parented to init). What every descendant does keep
 * is its environment: it inherits it from its parent unless it is started
 * with an environment of its own that drops our variables. So each worker
 * (and, through `launchRunner()`, each runner) carries a marker variable of its
 * own, `POOLSCOPE_MARK_<id>=1` (a new name per mark, so a run started inside
 * another run keeps the outer run's mark too), and
 * at worker / pool / run end a scan of `/proc/<pid>/environ` over the user's
 * own processes finds every process that still carries it, at any depth.
 *
 * Used by the pool (worker marks), the runner and its parent (run marks), and
 * the Python session (the same run mark reaches Python's children).
 *
 * Covered: Linux (`/proc` with readable `environ`, which holds only for the
 * user's own processes). Not covered: other platforms (no `/proc`: the scan
 * finds nothing and only process groups and tracked pids apply), and a
 * descendant started with an explicit environment that drops the marker.
 */
import { readFileSync, readdirSync } from 'node:fs';

const PREFIX = 'POOLSCOPE_MARK_';

/** The mark every worker of pool run `runId` carries (beside its own worker mark). */
export function poolMark(runId: string): string {
  return `p${runId.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** A fresh mark id (letters, digits and `_` only: it is part of a variable name). */
export function newMark(): string {
  return `${process.pid.toString(36)}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
}

/** The mark of pool worker `workerId` of run `runId`. */
export function workerMark(runId: string, workerId: number): string {
  return `w${runId.replace(/[^A-Za-z0-9]/g, '')}_${workerId}`;
}

/** The environment variable that carries `mark`; its value is '1'. */
export function markVariable(mark: string): string {
  return PREFIX + mark;
}

/** True where the scan can see anything (Linux /proc). */
export function canScanProcesses(): boolean {
  try {
    readFileSync('/proc/self/environ');
    return true;
  } catch {
    return false;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's start time (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;
/** Slack on `since` for the tick granularity and the gap between reading the clock and forking. */
const SINCE_SLACK_MS = 1000;

/** When the machine booted (epoch ms), from /proc/uptime; undefined without /proc. */
function bootEpochMs(): number | undefined {
  try {
    return Date.now() - Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * Is `/proc/<pid>/stat` (its text) a live process that started at or after `sinceMs` (epoch)? Reading stat does
 * not wait on the process's memory lock as reading its environ does, so this filter keeps the scan cheap: only
 * processes younger than the mark are looked at closer (anything carrying the mark was started after it).
 */
function isCandidate(stat: string, boot: number | undefined, sinceMs: number): boolean {
  const rest = stat.slice(stat.lastIndexOf(')') + 2);
  if (rest.charAt(0) === 'Z') return false;
  if (boot === undefined || sinceMs <= 0) return true;
  // Fields after the command: state is field 3, starttime field 22 → index 19 here.
  const start = Number(rest.split(' ', 20)[19]);
  return !Number.isFinite(start) || boot + (start * 1000) / USER_HZ >= sinceMs - SINCE_SLACK_MS;
}

function matcher(mark: string): (env: Buffer) => boolean {
  const entry = `${PREFIX}${mark}=1\0`;
  const inside = Buffer.from(`\0${entry}`);
  const first = Buffer.from(entry);
  return (env) => env.includes(inside) || env.subarray(0, first.length).equals(first);
}

function isPidName(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57 && Number(name) !== process.pid;
}

/**
 * One pass over /proc: PIDs of live processes (not this one, not zombies) whose environment carries `mark`, and
 * whether a process that was listed went away before it could be read. Such a one may have carried the mark and
 * forked, just before it exited, a child the listing missed (a daemon's double fork): its caller should look again.
 */
function scanMarked(mark: string, sinceMs: number): { pids: number[]; vanished: boolean } {
  // Synchronous on purpose: a /proc scan through the libuv pool (four hops per file) measured 200-500 ms on a
  // loaded 2-core machine against ~5 ms of CPU (20-90 ms wall) for this loop.
  const matches = matcher(mark);
  const pids: number[] = [];
  let vanished = false;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return { pids, vanished };
  }
  const boot = bootEpochMs();
  for (const name of names) {
    if (!isPidName(name)) continue;
    try {
      if (!isCandidate(readFileSync(`/proc/${name}/stat`, 'latin1'), boot, sinceMs)) continue;
      if (matches(readFileSync(`/proc/${name}/environ`))) pids.push(Number(name));
    } catch (err) {
      // ENOENT/ESRCH: gone since the listing. EACCES: another user's process, which cannot carry our mark.
      if ((err as NodeJS.ErrnoException).code !== 'EACCES') vanished = true;
    }
  }
  return { pids, vanished };
}

/**
 * PIDs of live processes (not this one, not zombies) whose environment carries `mark`. Only the user's own
 * processes have a readable environ, so nobody else's process can match. [] where there is no /proc.
 * `sinceMs` (epoch ms; the mark's creation) skips every process started earlier without reading its environ.
 */
export function findMarked(mark: string, sinceMs = 0): number[] {
  return scanMarked(mark, sinceMs).pids;
}

function signalAll(pids: number[], killed: Set<number>): void {
  // Stopped first, so none can fork between the scan and the kill.
  for (const pid of pids) try { process.kill(pid, 'SIGSTOP'); } catch { /* gone */ }
  for (const pid of pids) try { process.kill(pid, 'SIGKILL'); killed.add(pid); } catch { /* gone */ }
}

/**
 * SIGKILLs every process carrying `mark`, rescanning until a pass finds none (one may fork while we look) — and
 * once more when the first pass lost a listed process from sight — or `rounds` passes were made. Returns the PIDs
 * it signalled.
 */
export function killMarked(mark: string, sinceMs = 0, rounds = 5): number[] {
  const killed = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    const { pids, vanished } = scanMarked(mark, sinceMs);
    signalAll(pids, killed);
    // One more look after a first pass that lost a process from sight; not more on a machine where processes
    // come and go all the time (each pass reads every process's stat).
    if (pids.length === 0 && !(vanished && round === 0)) break;
  }
  return [...killed];
}

/**
 * killMarked for callers that continue in a promise chain (the Python session). The scan itself is synchronous:
 * through the libuv pool it was many times slower (see findMarked).
 */
export async function killMarkedAsync(mark: string, sinceMs = 0): Promise<number[]> {
  return killMarked(mark, sinceMs);
}

/**
 * `killMarkedSync(variable)` as plain CommonJS source, for watchdog threads that are eval'd and for mark sentinels
 * (mark-sentinel.ts) — they run when the main thread is blocked or the owner is gone, so they cannot call into the
 * bundle. `variable` is `markVariable(mark)`. Each marked process's group goes first: a worker or a runner leads
 * one, and what stayed in it may not carry the mark (started with an environment of its own).
 */
export const KILL_MARKED_SOURCE = `
function killMarkedSync(variable) {
  const { readdirSync, readFileSync } = require('node:fs');
  const inside = Buffer.from('\\0' + variable + '=1\\0');
  const first = Buffer.from(variable + '=1\\0');
  for (let round = 0; round < 3; round++) {
    const pids = [];
    try {
      for (const name of readdirSync('/proc')) {
        if (!/^\\d+$/.test(name) || Number(name) === process.pid) continue;
        try {
          const env = readFileSync('/proc/' + name + '/environ');
          if (env.includes(inside) || env.subarray(0, first.length).equals(first)) pids.push(Number(name));
        } catch {}
      }
    } catch {}
    if (pids.length === 0) return;
    for (const pid of pids) {
      try { process.kill(-pid, 'SIGKILL'); } catch {}
      try { process.kill(pid, 'SIGKILL'); } catch {}
    }
  }
}
`;
