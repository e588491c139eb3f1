// The busy-machine check's own-process accounting (src/runner/machine-load.ts) on a hand-written /proc: a worker
// process that exits between two samples keeps its last CPU as the run's (its parent's reaped-children time, less
// what was counted of it already), instead of reading as other programs' and calling a quiet machine busy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const built = await esbuild.build({
  entryPoints: [fileURLToPath(new URL('../../src/runner/machine-load.ts', import.meta.url))],
  bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20',
});
const { MachineLoadSampler } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

/** A fake /proc: the machine's busy ticks and, per pid, [ppid, utime + stime, cutime + cstime] in ticks (10 ms). */
function fakeProc() {
  const root = mkdtempSync(join(tmpdir(), 'poolscope-proc-'));
  return {
    root,
    machine(busyTicks) {
      writeFileSync(join(root, 'stat'), `cpu  ${busyTicks} 0 0 100000 0 0 0 0 0 0\ncpu0 0 0 0 0\n`);
    },
    process(pid, ppid, selfTicks, childrenTicks) {
      mkdirSync(join(root, String(pid)), { recursive: true });
      // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
      writeFileSync(join(root, String(pid), 'stat'), `${pid} (node worker) S ${ppid} 1 1 0 -1 0 0 0 0 0 ${selfTicks} 0 ${childrenTicks} 0 20 0 1 0\n`);
    },
    gone(pid) {
      rmSync(join(root, String(pid)), { recursive: true, force: true });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

test('a worker that exits between samples: its last CPU stays the run\'s own (from its parent\'s reaped-children time)', () => {
  const proc = fakeProc();
  try {
    let now = 0;
    const samples = [];
    proc.machine(1000);
    proc.process(100, 1, 50, 0); // the runner
    const sampler = new MachineLoadSampler({ now: () => now, onSample: (s) => samples.push(s), procRoot: proc.root, cores: 2, pids: [100] });
    sampler.start();
    proc.process(200, 100, 5, 0); // a worker process, 50 ms of start-up before it is counted
    sampler.addPid(200);
    // 100 ms: both cores busy, all of it the run's (runner 2 ticks, worker 18).
    now += 100_000;
    proc.machine(1020);
    proc.process(100, 1, 52, 0);
    proc.process(200, 100, 23, 0);
    sampler.tick();
    // 100 ms: the worker ran 15 more ticks, exited and was reaped: gone from /proc, its whole life (38 ticks) now in
    // the runner's children's time. The runner ran 3 ticks. Machine: 20 ticks, 2 of them another program's.
    now += 100_000;
    proc.machine(1040);
    proc.gone(200);
    proc.process(100, 1, 55, 38);
    sampler.tick();
    sampler.stop();
    assert.deepEqual(samples.map((s) => [s.busyUs, s.ownUs]), [[200_000, 200_000], [200_000, 180_000]]);
  } finally {
    proc.cleanup();
  }
});

test('the parent\'s reaped time may show a sample later than the child disappears; nothing is counted twice', () => {
  const proc = fakeProc();
  try {
    let now = 0;
    const samples = [];
    proc.machine(0);
    proc.process(100, 1, 0, 0);
    proc.process(200, 100, 0, 0);
    const sampler = new MachineLoadSampler({ now: () => now, onSample: (s) => samples.push(s), procRoot: proc.root, cores: 2, pids: [100, 200] });
    sampler.start();
    now += 100_000;
    proc.machine(10);
    proc.process(200, 100, 10, 0);
    sampler.tick();
    // Gone, but the parent's cutime has not grown yet (read before the reap); it grows by the child's 14 ticks next.
    now += 100_000;
    proc.machine(14);
    proc.gone(200);
    sampler.tick();
    now += 100_000;
    proc.machine(14);
    proc.process(100, 1, 0, 14);
    sampler.tick();
    assert.deepEqual(samples.map((s) => s.ownUs), [100_000, 0, 40_000]);
    // A task's own short-lived subprocess (never tracked): its time is the run's once reaped.
    now += 100_000;
    proc.machine(20);
    proc.process(100, 1, 0, 20);
    sampler.tick();
    assert.equal(samples.at(-1).ownUs, 60_000);
  } finally {
    proc.cleanup();
  }
});

test('the parent that reads the events counts without its reaped children (earlier runners are not this run\'s)', () => {
  const proc = fakeProc();
  try {
    let now = 0;
    const samples = [];
    proc.machine(0);
    proc.process(process.ppid, 1, 0, 0);
    const sampler = new MachineLoadSampler({ now: () => now, onSample: (s) => samples.push(s), procRoot: proc.root, cores: 2, pids: [process.ppid] });
    sampler.start();
    now += 100_000;
    proc.machine(30);
    proc.process(process.ppid, 1, 1, 500); // an earlier runner of the editor was reaped: 5 s of its life
    sampler.tick();
    assert.deepEqual(samples.map((s) => s.ownUs), [10_000]);
  } finally {
    proc.cleanup();
  }
});
