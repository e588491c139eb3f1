/**
 * What the distributed backends need on this machine, and what to tell a user
 * who lacks it: Dask distributed for `py-dask` (unless a scheduler elsewhere is
 * set), a `redis-server` binary for `bullmq` (unless a Redis URL is set). The
 * extension checks when the user picks such a backend and before a run, so
 * the message names the command to run instead of a run failing later. No
 * user code runs here: an interpreter is asked to `import distributed`, PATH
 * is searched for `redis-server`.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DASK_CANDIDATES, findDaskPython } from './python/interpreters.js';

export interface MissingEngine {
  /** Stable name, the same the runner fails with. */
  name: 'DaskNotInstalled' | 'RedisNotInstalled';
  message: string;
  /** The one command that installs what is missing here (shown, and copied on request); '' when there is none to give. */
  installCommand: string;
}

export interface EngineCheckOptions {
  /** The interpreter the user set ('' / undefined = the default candidates, as the runner tries them). */
  pythonPath?: string;
  /** py-dask: an existing scheduler (nothing local is needed). */
  daskScheduler?: string;
  /** bullmq: an existing Redis (no local redis-server is needed). */
  redisUrl?: string;
  /** The redis-server binary the runner would start. @default POOLSCOPE_REDIS_SERVER or 'redis-server' */
  redisServer?: string;
  /** @default process.env.PATH */
  pathEnv?: string;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** Debian/Ubuntu (apt). @default whether /etc/debian_version exists */
  debian?: boolean;
  /** For tests: how an interpreter is asked for Dask. @default findDaskPython */
  findDask?: (candidates: string[]) => Promise<{ path: string } | undefined>;
}

/** The command that installs Dask distributed for `python`. */
export function daskInstallCommand(python: string, debian: boolean): string {
  // Debian's python3-distributed is for the system interpreter; any other one installs with its own pip.
  return debian && (python === 'python3' || python === '/usr/bin/python3')
    ? 'sudo apt-get install python3-distributed python3-dask'
    : `${python} -m pip install "dask[distributed]"`;
}

/** The command that installs redis-server here ('' on Windows, where Redis has no native server: use one elsewhere). */
export function redisInstallCommand(platform: NodeJS.Platform, debian: boolean): string {
  if (platform === 'darwin') return 'brew install redis';
  if (platform === 'win32') return '';
  return debian ? 'sudo apt-get install redis-server' : 'sudo dnf install redis';
}

/** The path of `binary` when it names an executable file directly or on PATH, else undefined. */
export function findExecutable(binary: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  const runnable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (binary.includes('/')) return runnable(binary) ? binary : undefined;
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (runnable(candidate)) return candidate;
  }
  return undefined;
}

/** What `backend` lacks on this machine, or undefined when it can run (or is not a distributed backend). */
export async function missingEngine(backend: string, o: EngineCheckOptions = {}): Promise<MissingEngine | undefined> {
  const debian = o.debian ?? existsSync('/etc/debian_version');
  if (backend === 'py-dask') {
    if (o.daskScheduler) return undefined;
    const candidates = o.pythonPath ? [o.pythonPath] : DASK_CANDIDATES;
    if (await (o.findDask ?? findDaskPython)(candidates)) return undefined;
    const python = o.pythonPath || 'python3';
    const installCommand = daskInstallCommand(python, debian);
    return {
      name: 'DaskNotInstalled', installCommand,
      message: `py-dask needs Dask distributed, and ${o.pythonPath ? `${o.pythonPath} (poolscope.pythonPath)` : `none of ${candidates.join(', ')}`} can import it. `
        + `Install it with: ${installCommand}${o.pythonPath ? '' : ' — or set poolscope.pythonPath to an interpreter that has it'}; `
        + 'or set poolscope.dask.scheduler to a running Dask cluster.',
    };
  }
  if (backend === 'bullmq') {
    if (o.redisUrl) return undefined;
    const binary = o.redisServer ?? (process.env.POOLSCOPE_REDIS_SERVER || 'redis-server');
    if (findExecutable(binary, o.pathEnv)) return undefined;
    const installCommand = redisInstallCommand(o.platform ?? process.platform, debian);
    return {
      name: 'RedisNotInstalled', installCommand,
      message: `bullmq starts a private Redis server for each run, and '${binary}' was not found on PATH. `
        + `${installCommand ? `Install it with: ${installCommand}; or ` : 'Redis has no native Windows server: '}set poolscope.bullmq.redis to a running Redis server (redis://host:port).`,
    };
  }
  return undefined;
}
