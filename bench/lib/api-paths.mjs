// The Python-shaped API against the engine it is built on (issue 17): the same
// trivial task through `createPool().submit()` and through each API path, on
// the thread backend, tracing on with the column subscriber the runner uses
// (configureRuntime({ onTraceColumns })). Each (path, round) runs in a fresh
// process (lib/measure.mjs → measureApiPath below); the paths take turns round
// by round, and every path's figure is paired with the engine's of the same
// round, so a busy neighbour moves both.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

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

/** Runs `path` over `tasks` items on a warm pool of `workers` threads; returns tasks/s, main-thread µs/task, main-wait spans. */
export async function measureApiPath({ path, tasks, workers, reps = 2 }) {
  const api = await import(API_BUNDLE);
  const { identity } = await import(TASKS_URL);
  let mainWaits = 0;
  api.configureRuntime({
    onTraceColumns: (columns) => {
      for (const e of columns.events) if (e.type === 'main-wait') mainWaits++;
    },
  });
  const items = Array.from({ length: tasks }, (_, i) => i);
  const pairs = items.map((x) => [x]);
  const check = (value, what) => {
    if (value !== true) throw new Error(`${path}: wrong results (${what})`);
  };

  let open;
  let run;
  if (path === 'engine submit()') {
    // The engine the API is built on, from the same bundle, traced the same way.
    const { createPool } = await import(new URL('../../dist/pool.mjs', import.meta.url).href);
    open = () => {
      const pool = createPool({ backend: 'thread', workers, module: TASKS_URL });
      pool.onTraceColumns(api.runtimeConfig().onTraceColumns);
      return { pool, close: () => pool.close() };
    };
    run = async ({ pool }) => {
      const pending = new Array(tasks);
      for (let i = 0; i < tasks; i++) pending[i] = pool.submit('identity', [i]).promise;
      const results = await Promise.all(pending);
      check(results[tasks - 1] === tasks - 1, 'last result');
    };
  } else if (path.startsWith('Pool.') || path.startsWith('applyAsync')) {
    open = () => {
      const pool = new api.Pool(workers, { backend: 'thread', module: TASKS_URL });
      return { pool, close: () => { pool.close(); return pool.join(); } };
    };
    run = {
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
  } else {
    open = () => {
      const ex = new api.ThreadPoolExecutor({ maxWorkers: workers, module: TASKS_URL });
      return { pool: ex, close: () => ex.shutdown() };
    };
    const submitAll = (ex) => {
      const fs = new Array(tasks);
      for (let i = 0; i < tasks; i++) fs[i] = ex.submit(identity, i);
      return fs;
    };
    run = {
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
  }
  if (!run) throw new Error(`unknown API path '${path}'`);

  const opened = open();
  try {
    // Warm: workers up, the task module checked, the JIT past its first tiers (its own run, like the measured ones).
    await run({ ...opened, warm: true });
    const tasksPerSec = [];
    const mainCpuUsPerTask = [];
    const spans = [];
    for (let r = 0; r < reps; r++) {
      const waits0 = mainWaits;
      const cpu0 = mainThreadCpuUs();
      const t0 = performance.now();
      await run(opened);
      const ms = performance.now() - t0;
      mainCpuUsPerTask.push((mainThreadCpuUs() - cpu0) / tasks);
      tasksPerSec.push(tasks / (ms / 1000));
      // Spans are delivered in batches; give the last one a turn to arrive.
      await new Promise((resolve) => setTimeout(resolve, 20));
      spans.push(mainWaits - waits0);
    }
    return { tasksPerSec, mainCpuUsPerTask, mainWaitSpans: spans };
  } finally {
    await opened.close();
  }
}
