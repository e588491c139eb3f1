/**
 * A one-line progress display on stderr (tasks done / total, rate, ETA),
 * redrawn in place a few times a second — only when stderr is a terminal, so
 * logs and pipes stay clean.
 */

const REDRAW_MS = 200;

export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #startedMs = performance.now();
  #total: number;
  #done = 0;
  #failed = 0;
  #label = '';
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#enabled = stream.isTTY === true;
    this.#total = total;
    if (this.#enabled) {
      this.#timer = setInterval(() => this.#draw(), REDRAW_MS);
      this.#timer.unref();
    }
  }

  /** What is running now, e.g. the backend of a compare step. */
  set label(label: string) {
    this.#label = label;
  }

  taskEnded(ok: boolean): void {
    this.#done++;
    if (!ok) this.#failed++;
  }

  /** Removes the line (before printing results). */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }

  #draw(): void {
    const elapsedS = (performance.now() - this.#startedMs) / 1000;
    if (elapsedS < 0.5) return; // short runs need no progress line
    const rate = this.#done / elapsedS;
    const left = Math.max(0, this.#total - this.#done);
    const eta = rate > 0 ? `ETA ${(left / rate).toFixed(1)} s` : 'ETA –';
    const failed = this.#failed > 0 ? ` · ${this.#failed} failed` : '';
    const label = this.#label ? `${this.#label} · ` : '';
    this.#stream.write(`\r\x1b[K${label}${this.#done}/${this.#total} tasks · ${rate.toFixed(1)}/s · ${eta}${failed}`);
    this.#drawn = true;
  }
}
