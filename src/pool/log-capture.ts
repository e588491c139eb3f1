/**
 * Captures what task code writes to stdout/stderr (console.* goes through
 * these streams) and hands it over as log records tied to the running task.
 *
 * Output is bounded per task (`maxBytesPerTask`): a task that logs in a loop
 * must not flood the trace; the excess is dropped with one truncation note.
 */
export type LogStream = 1 | 2;
export type LogRecord = (taskId: number, stream: LogStream, text: string) => void;

type WriteFn = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

export interface OutputCaptureOptions {
  /** The task the current code belongs to, or −1. */
  currentTask: () => number;
  record: LogRecord;
  maxBytesPerTask: number;
  /** Output outside any task goes to the real stream (serial backend) instead of being recorded. */
  passThroughOutsideTasks: boolean;
}

export class OutputCapture {
  readonly #options: OutputCaptureOptions;
  readonly #bytes = new Map<number, number>();
  #restore: (() => void) | undefined;

  constructor(options: OutputCaptureOptions) {
    this.#options = options;
  }

  install(): void {
    if (this.#restore) return;
    const out = this.#patch(process.stdout, 1);
    const err = this.#patch(process.stderr, 2);
    this.#restore = () => { out(); err(); };
  }

  uninstall(): void {
    this.#restore?.();
    this.#restore = undefined;
  }

  /** Forget a finished task's byte count. */
  taskEnded(taskId: number): void {
    if (this.#bytes.size !== 0) this.#bytes.delete(taskId);
  }

  #patch(stream: NodeJS.WriteStream, id: LogStream): () => void {
    const original = stream.write;
    const hadOwn = Object.prototype.hasOwnProperty.call(stream, 'write');
    const options = this.#options;
    const patched: WriteFn = (chunk, encoding, callback) => {
      const taskId = options.currentTask();
      if (taskId < 0 && options.passThroughOutsideTasks) {
        return (original as WriteFn).call(stream, chunk, encoding, callback);
      }
      const text = typeof chunk === 'string' ? chunk
        : chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8')
          : String(chunk);
      this.#deliver(taskId, id, text);
      const cb = typeof encoding === 'function' ? encoding : callback;
      if (typeof cb === 'function') process.nextTick(cb as () => void);
      return true;
    };
    stream.write = patched as typeof stream.write;
    return () => {
      if (stream.write !== patched) return; // someone patched over us: leave theirs alone
      if (hadOwn) stream.write = original;
      else delete (stream as { write?: unknown }).write;
    };
  }

  #deliver(taskId: number, stream: LogStream, text: string): void {
    const max = this.#options.maxBytesPerTask;
    if (taskId >= 0 && max !== Infinity) {
      const used = this.#bytes.get(taskId) ?? 0;
      if (used > max) return; // already truncated (and said so)
      const size = Buffer.byteLength(text);
      if (used + size <= max) {
        this.#bytes.set(taskId, used + size);
      } else {
        this.#bytes.set(taskId, max + 1);
        text = text.slice(0, Math.max(0, max - used)) + `\n[PoolScope: output of this task truncated at ${max} bytes]\n`;
      }
    }
    this.#options.record(taskId, stream, text);
  }
}
