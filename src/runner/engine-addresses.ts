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

/** Environment variable holding the Redis password, so it never has to be in a URL in settings or on a command line. */
export const REDIS_PASSWORD_ENV = 'POOLSCOPE_REDIS_PASSWORD';

/** The `poolscope.bullmq.redis` setting, checked: empty (a private redis-server per run), a usable URL, or why not. */
export type RedisSettingCheck =
  | { ok: true; url?: string }
  | { ok: false; reason: 'NotRedisUrl' | 'CredentialsInSettings'; message: string };

/** The URL with any user:password part replaced, for messages (a setting's secret is never echoed back). */
function redactUserInfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1•••@');
}

/**
 * Checks the Redis URL setting. Settings live in plain text (settings.json, possibly synced), so a URL
 * with credentials is refused: the password goes in {@link REDIS_PASSWORD_ENV} instead.
 */
export function checkRedisSetting(raw: string, setting = 'poolscope.bullmq.redis'): RedisSettingCheck {
  const value = raw.trim();
  if (!value) return { ok: true };
  if (!/^rediss?:\/\//i.test(value)) {
    return { ok: false, reason: 'NotRedisUrl', message: `the ${setting} setting must be a redis:// URL (rediss:// for TLS) like ${REDIS_URL_EXAMPLE}, or empty for a private redis-server per run; '${redactUserInfo(value)}' is not one` };
  }
  if (/^rediss?:\/\/[^/]*@/i.test(value)) {
    return { ok: false, reason: 'CredentialsInSettings', message: `the ${setting} setting holds credentials ('${redactUserInfo(value)}'): settings are stored in plain text and may be synced. `
      + `Give the URL without them (like ${REDIS_URL_EXAMPLE}) and put the password in the ${REDIS_PASSWORD_ENV} environment variable of the editor` };
  }
  if (!isRedisUrl(value)) {
    return { ok: false, reason: 'NotRedisUrl', message: `the ${setting} setting must look like ${REDIS_URL_EXAMPLE} (redis://host[:port][/db]), not '${value}'` };
  }
  return { ok: true, url: value };
}
