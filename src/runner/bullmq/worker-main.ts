/**
 * A PoolScope BullMQ worker (dist/bullmq-worker.js), started by
 * `poolscope worker --redis redis://host:port file.ts` on any machine, or by
 * the run itself for local workers. It bundles the user's file like the
 * runner does, takes jobs from the queue with BullMQ (`--concurrency` at a
 * time), calls the named export, and reports where and when each job ran on
 * the Redis server's clock. User code runs here, never in the CLI process.
 */
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Worker, type Job } from 'bullmq';
import { bundleUserFile } from '../bundle.js';
import { importUserModule, LoadFailure } from '../user-module.js';
import { epochUs, measureRedisOffset, type ClockOffset } from './redis-clock.js';
import { REDIS_PASSWORD_ENV } from '../engine-addresses.js';
import { isTaskJobData, readyChannel, type JobTiming, type TaskJobResult, type WorkerHello } from './job-protocol.js';

/** How often the clock offset to Redis is measured again (clocks drift). */
const RECLOCK_MS = 10_000;
/** A job whose worker stops renewing its lock for this long is stalled and goes back to the queue (BullMQ's own rule). */
export const LOCK_DURATION_MS = 5000;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2), allowPositionals: true, strict: true,
    options: { redis: { type: 'string' }, queue: { type: 'string' }, concurrency: { type: 'string' }, 'cache-dir': { type: 'string' } },
  });
  const file = positionals[0];
  if (!file || !values.redis || !values.queue) throw new Error('usage: bullmq-worker --redis <url> --queue <name> [--concurrency n] <file>');
  const concurrency = Math.max(1, Number(values.concurrency ?? 1) || 1);
  const bundle = await bundleUserFile({ file, cacheDir: values['cache-dir'] });
  const namespace = await importUserModule(bundle, file);

  const password = process.env[REDIS_PASSWORD_ENV] || undefined;
  const connection = (): Redis => new Redis(values.redis!, { maxRetriesPerRequest: null, lazyConnect: false, ...(password ? { password } : {}) });
  const clockClient = connection();
  let clock: ClockOffset = await measureRedisOffset(clockClient, epochUs);
  const reclock = setInterval(() => { void measureRedisOffset(clockClient, epochUs).then((c) => { clock = c; }, () => undefined); }, RECLOCK_MS);
  reclock.unref();
  const host = hostname();
  const name = `${host}:${process.pid}:${threadId}`;
  const redisNow = (): number => epochUs() - clock.offsetUs;
  const timing = (startUs: number, cpu0: NodeJS.CpuUsage): JobTiming => {
    const cpu = process.cpuUsage(cpu0);
    return { host, pid: process.pid, threadId, worker: name, startUs, endUs: redisNow(), clockOffsetUs: clock.offsetUs, clockRttUs: clock.rttUs,
      // With several jobs at once the process's CPU time is shared between them: only one job's own is exact.
      ...(concurrency === 1 ? { cpuUs: cpu.user + cpu.system } : {}) };
  };

  const worker = new Worker(values.queue, async (job: Job) => {
    if (!isTaskJobData(job.data)) throw new TypeError('not a PoolScope task job (data must be { runId, taskId, fn, args })');
    const fn = namespace[job.data.fn];
    if (typeof fn !== 'function') throw new TypeError(`${job.data.fn} is not an exported function of ${file}`);
    const cpu0 = process.cpuUsage();
    const startUs = redisNow();
    try {
      const value: unknown = await (fn as (...a: unknown[]) => unknown)(...job.data.args);
      const result: TaskJobResult = { poolscope: 1, value, timing: timing(startUs, cpu0) };
      return result;
    } catch (e) {
      await job.updateProgress({ poolscope: 1, timing: timing(startUs, cpu0) }).catch(() => undefined);
      throw e;
    }
  }, { connection: connection(), concurrency, name, lockDuration: LOCK_DURATION_MS, stalledInterval: LOCK_DURATION_MS, maxStalledCount: 1 });
  worker.on('error', (e) => process.stderr.write(`poolscope worker ${name}: ${e.message}\n`));
  await worker.waitUntilReady();
  const hello: WorkerHello = { host, pid: process.pid, threadId, worker: name, readyUs: redisNow(), clockOffsetUs: clock.offsetUs,
    clockRttUs: clock.rttUs, concurrency };
  await clockClient.publish(readyChannel(values.queue), JSON.stringify(hello));
  process.stderr.write(`poolscope worker ${name}: taking jobs from queue '${values.queue}' (concurrency ${concurrency})\n`);

  let closing = false;
  const close = (code: number): void => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(code), 3000);
    force.unref();
    void worker.close().finally(() => { clockClient.disconnect(); process.exit(code); });
  };
  process.on('SIGTERM', () => close(0));
  process.on('SIGINT', () => close(0));
  // Started by a run (forked with IPC): its end, however it ends, ends this worker.
  if (process.send) process.on('disconnect', () => close(0));
}

main().catch((e: unknown) => {
  const err = e instanceof LoadFailure ? e.error : e as Error;
  process.stderr.write(`poolscope worker: ${err.name}: ${err.message}\n`);
  process.exit(2);
});
