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
import { readFile, readdir } from 'node:fs/promises';

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

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
  } catch {
    return true;
  }
}

/**
 * PIDs of live processes (not this one, not zombies) whose environment carries `mark`. Only the user's own
 * processes have a readable environ, so nobody else's process can match. [] where there is no /proc.
 */
export function findMarked(mark: string): number[] {
  const entry = `${PREFIX}${mark}=1\0`;
  const inside = Buffer.from(`\0${entry}`);
  const first = Buffer.from(entry);
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue; // gone, or not ours
    }
    if ((env.includes(inside) || env.subarray(0, first.length).equals(first)) && !isZombie(pid)) out.push(pid);
  }
  return out;
}

/**
 * SIGKILLs every process carrying `mark`, rescanning until none is left (one may fork while we look) or
 * `rounds` passes were made. Each is SIGSTOPped first, so it cannot fork between the scan and the kill.
 * Returns the PIDs it signalled.
 */
export function killMarked(mark: string, rounds = 5): number[] {
  const killed = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    const pids = findMarked(mark);
    if (pids.length === 0) break;
    for (const pid of pids) try { process.kill(pid, 'SIGSTOP'); } catch { /* gone */ }
    for (const pid of pids) try { process.kill(pid, 'SIGKILL'); killed.add(pid); } catch { /* gone */ }
  }
  return [...killed];
}

/**
 * The same scan without blocking the event loop (reading another process's environ can wait on that process's
 * memory lock, tens of milliseconds on a busy machine): for the pool's close() and the extension host.
 */
export async function findMarkedAsync(mark: string): Promise<number[]> {
  const entry = `${PREFIX}${mark}=1\0`;
  const inside = Buffer.from(`\0${entry}`);
  const first = Buffer.from(entry);
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = names.filter((name) => { const c = name.charCodeAt(0); return c >= 48 && c <= 57 && Number(name) !== process.pid; });
  const out: number[] = [];
  await Promise.all(pids.map(async (name) => {
    let env: Buffer;
    try {
      env = await readFile(`/proc/${name}/environ`);
    } catch {
      return;
    }
    if ((env.includes(inside) || env.subarray(0, first.length).equals(first)) && !isZombie(Number(name))) out.push(Number(name));
  }));
  return out;
}

/** killMarked without blocking the event loop on the scans. */
export async function killMarkedAsync(mark: string, rounds = 5): Promise<number[]> {
  const killed = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    const pids = await findMarkedAsync(mark);
    if (pids.length === 0) break;
    for (const pid of pids) try { process.kill(pid, 'SIGSTOP'); } catch { /* gone */ }
    for (const pid of pids) try { process.kill(pid, 'SIGKILL'); killed.add(pid); } catch { /* gone */ }
  }
  return [...killed];
}
