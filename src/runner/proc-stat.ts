/**
 * The /proc parsers of the samplers (cpu-sampler.ts, machine-load.ts, startup-settle.ts): CPU time of a
 * thread or process, its run-queue wait, the whole machine's busy time. Pure text → number; undefined when
 * the text is not what the kernel writes.
 */

/** Linux's USER_HZ: /proc stat times are in these ticks (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;
const TICK_US = 1e6 / CLOCK_TICKS_PER_SECOND;

/** A stat file's fields after the command name (field 2, which may contain spaces and parentheses): state is [0]. */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/**
 * Cumulative CPU µs from the text of a schedstat file (first field, ns) or a stat file (utime + stime, of a
 * thread or a whole process); undefined if unparsable.
 */
export function parseCpuUs(source: 'schedstat' | 'stat', text: string): number | undefined {
  if (source === 'schedstat') {
    const ns = Number(text.slice(0, text.indexOf(' ')));
    return Number.isFinite(ns) && text.length > 0 ? ns / 1000 : undefined;
  }
  const rest = statFields(text);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) * TICK_US;
}

/** A process's CPU times from the text of /proc/<pid>/stat, µs: its own (utime + stime) and its reaped children's. */
export interface ProcessTimes {
  selfUs: number;
  /** cutime + cstime: every child it waited for (reaped), with the children's own reaped children. */
  childrenUs: number;
  ppid: number;
}

/** {@link ProcessTimes} from a stat file's text; undefined if unparsable. */
export function parseProcessTimes(text: string): ProcessTimes | undefined {
  const rest = statFields(text);
  const [ppid, utime, stime, cutime, cstime] = [rest[1], rest[11], rest[12], rest[13], rest[14]].map(Number);
  if (![ppid, utime, stime, cutime, cstime].every(Number.isFinite)) return undefined;
  return { selfUs: (utime + stime) * TICK_US, childrenUs: (cutime + cstime) * TICK_US, ppid };
}

/** Cumulative run-queue wait µs (schedstat's second field: ready to run, no CPU free); undefined if absent. */
export function parseWaitUs(text: string): number | undefined {
  const first = text.indexOf(' ');
  if (first < 0) return undefined;
  const second = text.indexOf(' ', first + 1);
  const ns = Number(text.slice(first + 1, second < 0 ? undefined : second));
  return Number.isFinite(ns) ? ns / 1000 : undefined;
}

/** Busy CPU µs of the whole machine from the text of /proc/stat (first `cpu ` line); undefined if unparsable. */
export function parseProcStatBusyUs(text: string): number | undefined {
  const nl = text.indexOf('\n');
  const line = nl < 0 ? text : text.slice(0, nl);
  if (!line.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice — guest time is already in user.
  const f = line.slice(4).trim().split(/\s+/).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined;
  const [user, nice, system, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) * TICK_US;
}
