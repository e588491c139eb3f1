// The CLI at scale (issue 17): `poolscope run f.ts --fn ident --inputs 'range(N)' --backend thread --trace
// t.json --html t.html` end to end, as a user runs it — wall time, the peak of the summed RSS of the CLI and
// its runner (sampled from /proc every 100 ms), first task-start after the first worker was ready (--timing),
// and the trace file's bytes per task.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Summed RSS (MiB) of `pid` and its descendants. */
function treeRssMiB(pid) {
  const children = new Map();
  for (const d of os.platform() === 'linux' ? readdirSafe('/proc') : []) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  let kb = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch { /* gone */ }
    stack.push(...(children.get(p) ?? []));
  }
  return kb / 1024;
}

function readdirSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export async function measureCliScale({ tasks, progress }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'poolscope-bench-cli-'));
  try {
    const file = path.join(dir, 'f.ts');
    writeFileSync(file, 'export function ident(x: number): number {\n  return x;\n}\n');
    const trace = path.join(dir, 't.json');
    const html = path.join(dir, 't.html');
    progress?.(`cli scale: poolscope run … range(${tasks}) --trace --html`);
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'run', file, '--fn', 'ident', '--inputs', `range(${tasks})`, '--backend', 'thread',
      '--workers', '2', '--trace', trace, '--html', html, '--timing', '--cache-dir', path.join(dir, 'cache')],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t) => { stderr += t; });
    let peak = 0;
    const sampler = setInterval(() => { peak = Math.max(peak, treeRssMiB(child.pid)); }, 100);
    const code = await new Promise((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    const wallS = (performance.now() - t0) / 1000;
    const timing = JSON.parse(/\{"timing".*\}/.exec(stderr)?.[0] ?? '{}').timing ?? {};
    const steps = timing.steps ?? {};
    const traceBytes = statSync(trace, { throwIfNoEntry: false })?.size;
    const htmlBytes = statSync(html, { throwIfNoEntry: false })?.size;
    return {
      tasks, code, wallS: Math.round(wallS * 10) / 10, peakRssMiB: Math.round(peak),
      // "Tasks start within 0.5 s of the pool being ready": every worker ready (the runner sends tasks to a warm
      // pool, so on a loaded machine the first worker can wait for the last); from the first worker too.
      firstTaskAfterReadyMs: steps.firstTaskStartMs != null && steps.poolReadyMs != null ? Math.round(steps.firstTaskStartMs - steps.poolReadyMs) : null,
      firstTaskAfterFirstWorkerMs: steps.firstTaskStartMs != null && steps.firstWorkerReadyMs != null ? Math.round(steps.firstTaskStartMs - steps.firstWorkerReadyMs) : null,
      traceBytesPerTask: traceBytes != null ? Math.round(traceBytes / tasks) : null,
      htmlBytesPerTask: htmlBytes != null ? Math.round(htmlBytes / tasks) : null,
      outputProgressShown: /poolscope: writing trace/.test(stderr),
      ...(code !== 0 ? { error: stderr.split('\n').filter(Boolean).slice(-3).join(' | ') } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
