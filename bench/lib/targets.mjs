// The project's performance targets (issue 3), checked against one run's
// numbers. A target whose inputs are missing is reported as such, never as PASS.

/** @returns {{ name: string, value: number|null, target: string, pass: boolean|null, detail: string }[]} */
export function checkTargets(r) {
  const out = [];
  const add = (name, value, target, pass, detail) =>
    out.push({ name, value: Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null, target, pass: Number.isFinite(value) ? pass(value) : null, detail,
      // Wall-clock results taken while other work held the cores say little either way.
      noisy: Boolean(r.machine?.busy) && !name.includes('CPU per task') && !name.includes('CPU/task') && !name.includes('bytes per task') });

  const tps = (id) => r.trivial?.[id]?.tasksPerSec;
  add('thread tasks/s ÷ piscina', tps('poolscope-thread') / tps('piscina'), '≥ 2×', (v) => v >= 2,
    `${tps('poolscope-thread')} vs ${tps('piscina')} tasks/s, tracing on`);

  const peerProcess = ['tinypool-process', 'workerpool-process'].filter((id) => Number.isFinite(tps(id)));
  const bestPeer = peerProcess.sort((a, b) => tps(b) - tps(a))[0];
  add('process tasks/s ÷ best peer process pool', tps('poolscope-process') / tps(bestPeer), '≥ 1.5×', (v) => v >= 1.5,
    `${tps('poolscope-process')} vs ${bestPeer ?? 'none'} ${tps(bestPeer)} tasks/s`);

  const start = (id) => r.startup?.[id]?.ms;
  add('thread start→first result ÷ piscina', start('poolscope-thread') / start('piscina'), '≤ 1×', (v) => v <= 1,
    `${start('poolscope-thread')} vs ${start('piscina')} ms`);

  const speedup = (id) => r.cpu?.[id]?.speedup;
  add('CPU speedup, thread', speedup('poolscope-thread'), '≥ 1.85×', (v) => v >= 1.85, '16 × ~50 ms on 2 workers vs serial loop');
  add('CPU speedup, process', speedup('poolscope-process'), '≥ 1.85×', (v) => v >= 1.85, '16 × ~50 ms on 2 workers vs serial loop');
  add('CPU speedup, event-loop', speedup('poolscope-event-loop'), '≤ 1.1×', (v) => v <= 1.1, 'must not look parallel');

  // What `poolscope compare` reports (bench/lib/honest.mjs): cores used comes from /proc and holds on a busy
  // machine; the speed-ups are wall clock.
  const honest = (b) => r.honest?.backends?.[b];
  const honestDetail = (b) => (honest(b) ? `median of ${honest(b).rounds}; busy rounds ${honest(b).busyRounds}, other programs ${honest(b).otherCpuCores ?? '–'} cores` : (r.honest?.error ?? 'not run'));
  add('compare speedupVsSerial, thread', honest('thread')?.speedupVsSerial, '≥ 1.8×', (v) => v >= 1.8, honestDetail('thread'));
  add('compare speedupVsSerial, process', honest('process')?.speedupVsSerial, '≥ 1.8×', (v) => v >= 1.8, honestDetail('process'));
  add('compare speedupVsSerial, event-loop', honest('event-loop')?.speedupVsSerial, '≤ 1.1×', (v) => v <= 1.1, honestDetail('event-loop'));
  add('compare coresUsed, thread', honest('thread')?.coresUsed, '≥ 1.7', (v) => v >= 1.7, honestDetail('thread'));
  add('compare coresUsed, process', honest('process')?.coresUsed, '≥ 1.7', (v) => v >= 1.7, honestDetail('process'));
  add('compare coresUsed, event-loop', honest('event-loop')?.coresUsed, '≤ 1.1', (v) => v <= 1.1, honestDetail('event-loop'));
  const fair = r.honest?.serialVsThread;
  add('serial ÷ 1-thread pool, per-task run time', fair?.ratio, 'within 10 %', (v) => Math.abs(v - 1) <= 0.1,
    fair ? `${fair.serialPerTaskMs} vs ${fair.threadPerTaskMs} ms per task${fair.cpuRatio !== undefined ? `; on CPU ${fair.serialCpuPerTaskMs} vs ${fair.threadCpuPerTaskMs} ms (${fair.cpuRatio})` : ''}${fair.busy ? '; machine busy' : ''}` : 'not run');

  // Issue 17: judged on on-CPU time per task (robust on a shared machine), paired round by round; the runner's
  // column subscriber on thread is the target (median of the runs ≤ 3 %, every run ≤ 5 %); wall clock in the detail.
  for (const [id, label] of [['poolscope-thread', 'thread'], ['poolscope-process', 'process']]) {
    const ov = r.overhead?.[id];
    if (!ov && label === 'process') continue;
    const runs = ov?.runs?.length ?? 0;
    const noise = ov?.modes?.['off#2'];
    const ci = (m) => (m?.cpuPctMedianCi ? ` (95 % interval ${m.cpuPctMedianCi[0]} … ${m.cpuPctMedianCi[1]} %)` : '');
    const floor = noise ? `; noise floor (a second untraced pool) median ${noise.cpuPctMedian} %${ci(noise)}, runs ${noise.cpuPctRuns.join(' / ')} %` +
      (noise.resolution ? `; ±1.5 % resolution would take ~${noise.resolution.epochsForHalfWidth1_5} epochs a run` : '') : '';
    for (const [mode, how] of [['columns', 'column listener (the runner)'], ['listener', 'object listener']]) {
      const m = ov?.modes?.[mode];
      const detail = m ? `median${ci(m)}; runs ${m.cpuPctRuns.join(' / ')} % (load ${ov.runs.map((x) => x.loadavg1).join(' / ')}); main thread ${m.mainCpuPctMedian} %, wall ${m.wallPctMedian} %${floor}`
        : (ov?.error ?? 'not measured (re-run --only=overhead)');
      const strict = label === 'thread' && mode === 'columns';
      add(`tracing overhead, ${label}, ${how}: CPU/task, median of ${runs} runs (issue 17)`, m?.cpuPctMedian, strict ? '≤ 3 %' : '≤ 5 %', (v) => v <= (strict ? 3 : 5), detail);
      if (strict) add(`tracing overhead, ${label}, ${how}: CPU/task, worst of ${runs} runs (issue 17)`, m?.cpuPctWorst, '≤ 5 %', (v) => v <= 5, detail);
    }
  }

  // The same pool with its tracing switched round by round: no instance effect, but the workers' own trace work
  // (one call a task for these tasks) is on in both arms. Shown next to the figure above, judged the same way.
  const same = r.overhead?.['poolscope-thread']?.sameInstance;
  if (same) {
    const on = same.on;
    const detail = on ? `median (95 % interval ${on.cpuPctMedianCi[0]} … ${on.cpuPctMedianCi[1]} %); runs ${on.cpuPctRuns.join(' / ')} % (load ${same.runs.map((x) => x.loadavg1).join(' / ')}); ` +
      `main thread ${on.mainCpuPctMedian} %; control (off vs off) median ${same.noise.cpuPctMedian} %, runs ${same.noise.cpuPctRuns.join(' / ')} %` : same.error;
    add(`tracing overhead, thread, same pool switched per round (main thread's tracing): CPU/task, median of ${same.runs?.length ?? 0} runs (issue 17)`, on?.cpuPctMedian, '≤ 3 %', (v) => v <= 3, detail);
    add(`tracing overhead, thread, same pool switched per round (main thread's tracing): CPU/task, worst of ${same.runs?.length ?? 0} runs (issue 17)`, on?.cpuPctWorst, '≤ 5 %', (v) => v <= 5, detail);
  }

  // Issue 17: every API path keeps ≥ 80 % of the engine's throughput (paired with the engine in the same round).
  if (!Object.keys(r.api?.paths ?? {}).length) add('API paths ÷ engine submit() (issue 17)', NaN, '≥ 0.8×', () => false, r.api?.error ?? 'not measured (--only=api)');
  for (const [path, m] of Object.entries(r.api?.paths ?? {})) {
    if (path.startsWith('engine')) continue;
    add(`API ${path} ÷ engine submit() (issue 17)`, m.vsEngine, '≥ 0.8×', (v) => v >= 0.8,
      `${m.tasksPerSec} tasks/s; main thread ${m.mainCpuUsPerTask} µs/task (engine ÷ path ${m.cpuVsEngine}); ${m.mainWaitSpans} main-wait spans for ${r.api.tasks} waits`);
  }

  // Issue 17: many concurrent waits record one main-lane span per continuous waiting period, not one per call.
  const waits = Object.entries(r.api?.paths ?? {}).filter(([path, m]) => !path.startsWith('engine') && Number.isFinite(m.mainWaitSpans));
  if (waits.length) {
    const [worstPath, worst] = waits.reduce((a, b) => (b[1].mainWaitSpans > a[1].mainWaitSpans ? b : a));
    add(`API: main-wait spans recorded for ${r.api.tasks} concurrent waits, most of any path (issue 17)`, worst.mainWaitSpans, '≤ 1 % of the waits',
      (v) => v <= r.api.tasks / 100, `${worstPath}; every path: ${waits.map(([p, m]) => `${p} ${m.mainWaitSpans}`).join(', ')}`);
  }

  // Issue 17: the CLI at scale.
  const c = r.cliScale;
  if (!c || c.error) {
    add('CLI at scale: 1M tasks --trace --html (issue 17)', NaN, '≤ 20 s, ≤ 500 MiB, ≤ 500 ms, ≤ 150 B/task', () => false, c?.error ?? 'not measured (--only=cli)');
  } else {
    const what = `poolscope run … range(${c.tasks}) --trace --html; median of ${c.rounds?.length ?? 1}, load ${c.rounds?.map((x) => x.loadavg1).join(', ') ?? '–'}`;
    add(`CLI at scale: wall s (${c.tasks} tasks)`, c.wallS, '≤ 20 s', (v) => v <= 20, what);
    add('CLI at scale: CLI + runner peak RSS MiB', c.peakRssMiB, '≤ 500', (v) => v <= 500, 'summed over the process tree, /proc every 100 ms');
    add('CLI at scale: first task-start after the pool was ready (all workers), ms', c.firstTaskAfterReadyMs, '≤ 500', (v) => v <= 500, `--timing; after the first worker: ${c.firstTaskAfterFirstWorkerMs ?? '–'} ms`);
    add('CLI at scale: trace bytes per task', c.traceBytesPerTask, '≤ 150', (v) => v <= 150, `progress while writing: ${c.outputProgressShown ? 'shown' : 'not shown'}`);
  }

  const rs = r.extras?.runnerStartup;
  if (rs && !rs.error) {
    add('runner start → first task-start, warm, thread (issue 5)', rs.thread?.warmMs, '≤ 300 ms', (v) => v <= 300, `cold ${rs.thread?.coldMs} ms`);
    add('runner start → first task-start, warm, process (issue 5)', rs.process?.warmMs, '≤ 400 ms', (v) => v <= 400, `cold ${rs.process?.coldMs} ms`);
    // Issue 17's warm click, the runner's part: the request reaching a runner forked ahead (launch.ts warm start).
    // A spare runner here has no pool yet; the extension's spare also starts the pool ahead (run-session.ts
    // PreparedPool), which bench/click.mjs times (10–20 ms on a quiet machine): this row is the slower bound.
    add('warm click, runner part: request → first task-start, spare runner without a pool, thread (issue 17)', rs.thread?.spareMs, '≤ 150 ms', (v) => v <= 150,
      `without a spare (cache hit) ${rs.thread?.warmMs} ms; load ${rs.thread?.loadavg1?.join(', ') ?? '–'}; the extension's spare also has its pool started (bench/click.mjs); the extension host and webview part is not in this figure`);
  }
  // Issue 17: the warm click in the extension, from the last workbench run (the bench does not start a workbench).
  const wc = r.workbenchClick;
  if (!wc) {
    add('warm click: command → first bar drawn, workbench (issue 17)', NaN, '≤ 150 ms', () => false, 'no workbench run recorded: npm run test:workbench writes e2e-out/mocha/warm-click.json');
  } else {
    add('warm click: command → first bar drawn, workbench (issue 17)', wc.warmClickMs, '≤ 150 ms', (v) => v <= 150, `workbench run of ${wc.date}; ${wc.warmClicksMs ? `median of ${wc.warmClicksMs.join(', ')} ms; ` : ''}cold (no spare runner) ${wc.coldClickMs} ms`);
    add('cold click: command → first bar drawn, workbench (issue 17)', wc.coldClickMs, '≤ 1500 ms', (v) => v <= 1500, `workbench run of ${wc.date}`);
  }
  const rp = r.extras?.render?.firstPaintMs1M;
  add('1M-task trace: first paint (issue 17)', rp, '≤ 1000 ms', (v) => v <= 1000,
    Number.isFinite(rp)
      ? `headless Chromium, bench/render.mjs: the first frame with every event drawn (lanes coarse from their busy sketches while the rows are folded); every row folded, tooltips/table/summary exact at ${r.extras?.render?.exactMs1M ?? '–'} ms; load ${r.machine?.loadavgAfter?.[0] ?? '–'} at the end of the run`
      : 'not measured (--only=render)');
  // The render bench (issue 6) reports its goals as { metric: upper bound } next to the metrics.
  const render = r.extras?.render;
  if (render && render.targets && typeof render.targets === 'object' && !Array.isArray(render.targets)) {
    for (const [metric, bound] of Object.entries(render.targets)) {
      // First paint has issue 17's row above.
      if (metric === 'firstPaintMs1M') continue;
      add(`render: ${metric} (issue 6)`, render[metric], `≤ ${bound}`, (v) => v <= bound, 'headless Chromium, bench/render.mjs');
    }
  }
  return out;
}
