// The honest numbers, computed from recorded samples: task phase, speed-ups, cores used, parallelism,
// other programs' CPU, the busy flag, ideal and capped efficiency, cancelled tasks, verdict, warnings, rounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sumInWindow, coresUsedIn, parallelismIn, otherCoresIn, isBusy, idealSpeedup, speedupsAgainst, isCancelledError,
  compareVerdict, compareWarnings, compareFindings, median, computeRunSummaries, backendRounds, medianRun, traceToChrome,
  BUSY_OTHER_CORES,
} from '../../dist/trace.mjs';
import { parseCpuUs, parseProcStatBusyUs, parseWaitUs } from '../../dist/python.mjs';

const near = (actual, expected, eps = 1e-9) => assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≈ ${expected}`);

test('sumInWindow() prorates samples that straddle the window', () => {
  // Three 10 ms samples of 8 ms CPU: (0,10], (10,20], (20,30]; window [5, 25] takes half, all, half.
  const samples = [10_000, 20_000, 30_000].map((t) => ({ t, intervalUs: 10_000, cpuUs: 8000 }));
  near(sumInWindow(samples, 5000, 25_000, (s) => s.cpuUs), 4000 + 8000 + 4000);
  assert.equal(sumInWindow(samples, 40_000, 50_000, (s) => s.cpuUs), 0, 'outside');
  assert.equal(sumInWindow(samples, 10, 10, (s) => s.cpuUs), 0, 'empty window');
});

test('coresUsedIn() counts only task threads; parallelismIn() adds run-queue wait', () => {
  const samples = [];
  for (let t = 10_000; t <= 100_000; t += 10_000) {
    // Two worker threads on a busy machine: 6 ms on a CPU and 4 ms waiting for one, every 10 ms.
    samples.push({ pid: 1, tid: 11, t, intervalUs: 10_000, cpuUs: 6000, waitUs: 4000 });
    samples.push({ pid: 1, tid: 12, t, intervalUs: 10_000, cpuUs: 6000, waitUs: 4000 });
    // The runner's main thread (not a task thread) is busy too: it must not count.
    samples.push({ pid: 1, tid: 1, t, intervalUs: 10_000, cpuUs: 9000 });
  }
  const isTask = (pid, tid) => tid === 11 || tid === 12;
  near(coresUsedIn(samples, isTask, 0, 100_000), 1.2);
  near(parallelismIn(samples, isTask, 0, 100_000), 2.0);
  assert.equal(coresUsedIn(samples, () => false, 0, 100_000), undefined, 'no task-thread samples: unknown, not 0');
  assert.equal(parallelismIn(samples.map(({ waitUs: _waitUs, ...s }) => s), isTask, 0, 100_000), undefined, 'no schedstat wait: unknown');
});

test('otherCoresIn() = machine busy time minus the run\'s own tree; isBusy() at 0.25 cores', () => {
  // 100 ms samples on 2 cores: the machine busy 150 ms of CPU per 100 ms, the run 100 ms of it.
  const machine = [100_000, 200_000, 300_000].map((t) => ({ t, intervalUs: 100_000, cores: 2, busyUs: 150_000, ownUs: 100_000 }));
  near(otherCoresIn(machine, 0, 300_000), 0.5);
  assert.equal(isBusy(0.5), true);
  assert.equal(isBusy(BUSY_OTHER_CORES - 0.01), false);
  assert.equal(isBusy(undefined), undefined);
  // Own time above busy (tick rounding) never makes "other" negative.
  const quiet = [{ t: 100_000, intervalUs: 100_000, cores: 2, busyUs: 100_000, ownUs: 110_000 }];
  assert.equal(otherCoresIn(quiet, 0, 100_000), 0);
  assert.equal(otherCoresIn([], 0, 100_000), undefined, 'no samples: unknown');
});

test('idealSpeedup() = min(workers, cores); serial 1', () => {
  assert.equal(idealSpeedup('thread', 4, 2), 2);
  assert.equal(idealSpeedup('process', 2, 8), 2);
  assert.equal(idealSpeedup('serial', 4, 2), 1);
  assert.equal(idealSpeedup('thread', 4, undefined), 4);
});

test('speedupsAgainst(): task phase and with start-up, only when both finished; efficiency capped with a reason', () => {
  /** @type {import('../../dist/trace.mjs').PhaseNumbers} */
  const serial = { backend: 'serial', workers: 1, finished: true, taskPhaseUs: 800_000, startupWallUs: 820_000, coresUsed: 1 };
  /** @type {import('../../dist/trace.mjs').PhaseNumbers} */
  const thread = { backend: 'thread', workers: 4, cores: 2, finished: true, taskPhaseUs: 420_000, startupWallUs: 500_000 };
  const r = speedupsAgainst(thread, serial);
  near(r.speedupVsSerial, 800 / 420);
  near(r.speedupWithStartup, 820 / 500);
  near(r.efficiency, 800 / 420 / 2);
  assert.equal(r.efficiencyNote, undefined);
  assert.deepEqual(speedupsAgainst({ ...thread, finished: false }, serial), {}, 'a live run has no speed-up yet');
  // 2.69× on 2 cores: capped at 100 %, and why.
  const fast = speedupsAgainst({ ...thread, taskPhaseUs: 800_000 / 2.69 }, { ...serial, busy: true });
  assert.equal(fast.efficiency, 1);
  assert.match(fast.efficiencyNote ?? '', /measured 135 %: the serial baseline ran while the machine was busy/);
  const io = speedupsAgainst({ ...thread, taskPhaseUs: 100_000 }, { ...serial, coresUsed: 0.02 });
  assert.match(io.efficiencyNote ?? '', /tasks mostly wait/);
  // Waiting tasks on a busy machine: the waits are why, not the busy baseline (that would teach the wrong lesson).
  const ioBusy = speedupsAgainst({ ...thread, taskPhaseUs: 100_000 }, { ...serial, coresUsed: 0.02, parallelism: 0.05, busy: true });
  assert.match(ioBusy.efficiencyNote ?? '', /measured 400 %: the tasks mostly wait, so more of them overlap than there are cores/);
});

test('isCancelledError(): Stop/terminate/cancel are cancelled, other errors are failures', () => {
  for (const name of ['PoolTerminated', 'CancelledError', 'RunStopped']) assert.equal(isCancelledError({ name }), true, name);
  for (const name of ['Error', 'TaskTimeout', 'WorkerCrashed']) assert.equal(isCancelledError({ name }), false, name);
  assert.equal(isCancelledError(undefined), false);
});

const run = (backend, fields) => ({ backend, workers: backend === 'serial' ? 1 : 2, finished: true, cores: 2, ...fields });

test('compareVerdict(): CPU-bound on an idle machine reads cores used', () => {
  const verdict = compareVerdict([
    run('serial', { coresUsed: 0.99, parallelism: 1 }),
    run('event-loop', { coresUsed: 1.0, parallelism: 1.0, speedupVsSerial: 1.0 }),
    run('thread', { coresUsed: 1.9, parallelism: 1.95, speedupVsSerial: 1.9 }),
    run('process', { coresUsed: 1.88, parallelism: 1.9, speedupVsSerial: 1.85 }),
  ]);
  assert.equal(verdict, 'CPU-bound: the event loop ran one task at a time (1.0 core); threads used 1.9 cores, processes 1.9 cores (2 cores available).');
});

test('compareVerdict(): on a busy machine tasks at once still rank the event loop as one', () => {
  // One core taken by a hog: every backend got less CPU, and event-loop's wall-time speed-up even looks good.
  const runs = [
    run('serial', { coresUsed: 0.55, parallelism: 1.0, busy: true, otherCpuCores: 0.9, taskPhaseUs: 1e6 }),
    run('event-loop', { coresUsed: 0.6, parallelism: 1.0, speedupVsSerial: 1.1, busy: true, otherCpuCores: 0.9, taskPhaseUs: 1e6 }),
    run('thread', { coresUsed: 1.1, parallelism: 2.0, speedupVsSerial: 1.3, busy: true, otherCpuCores: 0.9, taskPhaseUs: 1e6 }),
    run('process', { coresUsed: 1.2, parallelism: 2.0, speedupVsSerial: 1.35, busy: true, otherCpuCores: 0.9, taskPhaseUs: 1e6 }),
  ];
  const verdict = compareVerdict(runs);
  assert.match(verdict, /^CPU-bound: the event loop ran one task at a time \(1\.0 at once, 0\.6 cores used\)/);
  assert.match(verdict, /threads ran 2\.0 at once \(1\.1 cores used\), processes 2\.0 at once \(1\.2 cores used\)/);
  assert.match(verdict, /shared with other programs/);
  const warnings = compareWarnings(runs);
  assert.equal(warnings[0], 'Other programs used 0.9 of 2 cores during this compare: speed-ups are lower than on an idle machine.');
  const findings = compareFindings(runs);
  assert.equal(findings.machine.cores, 2);
  assert.equal(findings.machine.busy, true);
  near(findings.machine.otherCpuCores, 0.9);
});

test('compareVerdict(): I/O-bound tasks overlap everywhere; no /proc falls back to wall time, said so', () => {
  const io = compareVerdict([
    run('serial', { coresUsed: 0.02, parallelism: 0.02 }),
    run('event-loop', { coresUsed: 0.05, speedupVsSerial: 1.95 }),
    run('thread', { coresUsed: 0.05, speedupVsSerial: 1.9 }),
  ]);
  assert.match(io, /^I\/O-bound: the tasks mostly waited .* the event loop 1\.95×, threads 1\.90×; the event loop did it on one thread\.$/);
  const wall = compareVerdict([run('serial', {}), run('thread', { speedupVsSerial: 1.9 })]);
  assert.equal(wall, 'Speed-up over serial (wall time; no on-CPU data on this system): threads 1.90×.');
  assert.match(compareWarnings([run('serial', {}), run('thread', {})]).join('\n'), /On-CPU data is not available/);
  assert.equal(compareVerdict([{ ...run('thread', {}), finished: false }]), '', 'nothing finished: no verdict');
});

test('median() of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('/proc parsers: /proc/stat busy time, process utime+stime, schedstat run-queue wait', () => {
  // user nice system idle iowait irq softirq steal guest guest_nice (ticks of 10 ms)
  assert.equal(parseProcStatBusyUs('cpu  100 5 50 1000 30 2 3 0 0 0\ncpu0 50 2 25 500 15 1 1 0 0 0\n'), (100 + 5 + 50 + 2 + 3) * 10_000);
  assert.equal(parseProcStatBusyUs('intr 1 2 3\n'), undefined);
  const stat = '4242 (my (odd) name) R 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0\n';
  assert.equal(parseCpuUs('stat', stat), 300 * 10_000, 'a whole process, as the machine-load sampler reads it');
  assert.equal(parseWaitUs('96512345 4000000 56\n'), 4000);
  assert.equal(parseWaitUs('96512345'), undefined);
});

/** A recorded-shape compare: serial then thread on one clock, with cpu-sample and machine-sample events. */
function recordedCompare({ busy = false, stopAfter = Infinity } = {}) {
  const events = [];
  let seq = 0;
  const push = (runId, e) => events.push({ runId, seq: seq++, ...e });
  const phase = (runId, backend, workers, t0, taskUs, tids) => {
    push(runId, { type: 'run-start', t: t0, backend, workers, inputsCount: 4, node: 'v20', pid: 100, originUs: 1e9, compareId: 'c1', cores: 2 });
    tids.forEach((tid, i) => push(runId, { type: 'worker-start', t: t0 + 30_000, workerId: i + 1, name: `w${i + 1}`, pid: 100, threadId: i + 1, tid, startupUs: 30_000 }));
    const start = t0 + 40_000;
    for (let k = 0; k < 4; k++) push(runId, { type: 'task-queued', t: start, taskId: k + 1, fn: 'f', inputPreview: String(k) });
    let end = start;
    for (let k = 0; k < 4; k++) {
      const lane = k % tids.length;
      const s = start + Math.floor(k / tids.length) * taskUs;
      end = Math.max(end, s + taskUs);
      push(runId, { type: 'task-start', t: s, taskId: k + 1, workerId: lane + 1 });
      if (k >= stopAfter) push(runId, { type: 'task-end', t: s + 1000, taskId: k + 1, workerId: lane + 1, ok: false, error: { name: 'PoolTerminated', message: 'stopped' } });
      else push(runId, { type: 'task-end', t: s + taskUs, taskId: k + 1, workerId: lane + 1, ok: true, resultPreview: '1' });
    }
    // Each task thread on a CPU the whole task phase, in 10 ms samples; the machine in 100 ms samples.
    for (let t = start + 10_000; t <= end; t += 10_000) for (const tid of tids) push(runId, { type: 'cpu-sample', t, pid: 100, tid, cpuUs: busy ? 6000 : 9900, intervalUs: 10_000, ...(busy ? { waitUs: 4000 } : {}) });
    for (let t = start + 100_000; t <= end; t += 100_000) {
      push(runId, { type: 'machine-sample', t, intervalUs: 100_000, cores: 2, busyUs: busy ? 200_000 : tids.length * 100_000, ownUs: busy ? tids.length * 60_000 : tids.length * 100_000 });
    }
    push(runId, { type: 'run-end', t: end + 5000, stats: { wallUs: end + 5000 - t0, tasks: 4, ok: 4, failed: 0, taskUs: 4 * taskUs, pids: [100], threadIds: [1], workersStarted: tids.length } });
    return end + 5000;
  };
  const t1 = phase('s', 'serial', 1, 0, 100_000, [501]);
  phase('t', 'thread', 2, t1, busy ? 160_000 : 100_000, [601, 602]);
  return events;
}

test('computeRunSummaries() on recorded samples: task phase, speed-ups, cores used, other programs, busy', () => {
  const [serial, thread] = computeRunSummaries(recordedCompare());
  assert.equal(serial.taskPhaseUs, 400_000);
  assert.equal(serial.startupWallUs, 440_000);
  assert.equal(thread.taskPhaseUs, 200_000);
  near(thread.speedupVsSerial, 2);
  near(thread.speedupWithStartup, 440 / 240);
  assert.equal(thread.ideal, 2);
  near(thread.efficiency, 1);
  near(serial.coresUsed, 0.99);
  near(thread.coresUsed, 1.98);
  assert.equal(thread.otherCpuCores, 0);
  assert.equal(thread.busy, false);

  const [bs, bt] = computeRunSummaries(recordedCompare({ busy: true }));
  assert.equal(bt.busy, true);
  near(bt.otherCpuCores, 0.8);
  near(bs.parallelism, 1.0);
  near(bt.parallelism, 2.0);
  near(bt.coresUsed, 1.2);
  assert.equal(bs.busy, true);
});

test('stopped tasks are cancelled, counted apart from failed', () => {
  const summaries = computeRunSummaries(recordedCompare({ stopAfter: 2 }));
  const serial = summaries[0];
  assert.equal(serial.ok, 2);
  assert.equal(serial.failed, 0);
  assert.equal(serial.cancelled, 2);
  assert.equal(serial.pending, 0);
});

test('backendRounds() and medianRun(): medians and min–max over rounds', () => {
  // Summaries with the fields backendRounds and medianRun read.
  const summaries = /** @type {import('../../dist/trace.mjs').RunSummary[]} */ ([1.8, 1.9, 1.6].flatMap((sp, i) => [
    { backend: 'serial', workers: 1, finished: true, taskPhaseUs: 1e6, coresUsed: 1, busy: false, failed: 0, cancelled: 0, runId: `s${i}` },
    { backend: 'thread', workers: 2, finished: true, taskPhaseUs: 1e6 / sp, speedupVsSerial: sp, coresUsed: sp, busy: i === 2, cores: 2, failed: 0, cancelled: 0, runId: `t${i}` },
  ]));
  const [serial, thread] = backendRounds(summaries);
  assert.equal(serial.rounds, 3);
  assert.deepEqual(thread.speedupVsSerial, { median: 1.8, min: 1.6, max: 1.9 });
  assert.equal(thread.busyRounds, 1);
  const m = medianRun(thread);
  assert.equal(m.coresUsed, 1.8);
  assert.equal(m.busy, false);
});

test('the Chrome-trace export carries the findings in its metadata', () => {
  const chrome = traceToChrome(recordedCompare());
  const f = /** @type {ReturnType<typeof import('../../dist/trace.mjs').traceFindings>} */ (chrome.otherData?.findings);
  assert.equal(f.machine.cores, 2);
  assert.equal(f.machine.busy, false);
  assert.match(f.verdict, /threads used 2\.0 cores/);
  assert.deepEqual(f.runs.map((r) => r.backend), ['serial', 'thread']);
  near(f.runs[1].speedupVsSerial, 2);
});
