// Prints a results object (run.mjs / results.json) as plain-text tables.

const fmt = (v, unit = '') => (v == null || Number.isNaN(v) ? '—' : `${typeof v === 'number' ? v.toLocaleString('en-US') : v}${unit}`);

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export function printReport(r) {
  if (r.machine) {
    const m = r.machine;
    console.log(`\nPoolScope bench — ${r.date}  node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), load ${m.loadavgBefore?.join(' ')} → ${m.loadavgAfter?.join(' ')}` +
      `${m.nodeExtraCaCerts ? ', NODE_EXTRA_CA_CERTS set (slows every new Node process)' : ''}${r.config?.quick ? ', QUICK run' : ''}`);
  }
  if (r.pools) {
    const c = r.config;
    console.log(`\n${c.workers} workers; trivial = ${c.trivial.tasks} × identity submitted at once (PoolScope tracing on, listener subscribed);` +
      ` latency = sequential round trips; start = pool construction → first result; CPU = ${c.cpu.tasks} × ~${c.cpu.targetMs} ms burn` +
      ` (speedup vs an inline serial loop); I/O = ${c.io.tasks} × ${c.io.ms} ms timer, ${c.io.workers} workers (ideal ${c.io.tasks / c.io.workers * c.io.ms} ms)\n`);
    const rows = Object.entries(r.pools).map(([id, label]) => [
      label,
      fmt(r.trivial?.[id]?.tasksPerSec),
      fmt(r.latency?.[id]?.p50Us), fmt(r.latency?.[id]?.p99Us),
      fmt(r.startup?.[id]?.ms),
      fmt(r.cpu?.[id]?.poolMs), r.cpu?.[id]?.speedup != null ? `${r.cpu[id].speedup}×` : '—',
      fmt(r.io?.[id]?.wallMs),
    ]);
    table(['pool', 'tasks/s', 'p50 µs', 'p99 µs', 'start ms', 'CPU ms', 'speedup', 'I/O ms'], rows);
    if (r.poolSetup) {
      console.log('\nHow each pool was set up (as its README recommends for throughput; same task module, same submission pattern):');
      for (const [id, how] of Object.entries(r.poolSetup)) if (r.pools[id]) console.log(`  ${r.pools[id]}: ${how}`);
    }
  }
  if (r.overhead) {
    console.log('\nTracing overhead, paired (traced ÷ untraced in the same round − 1; on-CPU time per task of the process tree; wall = untraced ÷ traced tasks/s):');
    const rows = [];
    for (const [id, o] of Object.entries(r.overhead)) {
      if (o.error) { rows.push([id, o.error, '', '', '', '', '', '']); continue; }
      if (!o.runs) { rows.push([id, 'measured by an older bench: re-run --only=overhead', '', '', '', '', '', '']); continue; }
      o.runs.forEach((run, k) => {
        for (const [mode, m] of Object.entries(run.modes)) {
          rows.push([`${id} run ${k + 1} ${mode}`, fmt(run.loadavg1), `${fmt(run.offCpuUsPerTask)} → ${fmt(m.cpuUsPerTask)}`, fmt(m.cpuPct, ' %'),
            m.cpuPctCi ? `${fmt(m.cpuPctCi[0])} … ${fmt(m.cpuPctCi[1])} %` : '', fmt(m.mainCpuPct, ' %'), fmt(m.wallPct, ' %'), fmt(run.offTasksPerSec)]);
        }
      });
    }
    const same = r.overhead['poolscope-thread']?.sameInstance;
    if (same?.runs) {
      same.runs.forEach((run, k) => {
        for (const arm of ['on', 'off#2']) {
          const m = run[arm];
          rows.push([`poolscope-thread same pool run ${k + 1} ${arm}`, fmt(run.loadavg1), fmt(run.offCpuUsPerTask), fmt(m.cpuPct, ' %'), `${fmt(m.cpuPctCi[0])} … ${fmt(m.cpuPctCi[1])} %`, fmt(m.mainCpuPct, ' %'), '', '']);
        }
      });
    } else if (same?.error) rows.push(['poolscope-thread same pool', same.error, '', '', '', '', '', '']);
    table(['pool, run, tracing', 'load', 'CPU µs/task off → on', 'CPU overhead', '95 % interval', 'main thread', 'wall', 'tasks/s off'], rows);
    if (same?.method) console.log(`  poolscope-thread same pool: ${same.method}`);
    for (const [id, o] of Object.entries(r.overhead)) {
      if (o.method) console.log(`  ${id}: ${o.method}`);
      const res = o.modes?.['off#2']?.resolution;
      if (res) {
        console.log(`  ${id}: the noise floor's intervals are ±${res.halfWidthPct} % (median of runs); ±1.5 % (half the 3 % target) would take ~${res.epochsForHalfWidth1_5} epochs a run (~${res.secondsPerRunThen} s a run at this load)`);
      }
    }
  }
  if (r.api?.paths) {
    const a = r.api;
    console.log(`\nAPI paths vs the engine (${a.backend}, ${a.workers} workers, ${fmt(a.tasks)} × identity submitted at once, tracing on with the runner's column subscriber;` +
      ` a fresh process per path and round, order rotating, holding a warm engine pool and the path's pool that take turns for ${a.reps ?? '?'} runs each;` +
      ' ÷ engine = the median of every path run ÷ the engine run next to it; by round = that median per round; main-wait spans = spans one collection recorded):');
    if (a.error) console.log(`  (stopped early: ${a.error})`);
    table(['path', 'tasks/s', '÷ engine', '÷ engine by round', 'main-thread µs/task', 'engine µs ÷ path µs', 'main-wait spans'],
      Object.entries(a.paths).map(([path, m]) => [path, fmt(m.tasksPerSec), fmt(m.vsEngine), (m.vsEngineRounds ?? []).map((x) => fmt(x)).join(' / ') || '–', fmt(m.mainCpuUsPerTask), fmt(m.cpuVsEngine), fmt(m.mainWaitSpans)]));
  }
  if (r.cliScale) {
    const c = r.cliScale;
    console.log(`\nCLI at scale: poolscope run f.ts --fn ident --inputs 'range(${fmt(c.tasks)})' --backend thread --trace --html: ` +
      (c.error ? `error: ${c.error}` : `${c.wallS} s, peak RSS (CLI + runner) ${c.peakRssMiB} MiB, first task ${c.firstTaskAfterReadyMs} ms after the pool was ready (${c.firstTaskAfterFirstWorkerMs ?? '–'} ms after its first worker), ` +
        `trace ${c.traceBytesPerTask} bytes/task, HTML ${c.htmlBytesPerTask ?? '–'} bytes/task, progress while writing ${c.outputProgressShown ? 'shown' : 'not shown'}` +
        ` (median of ${c.rounds?.length ?? 1})`));
    for (const x of c.rounds ?? []) {
      console.log(`  round: load ${x.loadavg1}, ${x.wallS} s, ${x.peakRssMiB} MiB, first task +${x.firstTaskAfterReadyMs} ms (+${x.firstTaskAfterFirstWorkerMs ?? '–'} after the first worker), trace ${x.traceBytesPerTask} B/task${x.error ? `, error: ${x.error}` : ''}`);
    }
  }
  if (r.workbenchClick) {
    const w = r.workbenchClick;
    console.log(`\nClick → first bar in the workbench (last npm run test:workbench, ${w.date}${w.loadAverage ? `, load ${w.loadAverage.join(' ')}` : ''}): cold ${w.coldClickMs} ms, warm ${w.warmClickMs} ms (${w.what})`);
    // Stage by stage, ms since the run was asked for (src/extension/run-controller.ts, ClickTiming).
    for (const [kind, click] of [['cold', w.coldStages], ['warm', w.warmStages]]) {
      if (click?.stagesMs) console.log(`  ${kind}: ${Object.entries(click.stagesMs).sort((a, b) => a[1] - b[1]).map(([k, v]) => `${k} ${v}`).join(' · ')}${click.webviewMs !== undefined ? ` (in the webview ${click.webviewMs})` : ''}`);
    }
  }
  if (r.extras && Object.keys(r.extras).length) {
    console.log('\nOther parts:');
    for (const [name, v] of Object.entries(r.extras)) console.log(`  ${name}: ${JSON.stringify(v)}`);
  }
  if (r.targets) {
    console.log('\nTargets:');
    table(['target', 'value', 'goal', 'result', 'detail'],
      r.targets.map((t) => [t.name, fmt(t.value), t.target, `${t.pass == null ? 'N/A' : t.pass ? 'PASS' : 'FAIL'}${t.noisy ? '*' : ''}`, t.detail]));
    if (r.targets.some((t) => t.noisy)) {
      console.log(`* the machine was busy (load ${r.machine.loadavgBefore[0]} → ${r.machine.loadavgAfter[0]} on ${r.machine.cpus} CPUs): wall-clock results are not trustworthy either way; re-run on an idle machine.`);
    }
  }
  if (r.soak) {
    console.log(`\nSoak (${r.soak.date ?? ''}): ${fmt(r.soak.tasks)} trivial tasks per backend, ${r.soak.crashRate * 100} % seeded crashes (seed ${r.soak.seed})`);
    table(['backend', 'settled', 'ok', 'failed', 'by name', 'tasks/s', 'RSS start/peak/end MiB', 'leaks', 'wall s'],
      Object.entries(r.soak.backends).map(([b, s]) => s.error ? [b, 'ERROR', '', '', s.error, '', '', '', ''] : [
        b, s.settled === s.submitted ? 'all' : `${s.settled}/${s.submitted}`, fmt(s.ok), fmt(s.failed),
        Object.entries(s.failedByName).map(([n, k]) => `${n} ${k}`).join(', ') || '—', fmt(s.tasksPerSec),
        `${s.rssMiB.start}/${s.rssMiB.peak}/${s.rssMiB.end}`,
        s.leaks.handles.length || s.leaks.processes.length || s.leaks.threads > 0
          ? `handles ${JSON.stringify(s.leaks.handles)} procs ${s.leaks.processes.length} threads ${s.leaks.threads}` : 'none',
        fmt(s.wallS)]));
  }
}
