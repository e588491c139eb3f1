// `poolscope demo` (what `npm start` runs): both bundled examples on every
// backend, each printed as compare prints it (warning when busy, table, verdict from the measured numbers), then why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../fixtures/cli/run-cli.mjs';

test('demo prints a CPU-bound and an I/O-bound table (4 backends each, PIDs per backend, no failures) with verdicts and lessons; exit 0; nothing left running', async () => {
  const r = await runCli(['demo', '--workers', '2'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.leftover, []);
  const sections = r.stdout.split(/\n(?=CPU-bound|I\/O-bound)/).slice(1);
  assert.equal(sections.length, 2, r.stdout);
  assert.match(sections[0], /^CPU-bound .*cpuTask × 16 tasks, 2 workers/);
  assert.match(sections[1], /^I\/O-bound .*ioTask × 32 tasks, 8 workers/);
  for (const section of sections) {
    const rows = section.split('\n').filter((l) => /^\s+(serial|event-loop|thread|process)\s/.test(l));
    assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), ['serial', 'event-loop', 'thread', 'process']);
  }
  // The verdict is the measured statement (tasks at once and cores used hold on a busy machine too); no wall-time
  // speed-up is quoted as the lesson (under load it once read "event-loop 1.9× — no real gain").
  assert.match(sections[0], /\n {2}→ (CPU-bound|Partly CPU-bound): the event loop ran (one task at a time|\d+\.\d at once)/);
  assert.match(sections[1], /\n {2}→ I\/O-bound: the tasks mostly waited/);
  assert.match(sections[0], /\n {2}Why: one event-loop thread runs one piece of JavaScript at a time \(like Python's GIL\)/);
  assert.match(sections[1], /\n {2}Why: a task that waits holds no thread/);
  // A busy machine is said before the figures, as compare says it.
  if (/Other programs used/.test(r.stdout)) assert.match(r.stdout, /! Other programs used \d+\.\d of \d+ cores during this compare/);
  // Columns found by their header (the table grows as statistics are added).
  const header = sections[0].split('\n').find((l) => /^\s+backend\s/.test(l)).trim().split(/\s{2,}/);
  const col = (name) => header.indexOf(name);
  assert.ok(col('PIDs') > 0 && col('on CPU') > 0, header.join(' | '));
  // PIDs seen: threads share the runner's one PID, each process worker has its own.
  const cpuRows = sections[0].split('\n').filter((l) => /^\s+(thread|process)\s/.test(l)).map((l) => l.trim().split(/\s{2,}/));
  assert.deepEqual(cpuRows.map((c) => [c[0], c[col('PIDs')]]), [['thread', '1'], ['process', '2']]);
  // Mean on-CPU share per task: a percentage wherever /proc sampling works, "–" otherwise.
  for (const c of cpuRows) assert.match(c[col('on CPU')], /^(\d+%|–)$/);
  // No failures anywhere (last column).
  assert.ok(r.stdout.split('\n').filter((l) => /^\s+(serial|event-loop|thread|process)\s/.test(l)).every((l) => l.trim().endsWith(' 0')));
});
