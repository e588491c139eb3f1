/**
 * Addresses of distributed engines PoolScope connects to, checked the same
 * way by the CLI flags and the extension settings before anything starts.
 */

/** A Dask scheduler address as Dask's Client takes it: tcp://host:port (or tls://, ucx://, inproc://). */
export function isDaskSchedulerAddress(value: string): boolean {
  return /^(tcp|tls|ucx|inproc):\/\/[^\s/]+:\d{1,5}$/.test(value);
}

export const DASK_SCHEDULER_EXAMPLE = 'tcp://10.0.0.5:8786';

/** A Redis URL as ioredis takes it: redis://[user[:password]@]host:port[/db], or rediss:// for TLS. */
export function isRedisUrl(value: string): boolean {
  return /^rediss?:\/\/([^\s@/]+@)?[^\s@/:]+(:\d{1,5})?(\/\d{1,2})?$/.test(value);
}

export const REDIS_URL_EXAMPLE = 'redis://10.0.0.5:6379';
