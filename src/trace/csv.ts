/**
 * CSV export: one row per task, RFC 4180 quoting, for spreadsheets and pandas.
 */
import type { TraceEvent } from './events.js';
import { TraceModel } from './trace-model.js';
import { coalesce } from './text-chunks.js';

/** Column names, in order. */
export const CSV_COLUMNS = [
  'runId', 'backend', 'taskId', 'fn', 'pid', 'threadId', 'worker',
  'queuedUs', 'startUs', 'endUs', 'durationUs', 'waitUs', 'ok',
  'errorName', 'errorMessage', 'input', 'result',
] as const;

/**
 * Quotes a field when it holds a comma, quote, CR or LF (RFC 4180); doubles inner quotes.
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe: previews and error messages come from user code and must stay data.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'number' ? (Number.isFinite(value) ? String(round(value)) : '') : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Times are µs with sub-µs noise from hrtime: three decimals are plenty. */
function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** One row per task of every run, header first, CRLF line ends (RFC 4180). */
export function traceToCsv(events: readonly TraceEvent[]): string {
  const model = new TraceModel();
  model.add(events);
  return [...csvChunks(model)].join('');
}

/** The same CSV as {@link traceToCsv}, from a model, in chunks (text-chunks.ts): for a trace of any size. */
export function csvChunks(model: TraceModel): Generator<string> {
  return coalesce(csvLines(model));
}

function* csvLines(model: TraceModel): Generator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for (const run of model.runs) {
    for (const i of model.taskIndicesOf(run)) {
      const task = model.taskRecord(i);
      const lane = model.tasks.lane[i];
      const worker = lane >= 0 && model.lanes[lane].known ? model.lanes[lane] : undefined;
      const duration = task.startT !== undefined && task.endT !== undefined ? task.endT - task.startT : undefined;
      const wait = task.queuedT !== undefined && task.startT !== undefined ? task.startT - task.queuedT : undefined;
      const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
        runId: run.runId,
        backend: run.start?.backend,
        taskId: task.taskId,
        fn: task.fn,
        pid: worker?.pid,
        threadId: worker?.threadId,
        worker: worker?.name,
        queuedUs: task.queuedT,
        startUs: task.startT,
        endUs: task.endT,
        durationUs: duration,
        waitUs: wait,
        ok: task.ok === undefined ? '' : task.ok,
        errorName: task.error?.name,
        errorMessage: task.error?.message,
        input: task.inputPreview,
        result: task.resultPreview,
      };
      yield `${CSV_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
    }
  }
}
