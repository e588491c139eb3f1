/**
 * Where dist/worker.js is: next to the bundle this code was built into. The
 * engine is bundled both as CommonJS (runner.js, extension.js …) and as ESM
 * (pool.mjs, api.mjs), so both ways of finding "my own directory" are needed.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Overrides the location (tests, unusual layouts). */
export const WORKER_SCRIPT_ENV = 'POOLSCOPE_WORKER_SCRIPT';

export function workerScriptPath(): string {
  const override = process.env[WORKER_SCRIPT_ENV];
  if (override) return override;
  if (typeof __dirname === 'string') return join(__dirname, 'worker.js');
  // @ts-expect-error -- import.meta exists in the ESM bundles, which are the only place this line runs.
  return join(dirname(fileURLToPath(import.meta.url as string)), 'worker.js');
}
