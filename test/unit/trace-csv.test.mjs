// traceToCsv(): one row per task, RFC 4180 quoting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceToCsv, csvField, CSV_COLUMNS } from '../../dist/trace.mjs';

/** Minimal RFC 4180 parser, to check that what we write reads back field for field. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

/** @type {import('../../dist/trace.mjs').TraceEvent[]} */
const events = [
  { runId: 'r1', seq: 0, type: 'run-start', t: 0, backend: 'process', workers: 2, fn: 'parse', inputsCount: 2, node: 'v20', pid: 10, originUs: 1 },
  { runId: 'r1', seq: 1, type: 'worker-start', t: 10, workerId: 1, name: 'PoolWorker-1', pid: 11, threadId: 0, startupUs: 60000 },
  { runId: 'r1', seq: 2, type: 'task-queued', t: 20, taskId: 0, fn: 'parse', inputPreview: '["a,b", "say \\"hi\\""]' },
  { runId: 'r1', seq: 3, type: 'task-queued', t: 20, taskId: 1, fn: 'parse', inputPreview: '["line1\\nline2"]' },
  { runId: 'r1', seq: 4, type: 'task-start', t: 30.25, taskId: 0, workerId: 1 },
  { runId: 'r1', seq: 5, type: 'task-end', t: 130.5, taskId: 0, workerId: 1, ok: true, resultPreview: 'multi\nline, "quoted"' },
  { runId: 'r1', seq: 6, type: 'task-start', t: 131, taskId: 1, workerId: 1 },
  { runId: 'r1', seq: 7, type: 'task-end', t: 140, taskId: 1, workerId: 1, ok: false, error: { name: 'WorkerCrashed', message: 'worker PoolWorker-1 (pid 11) exited with code 1, signal null' } },
  { runId: 'r1', seq: 8, type: 'task-queued', t: 141, taskId: 2, fn: 'parse', inputPreview: '[3]' },
];

test('traceToCsv() writes a header and one row per task, with times, wait and errors', () => {
  const csv = traceToCsv(events);
  assert.ok(csv.endsWith('\r\n'));
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.equal(rows.length, 4, 'header + 3 tasks (the last one only queued)');
  const byCol = (row) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, row[i]]));
  const t0 = byCol(rows[1]);
  assert.deepEqual(
    [t0.runId, t0.backend, t0.taskId, t0.fn, t0.pid, t0.threadId, t0.worker, t0.queuedUs, t0.startUs, t0.endUs, t0.durationUs, t0.waitUs, t0.ok],
    ['r1', 'process', '0', 'parse', '11', '0', 'PoolWorker-1', '20', '30.25', '130.5', '100.25', '10.25', 'true']);
  assert.equal(t0.input, '["a,b", "say \\"hi\\""]', 'commas and quotes survive');
  assert.equal(t0.result, 'multi\nline, "quoted"', 'newlines survive inside quotes');
  const t1 = byCol(rows[2]);
  assert.equal(t1.ok, 'false');
  assert.equal(t1.errorName, 'WorkerCrashed');
  assert.equal(t1.errorMessage, 'worker PoolWorker-1 (pid 11) exited with code 1, signal null');
  const t2 = byCol(rows[3]);
  assert.deepEqual([t2.taskId, t2.startUs, t2.endUs, t2.durationUs, t2.ok, t2.worker], ['2', '', '', '', '', '']);
});

test('csvField() quotes only when needed and doubles quotes', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('a\r\nb'), '"a\r\nb"');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(null), '');
  assert.equal(csvField(1 / 3), '0.333');
  // Formula injection: user-controlled text never starts a spreadsheet formula; numbers stay numbers.
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField(-5), '-5');
  assert.equal(csvField(Number.NaN), '');
  assert.equal(csvField(false), 'false');
});
