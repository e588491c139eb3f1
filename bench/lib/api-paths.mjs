// The Python-shaped API against the engine it is built on (issue 17): the same
// trivial task through `createPool().submit()` and through each API path, on
// the thread backend, tracing on with the column subscriber the runner uses
// (configureRuntime({ onTraceColumns })). Each (path, round) runs in a fresh
// process (lib/measure.mjs → measureApiPath below) that holds a warm engine pool
// and a warm pool of the path side by side and measures them in turns, rep by
// rep: each ratio pairs runs a fraction of a second apart, so a busy neighbour
// (which moves single runs by ±25 % on a 2-core machine) moves both sides.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './stats.mjs';

const TASKS_URL = new URL('../tasks.mjs', import.meta.url).href;
const API_BUNDLE = fileURLToPath(new URL('../../dist/api.mjs', import.meta.url));

/** The paths measured, in table order. Each submits every task at once, then collects them the way its name says. */
export const API_PATHS = [
  'engine submit()',
  'Pool.map',
  'Pool.starmap',
  'Pool.imap',
  'Pool.imapUnordered',
  'applyAsync().get()',
  'submit().result()',
  'asCompleted',
  'wait',
];

/** CPU time (µs) of this process's main thread: the one that feeds the workers, records the trace and runs the API. */
function mainThreadCpuUs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

/**
 * How `path` opens its pool and runs `tasks` items through it (every task submitted at once, then collected the
 * way the path's name says). `check` throws on a wrong result.
 */
function pathRunner(api, identity, path, tasks, workers) {
  const items = Array.from({ length: tasks }, (_, i) => i);
  const pairs = items.map((x) => [x]);
  const check = (value, what) => {
    if (value !== true) throw new Error(`${path}: wrong results (${what})`);
  };
  if (path === 'engine submit()') {
    return {
      // The engine the API is built on, from the same bundle, traced the same way.
      open: async () => {
        const { createPool } = await import(new URL('../../dist/pool.mjs', import.meta.url).href);
        const pool = createPool({ backend: 'thread', workers, module: TASKS_URL });
        pool.onTraceColumns(api.runtimeConfig().onTraceColumns);
        return { pool, close: () => pool.close() };
      },
      run: async ({ pool }) => {
        const pending = new Array(tasks);
        for (let i = 0; i < tasks; i++) pending[i] = pool.submit('identity', [i]).promise;
        const results = await Promise.all(pending);
        check(results[tasks - 1] === tasks - 1, 'last result');
      },
    };
  }
  if (path.startsWith('Pool.') || path.startsWith('applyAsync')) {
    const run = {
      'Pool.map': async ({ pool }) => check((await pool.map(identity, items))[tasks - 1] === tasks - 1, 'map'),
      'Pool.starmap': async ({ pool }) => check((await pool.starmap(identity, pairs))[tasks - 1] === tasks - 1, 'starmap'),
      'Pool.imap': async ({ pool }) => {
        let n = 0;
        for await (const y of pool.imap(identity, items)) if (y === n) n++;
        check(n === tasks, 'imap order');
      },
      'Pool.imapUnordered': async ({ pool }) => {
        let sum = 0;
        for await (const y of pool.imapUnordered(identity, items)) sum += y;
        check(sum === (tasks * (tasks - 1)) / 2, 'imapUnordered sum');
      },
      'applyAsync().get()': async ({ pool }) => {
        const rs = new Array(tasks);
        for (let i = 0; i < tasks; i++) rs[i] = pool.applyAsync(identity, [i]);
        let n = 0;
        for (let i = 0; i < tasks; i++) if ((await rs[i].get()) === i) n++;
        check(n === tasks, 'get');
      },
    }[path];
    return run && {
      open: async () => {
        const pool = new api.Pool(workers, { backend: 'thread', module: TASKS_URL });
        return { pool, close: () => { pool.close(); return pool.join(); } };
      },
      run,
    };
  }
  const submitAll = (ex) => {
    const fs = new Array(tasks);
    for (let i = 0; i < tasks; i++) fs[i] = ex.submit(identity, i);
    return fs;
  };
  const run = {
    'submit().result()': async ({ pool }) => {
      const fs = submitAll(pool);
      let n = 0;
      for (let i = 0; i < tasks; i++) if ((await fs[i].result()) === i) n++;
      check(n === tasks, 'result');
    },
    asCompleted: async ({ pool }) => {
      const fs = submitAll(pool);
      let n = 0;
      for await (const f of api.asCompleted(fs)) if (f.done()) n++;
      check(n === tasks, 'asCompleted');
    },
    wait: async ({ pool }) => {
      const fs = submitAll(pool);
      const { done, notDone } = await api.wait(fs);
      check(done.size === tasks && notDone.size === 0, 'wait');
    },
  }[path];
  return run && {
    open: async () => {
      const ex = new api.ThreadPoolExecutor({ maxWorkers: workers, module: TASKS_URL });
      return { pool: ex, close: () => ex.shutdown() };
    },
    run,
  };
}

