// `poolscope compare`: the same function and inputs on every backend, one
// after another on one clock; a table with speed-up vs serial; one trace.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fixture, ROOT, runCli, tempDir } from '../fixtures/cli/run-cli.mjs';

/** Tasks long enough (~50 ms of CPU each) that a task phase and its speed-up are never zero. */
const CPU_BOUND = join(ROOT, 'examples', 'cpu-bound.ts');

const cache = tempDir();
const out = tempDir('poolscope-cli-out-');
after(() => { cache.cleanup(); out.cleanup(); });

test('compare prints one row per backend with task phase, speed-ups, cores used, efficiency, PIDs, threads, failed; trace has 4 runs on one clock', async () => {
  const trace = join(out.dir, 'compare.json');
  const r = await runCli(['compare', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', 'range(8)', '--workers', '2', '--trace', trace, '--cache-dir', cache.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.leftover, []);
  for (const column of ['backend', 'task phase', 'speed-up', 'w/ start-up', 'cores used', 'on CPU', 'efficiency', 'PIDs', 'threads', 'failed']) assert.match(r.stdout, new RegExp(column));
  const rows = r.stdout.split('\n').filter((l) => /^\s+(serial|event-loop|thread|process)\s/.test(l));
  assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), ['serial', 'event-loop', 'thread', 'process']);
  assert.match(rows[0], /1\.00×/, 'serial is the baseline');
  for (const row of rows.slice(1)) assert.match(row, /\d+\.\d\d×/, `speedup shown: ${row}`);
  // PIDs seen: the process row has 2 (two children), the thread row 1.
  const cells = (row) => row.trim().split(/\s{2,}/);
  assert.equal(cells(rows[2])[8], '1', 'thread: 1 PID');
  assert.equal(cells(rows[3])[8], '2', 'process: 2 PIDs');

  const events = JSON.parse(readFileSync(trace, 'utf8')).poolscope.events;
  const starts = events.filter((e) => e.type === 'run-start');
  assert.deepEqual(starts.map((s) => s.backend), ['serial', 'event-loop', 'thread', 'process']);
  assert.equal(new Set(starts.map((s) => s.compareId)).size, 1, 'one compareId');
  assert.equal(new Set(starts.map((s) => s.originUs)).size, 1, 'one clock origin');
  assert.ok(starts.every((s, i) => i === 0 || s.t >= starts[i - 1].t), 'runs one after another on the shared clock');
  assert.equal(events.filter((e) => e.type === 'task-end' && e.ok).length, 32);
});

test('compare --backends serial,thread runs only those two', async () => {
  const r = await runCli(['compare', CPU_BOUND, '--fn', 'cpuTask', '--inputs', '[1,2]', '--backends', 'serial,thread', '--workers', '2', '--cache-dir', cache.dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.runs.map((s) => s.backend), ['serial', 'thread']);
  assert.ok(doc.runs[1].speedupVsSerial > 0);
  assert.ok(doc.runs[1].speedupWithStartup > 0);
  // The JSON contract: per run the honest numbers, at top level the machine, warnings and verdict.
  for (const run of doc.runs) {
    for (const key of ['speedupVsSerial', 'speedupWithStartup', 'taskPhaseUs', 'ideal', 'cancelled']) assert.ok(key in run, `${key} in ${run.backend}`);
    if (existsSync('/proc/stat')) {
      assert.equal(typeof run.coresUsed, 'number', `coresUsed of ${run.backend}`);
      assert.equal(typeof run.otherCpuCores, 'number', `otherCpuCores of ${run.backend}`);
      assert.equal(typeof run.busy, 'boolean', `busy of ${run.backend}`);
    }
  }
  assert.equal(doc.machine.cores, availableParallelism());
  assert.equal(typeof doc.machine.busy, 'boolean');
  assert.ok(Array.isArray(doc.warnings));
  assert.equal(typeof doc.verdict, 'string');
});

test('compare --repeat 2 runs the backends in interleaved rounds and reports medians with min–max', async () => {
  const r = await runCli(['compare', CPU_BOUND, '--fn', 'cpuTask', '--inputs', '[1,2]', '--backends', 'serial,thread', '--repeat', '2', '--workers', '2', '--cache-dir', cache.dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.runs.map((s) => s.backend), ['serial', 'thread', 'serial', 'thread'], 'rounds interleaved');
  assert.equal(new Set(doc.runs.map((s) => s.compareId)).size, 2, 'each round its own baseline');
  assert.deepEqual(doc.rounds.map((b) => [b.backend, b.rounds]), [['serial', 2], ['thread', 2]]);
  const thread = doc.rounds[1].speedupVsSerial;
  assert.ok(thread.min <= thread.median && thread.median <= thread.max);

  const text = await runCli(['compare', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', '[1,2]', '--backends', 'serial,thread', '--repeat', '2', '--workers', '2', '--cache-dir', cache.dir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /median over rounds, min–max/);
  assert.match(text.stdout, /rounds/);
});

test('--repeat is refused outside compare', async () => {
  const r = await runCli(['run', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', '[1]', '--repeat', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--repeat is for compare/);
});

// Issue 19 item 7: serial is one worker everywhere; threads mean OS threads that ran tasks.
test('serial is one worker with efficiency 100 %; process threads = its processes (not the threadId 0 they share)', async () => {
  const json = await runCli(['compare', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', 'range(4)', '--backends', 'serial,process', '--workers', '2', '--cache-dir', cache.dir, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const runs = JSON.parse(json.stdout).runs;
  const serial = runs.find((r) => r.backend === 'serial');
  const processRun = runs.find((r) => r.backend === 'process');
  assert.equal(serial.workers, 1, 'serial × 1, whatever --workers says');
  assert.equal(serial.threads, 1);
  assert.equal(processRun.threads, processRun.pids.length, 'one thread per process');
  const table = await runCli(['compare', fixture('top-level-await.ts'), '--fn', 'scale', '--inputs', 'range(4)', '--backends', 'serial,thread', '--workers', '2', '--cache-dir', cache.dir]);
  assert.equal(table.code, 0, table.stderr);
  // Whatever columns the table has: serial × 1 and its efficiency 100 %.
  assert.match(table.stdout, /^\s+serial\s+1\s.*\s100%\s/m);
});
