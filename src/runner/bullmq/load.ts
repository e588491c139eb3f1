/**
 * Loads the bullmq backend's run side from its own bundle next to the
 * runner's (dist/bullmq-run.js), so BullMQ and ioredis are parsed only by runs
 * that use them, not on every run's start-up path.
 */
import { join } from 'node:path';

type BullmqRunModule = typeof import('./bullmq-run.js');

export function loadBullmq(): BullmqRunModule {
  // A computed path: the bundler must leave this require to run time.
  const file = join(__dirname, 'bullmq-run.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as BullmqRunModule;
}
