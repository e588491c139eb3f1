// The soak (issue 9): 1 000 000 trivial tasks per backend with 0.1 % seeded
// crashes. Each backend runs in its own fresh process (soak-child.mjs), which
// owns the pool, so its RSS is the pool's process RSS, and its leak checks
// (handles, threads, child processes) see only what that pool left behind.
import { fileURLToPath } from 'node:url';
import { measureInChild } from './lib/fork-measure.mjs';

const SOAK_CHILD = fileURLToPath(new URL('./lib/soak-child.mjs', import.meta.url));

export const SOAK_DEFAULTS = { crashRate: 0.001, seed: 20261126, workers: 2, window: 10_000 };

export async function runSoak({ progress, tasks = 1_000_000, backends } = {}) {
  const list = backends ?? ['thread', 'process', 'event-loop', 'serial'];
  const out = { date: new Date().toISOString(), node: process.version, tasks, ...SOAK_DEFAULTS, backends: {} };
  for (const backend of list) {
    progress?.(`soak ${backend}: ${tasks} tasks, ${SOAK_DEFAULTS.crashRate * 100} % crashes`);
    const reply = await measureInChild({ backend, tasks, ...SOAK_DEFAULTS }, { entry: SOAK_CHILD, timeoutMs: 30 * 60_000 });
    out.backends[backend] = reply.ok ? reply.result : { error: reply.error.split('\n')[0] };
    progress?.(`soak ${backend}: ${JSON.stringify(out.backends[backend])}`);
  }
  return out;
}
