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
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { MachineSampleEvent } from '../trace/events.js';
import { parseCpuUs, parseProcStatBusyUs } from './proc-stat.js';

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
  /** Processes of the run's own tree to start with. @default [process.pid, process.ppid] */
  pids?: number[];
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
  /** pid → last cumulative CPU µs read. */
  readonly #own = new Map<number, number>();
  /** Cumulative busy µs of the machine at the previous sample. */
  #lastBusy: number | undefined;
  #lastT = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly supported: boolean;

  constructor(options: MachineLoadOptions) {
    this.#options = options;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#cores = options.cores ?? availableParallelism();
    this.supported = this.#readBusy() !== undefined;
    for (const pid of options.pids ?? [process.pid, process.ppid]) this.addPid(pid);
  }

  /** Count this process as the run's own (idempotent). */
  addPid(pid: number): void {
    if (!this.supported || pid <= 0 || this.#own.has(pid)) return;
    const cpu = this.#readProcess(pid);
    if (cpu !== undefined) this.#own.set(pid, cpu);
  }

  /** Take a first reading now and sample every intervalMs until stop(); the timer does not keep the process alive. */
  start(): void {
    if (!this.supported || this.#timer) return;
    this.#lastBusy = this.#readBusy();
    this.#lastT = this.#options.now();
    this.#timer = setInterval(() => this.tick(), this.#options.intervalMs ?? 100);
    this.#timer.unref();
  }

  /** One sample now (the interval since the previous one). */
  tick(): void {
    if (this.#lastBusy === undefined) return;
    const t = this.#options.now();
    const busy = this.#readBusy();
    if (busy === undefined) return;
    let ownUs = 0;
    for (const [pid, last] of this.#own) {
      const cpu = this.#readProcess(pid);
      if (cpu === undefined) {
        this.#own.delete(pid);
        continue;
      }
      ownUs += Math.max(0, cpu - last);
      this.#own.set(pid, cpu);
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
    if (!this.#timer) return;
    clearInterval(this.#timer);
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

  #readProcess(pid: number): number | undefined {
    try {
      return parseCpuUs('stat', readFileSync(`${this.#procRoot}/${pid}/stat`, 'latin1'));
    } catch {
      return undefined;
    }
  }
}
