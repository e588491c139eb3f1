/**
 * Is the machine busy? While a run's tasks are out, read the whole machine's
 * CPU time (`/proc/stat`) and the CPU time of the run's own process tree
 * (`/proc/<pid>/stat` of the runner, its workers and the runner's parent, which
 * consumes the events), and report both as `machine-sample` events. What other
 * programs took is their difference; stats turn it into `otherCpuCores` and the
 * `busy` flag (src/trace/run-numbers.ts).
 *
 * Both files count in clock ticks (10 ms; parsed by proc-stat.ts), so one sample is coarse; over a run
 * of many samples the error averages out. Without /proc nothing is sampled.
 *
 * A worker process that exits between two samples can no longer be read, but its last CPU is not lost (it used
 * to be, and read as other programs': a quiet machine called busy after a py-process run): the parent that
 * waited for it has it in its children's time (cutime + cstime), of which the part already counted is taken off.
 * The same children's time counts what tasks' own short-lived subprocesses used.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { MachineSampleEvent } from '../trace/events.js';
import { parseProcStatBusyUs, parseProcessTimes, type ProcessTimes } from './proc-stat.js';

export type MachineSample = Omit<MachineSampleEvent, 'runId' | 'seq'>;

export { parseProcStatBusyUs };

export interface MachineLoadOptions {
  /** Current time on the run's clock, µs. */
  now: () => number;
  onSample: (sample: MachineSample) => void;
  /** @default 100 */
  intervalMs?: number;
  /** @default '/proc' */
  procRoot?: string;
  /** @default os.availableParallelism() */
  cores?: number;
  /**
   * Processes of the run's own tree to start with. @default [process.pid, process.ppid]
   * process.ppid (the parent that reads the events: the CLI or the editor) counts without its reaped children,
   * which are not this run's (earlier runners, other tools).
   */
  pids?: number[];
}

/** What was last read of one of the run's processes. */
interface OwnProcess extends ProcessTimes {
  /** Whether its reaped children's time is the run's (not for the parent that reads the events). */
  countChildren: boolean;
  /** Cumulative time of its tracked children that exited, already counted: taken off when its cutime grows. */
  counted: number;
}

/**
 * Samples machine CPU and the run's own process tree.
 *
 * @example
 * const load = new MachineLoadSampler({ now: () => pool.now(), onSample: (s) => pool.emit(s) });
 * load.start();
 * load.addPid(workerPid); // process workers
 * load.stop();            // a last sample
 */
export class MachineLoadSampler {
  readonly #options: MachineLoadOptions;
  readonly #procRoot: string;
  readonly #cores: number;
  /** pid → what was last read of it. */
  readonly #own = new Map<number, OwnProcess>();
  /** Cumulative busy µs of the machine at the previous sample. */
  #lastBusy: number | undefined;
  #lastT = 0;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  readonly supported: boolean;

  constructor(options: MachineLoadOptions) {
    this.#options = options;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#cores = options.cores ?? availableParallelism();
    this.supported = this.#readBusy() !== undefined;
    for (const pid of options.pids ?? [process.pid, process.ppid]) this.addPid(pid, pid !== process.ppid);
  }

  /** Count this process as the run's own (idempotent); `countChildren`: also what its reaped children used. */
  addPid(pid: number, countChildren = true): void {
    if (!this.supported || pid <= 0 || this.#own.has(pid)) return;
    const times = this.#readProcess(pid);
    if (times) this.#own.set(pid, { ...times, countChildren, counted: 0 });
  }

  /**
   * Take a first reading now and sample every intervalMs until stop(); the timer does not keep the process alive.
   * `ownTimer` false: no timer, the owner calls tick() from its own (one wake-up for all its periodic work).
   */
  start(ownTimer = true): void {
    if (!this.supported || this.#started) return;
    this.#started = true;
    this.#lastBusy = this.#readBusy();
    this.#lastT = this.#options.now();
    if (!ownTimer) return;
    this.#timer = setInterval(() => this.tick(), this.#options.intervalMs ?? 100);
    this.#timer.unref();
  }

  /** One sample now (the interval since the previous one). */
  tick(): void {
    if (this.#lastBusy === undefined) return;
    const t = this.#options.now();
    const busy = this.#readBusy();
    if (busy === undefined) return;
    // Read everything first: a child gone since the last sample hands what was counted of it to its parent, whose
    // children's time (read in the same pass, before or after it) then grows by the child's whole life.
    const read = new Map<number, ProcessTimes | undefined>();
    for (const pid of this.#own.keys()) read.set(pid, this.#readProcess(pid));
    for (const [pid, times] of read) {
      if (times) continue;
      const gone = this.#own.get(pid)!;
      const parent = this.#own.get(gone.ppid);
      if (parent?.countChildren) parent.counted += gone.selfUs + gone.childrenUs;
      this.#own.delete(pid);
    }
    let ownUs = 0;
    for (const [pid, last] of this.#own) {
      const times = read.get(pid)!;
      let used = Math.max(0, times.selfUs - last.selfUs);
      if (last.countChildren) {
        const grew = Math.max(0, times.childrenUs - last.childrenUs);
        const already = Math.min(grew, last.counted);
        last.counted -= already;
        used += grew - already;
      }
      ownUs += used;
      last.selfUs = times.selfUs;
      last.childrenUs = times.childrenUs;
      last.ppid = times.ppid;
    }
    const sample: MachineSample = {
      type: 'machine-sample', t: Math.round(t), intervalUs: Math.round(t - this.#lastT), cores: this.#cores,
      busyUs: Math.max(0, busy - this.#lastBusy), ownUs,
    };
    this.#lastBusy = busy;
    this.#lastT = t;
    if (sample.intervalUs > 0) this.#options.onSample(sample);
  }

  /** A last sample, then no more. */
  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.tick();
    this.#lastBusy = undefined;
  }

  #readBusy(): number | undefined {
    try {
      return parseProcStatBusyUs(readFileSync(`${this.#procRoot}/stat`, 'latin1'));
    } catch {
      return undefined;
    }
  }

  #readProcess(pid: number): ProcessTimes | undefined {
    try {
      return parseProcessTimes(readFileSync(`${this.#procRoot}/${pid}/stat`, 'latin1'));
    } catch {
      return undefined;
    }
  }
}
