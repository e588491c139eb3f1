// Per-task on-CPU time in `--json` (src/trace/on-cpu.ts): every backend where the thread is known gives
// every task a cpuUs and cpuFraction. Timing figures (py-thread ≤ 0.6, py-process ≥ 0.8 …) depend on free
// cores and live in the bench; here only structure and relations that hold on a loaded machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fixture, runCli } from '../fixtures/cli/run-cli.mjs';

const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;
const hasProc = existsSync('/proc/thread-self/schedstat') || existsSync('/proc/thread-self/stat');

async function runJson(args) {
  const r = await runCli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.leftover, []);
  return JSON.parse(r.stdout);
}

function checkTasks(doc, source) {
  assert.equal(doc.tasks.length, 4);
  for (const t of doc.tasks) {
    assert.equal(t.cpuSource, source, `task ${t.taskId}`);
    assert.ok(Number.isInteger(t.cpuUs) && t.cpuUs > 0, `task ${t.taskId} cpuUs ${t.cpuUs}`);
    assert.ok(t.cpuFraction > 0 && t.cpuFraction <= 1, `task ${t.taskId} cpuFraction ${t.cpuFraction}`);
    assert.ok(Math.abs(t.cpuFraction - Math.min(1, t.cpuUs / (t.endT - t.startT))) < 1e-9);
  }
  const [run] = doc.runs;
  const mean = doc.tasks.reduce((s, t) => s + t.cpuFraction, 0) / doc.tasks.length;
  assert.ok(Math.abs(run.cpuFraction - mean) < 1e-9, `run mean ${run.cpuFraction} vs ${mean}`);
  for (const u of run.utilization) if (u.tasks > 0) assert.ok(u.cpuFraction > 0 && u.cpuFraction <= 1, `${u.name} ${u.cpuFraction}`);
  return doc.tasks.reduce((s, t) => s + t.cpuFraction, 0);
}

test('py-thread × 4, CPU-bound: every task has its thread-clock cpuFraction; together at most ~one core-worth per core', { skip: !python && 'python3 not installed' }, async () => {
  const doc = await runJson(['run', fixture('py_tasks.py'), '--fn', 'count', '--inputs', '[[600000],[600000],[600000],[600000]]',
    '--backend', 'py-thread', '--workers', '4']);
  const sum = checkTasks(doc, 'thread-clock');
  // The run says whether the GIL was on (false only on a free-threaded CPython running without it).
  assert.equal(typeof doc.runs[0].gil, 'boolean');
  // One GIL: the four threads take turns, so their fractions add up to about one core, never four.
  assert.ok(sum <= 2, `Σ cpuFraction of 4 GIL threads = ${sum}`);
});

test('py-process × 2: every task has a cpuFraction', { skip: !python && 'python3 not installed' }, async () => {
  const doc = await runJson(['run', fixture('py_tasks.py'), '--fn', 'count', '--inputs', '[[300000],[300000],[300000],[300000]]',
    '--backend', 'py-process', '--workers', '2']);
  checkTasks(doc, 'thread-clock');
});

test('Node event-loop, 4 in flight: cpuFraction from the task\'s slices; interleaved tasks share one thread', { skip: !hasProc && 'no /proc here' }, async () => {
  const doc = await runJson(['run', fixture('chunked-cpu.ts'), '--fn', 'chunked', '--inputs', '[[40],[40],[40],[40]]',
    '--backend', 'event-loop', '--workers', '4']);
  const sum = checkTasks(doc, 'slices');
  // Slices of one thread never overlap: four interleaved tasks cannot each have held it most of the time.
  assert.ok(sum <= 2, `Σ cpuFraction on one event loop = ${sum}`);
});

test('Node thread × 2: cpuFraction sampled from /proc for each worker thread', { skip: !hasProc && 'no /proc here' }, async () => {
  const doc = await runJson(['run', fixture('chunked-cpu.ts'), '--fn', 'chunked', '--inputs', '[[40],[40],[40],[40]]',
    '--backend', 'thread', '--workers', '2']);
  checkTasks(doc, 'sampled');
});

test('--cpu-sample-ms 0 turns sampling off: no cpu-sample events, sampled tasks carry no cpuFraction; a bad value is a usage error', { skip: !hasProc && 'no /proc here' }, async () => {
  const doc = await runJson(['run', fixture('chunked-cpu.ts'), '--fn', 'chunked', '--inputs', '[[5],[5]]', '--backend', 'thread', '--workers', '2', '--cpu-sample-ms', '0']);
  assert.equal(doc.tasks.length, 2);
  for (const t of doc.tasks) assert.equal(t.cpuFraction, undefined);
  assert.equal(doc.runs[0].cpuFraction, undefined);
  const bad = await runCli(['run', fixture('chunked-cpu.ts'), '--fn', 'chunked', '--inputs', '[[1]]', '--cpu-sample-ms', 'fast']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--cpu-sample-ms must be a whole number/);
});

test('Run File: the script\'s own pool is sampled too, so its tasks carry a cpuFraction', { skip: !hasProc && 'no /proc here' }, async () => {
  const doc = await runJson(['run', fixture('script-api.ts'), '--backend', 'thread', '--workers', '2']);
  assert.ok(doc.tasks.length >= 8);
  for (const t of doc.tasks.filter((x) => x.endT > x.startT)) {
    assert.equal(t.cpuSource, 'sampled', `task ${t.taskId}`);
    assert.ok(t.cpuFraction >= 0 && t.cpuFraction <= 1, `task ${t.taskId} cpuFraction ${t.cpuFraction}`);
  }
});
