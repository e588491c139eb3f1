// The trace sink writes rows into a small ring and copies it into the batch in blocks (a ring's worth, and
// whatever is left at a flush): every row must come out once, in order, with its own fields, whether the
// batch ends at a flush in the middle of the ring, at the ring's edge, or at the 4096-row size limit.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { TraceSink, expandTraceColumns, copyTraceColumns } from '../../dist/pool.mjs';

/** Feeds `tasks` tasks' rows (queued, started, ended; a log event and a text preview now and then), flushing at `flushAt` rows. */
function feed(tasks, flushAt = new Set()) {
  const sink = new TraceSink('run-rows', { now: () => 0 });
  const batches = [];
  sink.subscribeColumns((lent) => batches.push(copyTraceColumns(lent)));
  const expected = [];
  let rows = 0;
  const row = (event) => {
    expected.push(event);
    if (flushAt.has(++rows)) sink.flush();
  };
  for (let i = 0; i < tasks; i++) {
    const text = i % 7 === 0;
    sink.queued(10 * i, i, i % 2 ? 'odd' : 'even', text ? [`s${i}`] : [i]);
    row({ type: 'task-queued', taskId: i, t: 10 * i, fn: i % 2 ? 'odd' : 'even', inputPreview: text ? `'s${i}'` : String(i) });
    sink.started(10 * i + 1, i, i % 3);
    row({ type: 'task-start', taskId: i, t: 10 * i + 1, workerId: i % 3 });
    if (i % 100 === 50) {
      sink.emit({ type: 'log', t: 10 * i + 2, taskId: i, workerId: i % 3, stream: 'stdout', text: `line ${i}` });
      row({ type: 'log', taskId: i, t: 10 * i + 2, workerId: i % 3, text: `line ${i}` });
    }
    sink.endedOk(10 * i + 3, i, i % 3, text ? { v: i } : i * 2, '');
    row({ type: 'task-end', taskId: i, t: 10 * i + 3, workerId: i % 3, ok: true, resultPreview: text ? `{v: ${i}}` : String(i * 2) });
  }
  sink.flush();
  return { batches, expected };
}

function check({ batches, expected }) {
  const events = batches.flatMap((b) => expandTraceColumns(b));
  assert.equal(events.length, expected.length, 'every row once');
  let seq = 0;
  for (const b of batches) {
    assert.equal(b.firstSeq, seq, 'batches follow each other');
    assert.ok(b.length <= 4096, `a batch holds at most 4096 rows (${b.length})`);
    seq += b.length;
  }
  for (let k = 0; k < expected.length; k++) {
    const got = events[k];
    const want = expected[k];
    assert.equal(got.seq, k);
    for (const [key, value] of Object.entries(want)) {
      // A string's preview is quoted (the quotes are the preview's business, not the ring's).
      if (key === 'inputPreview' && value.startsWith("'")) assert.ok(String(got[key]).includes(value.slice(1, -1)), `row ${k} ${key}: ${got[key]}`);
      else assert.deepEqual(got[key], value, `row ${k} (${want.type}) ${key}`);
    }
  }
}

test('rows come out in order with their own fields across ring blocks and the size limit', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  // 3 rows a task and a log every 100: ~15 000 rows, so batches end at the 4096-row limit, mid-ring at the end.
  check(feed(5000));
});

test('a flush in the middle of the ring, at its edge and one row past it', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  check(feed(700, new Set([1, 100, 256, 257, 512, 1000, 1001, 1536, 2047])));
});