/**
 * Runs `path` and the engine over `tasks` items each, on two warm pools of `workers` threads in this process, in
 * turns (engine, path, path, engine, …: neither always goes first) for `reps` runs each. Returns, for the path and
 * for the engine, tasks/s and main-thread µs/task per run, and the path's main-wait spans per run; `pairRatios`
 * are each path run's tasks/s ÷ that of the engine run next to it, `vsEngine` their median.
 */
export async function measureApiPath({ path, tasks, workers, reps = 4 }) {
  const api = await import(API_BUNDLE);
  const { identity } = await import(TASKS_URL);
  let mainWaits = 0;
  api.configureRuntime({
    onTraceColumns: (columns) => {
      for (const e of columns.events) if (e.type === 'main-wait') mainWaits++;
    },
  });
  const subject = pathRunner(api, identity, path, tasks, workers);
  if (!subject) throw new Error(`unknown API path '${path}'`);
  const sides = path === 'engine submit()' ? [subject] : [pathRunner(api, identity, 'engine submit()', tasks, workers), subject];
  const opened = [];
  try {
    for (const side of sides) opened.push(await side.open());
    // Warm: workers up, the task module checked, the JIT past its first tiers (its own run, like the measured ones).
    for (let k = 0; k < sides.length; k++) await sides[k].run(opened[k]);
    const figures = sides.map(() => ({ tasksPerSec: [], mainCpuUsPerTask: [], mainWaitSpans: [] }));
    for (let r = 0; r < reps; r++) {
      // ABBA: each side goes first in every other pair of runs.
      const order = r % 2 === 0 ? sides.map((_, k) => k) : sides.map((_, k) => sides.length - 1 - k);
      for (const k of order) {
        const waits0 = mainWaits;
        const cpu0 = mainThreadCpuUs();
        const t0 = performance.now();
        await sides[k].run(opened[k]);
        const ms = performance.now() - t0;
        figures[k].mainCpuUsPerTask.push((mainThreadCpuUs() - cpu0) / tasks);
        figures[k].tasksPerSec.push(tasks / (ms / 1000));
        // Spans are delivered in batches; give the last one a turn to arrive.
        await new Promise((resolve) => setTimeout(resolve, 20));
        figures[k].mainWaitSpans.push(mainWaits - waits0);
      }
    }
    const mine = figures[figures.length - 1];
    const engine = figures[0];
    // Run r of the path against run r of the engine: the two ran back to back.
    const pairRatios = mine.tasksPerSec.map((x, r) => x / engine.tasksPerSec[r]);
    return { ...mine, engine, pairRatios, vsEngine: median(pairRatios), cpuVsEngine: median(engine.mainCpuUsPerTask) / median(mine.mainCpuUsPerTask) };
  } finally {
    for (const o of opened) await o.close();
  }
}
