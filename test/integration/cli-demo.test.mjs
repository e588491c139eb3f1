// `poolscope demo` (what `npm start` runs): both bundled examples on every
// backend, a comparison table each, and the takeaway computed from the numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../fixtures/cli/run-cli.mjs';

test('demo prints a CPU-bound and an I/O-bound table (4 backends each) with takeaways; exit 0; nothing left running', async () => {
  const r = await runCli(['demo', '--workers', '2'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.leftover, []);
  const sections = r.stdout.split(/\n(?=CPU-bound|I\/O-bound)/).slice(1);
  assert.equal(sections.length, 2, r.stdout);
  assert.match(sections[0], /^CPU-bound .*cpuTask × 8 tasks, 2 workers/);
  assert.match(sections[1], /^I\/O-bound .*ioTask × 32 tasks, 8 workers/);
  for (const section of sections) {
    const rows = section.split('\n').filter((l) => /^\s+(serial|event-loop|thread|process)\s/.test(l));
    assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), ['serial', 'event-loop', 'thread', 'process']);
    assert.match(section, /→ event-loop \d+\.\d× /);
  }
  assert.match(sections[0], /like Python's GIL/);
  assert.match(sections[1], /waits overlap without extra threads/);
});

test('demo --json: per example, four runs with 0 failures and speed-ups vs serial', async () => {
  const r = await runCli(['demo', '--workers', '2', '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.demo.map((d) => d.fn), ['cpuTask', 'ioTask']);
  for (const d of doc.demo) {
    assert.deepEqual(d.runs.map((s) => s.backend), ['serial', 'event-loop', 'thread', 'process']);
    assert.ok(d.runs.every((s) => s.failed === 0 && s.ok === s.tasks));
    assert.ok(d.runs.slice(1).every((s) => s.speedupVsSerial > 0));
  }
  const cpu = doc.demo[0].runs;
  // PIDs seen: threads share one, processes have their own (two workers).
  assert.equal(cpu.find((s) => s.backend === 'thread').pids.length, 1);
  assert.equal(cpu.find((s) => s.backend === 'process').pids.length, 2);
});
