/**
 * A private redis-server for one run of the `bullmq` backend when the user
 * gave no `--redis`: bound to 127.0.0.1 on a free port, no persistence, in its
 * own process group, stopped (and waited for) when the run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { RunnerError } from '../errors.js';

export interface LocalRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Error name when the binary is missing. */
export const REDIS_NOT_INSTALLED = 'RedisNotInstalled';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server and resolves once it accepts connections. @throws RunnerError RedisNotInstalled / RedisStartFailed */
export async function startLocalRedis(binary = 'redis-server', timeoutMs = 20_000): Promise<LocalRedis> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(binary, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
      '--protected-mode', 'yes', '--loglevel', 'notice'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const ready = await new Promise<{ ok: boolean; error?: string }>((resolve) => {
      let text = '';
      const timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
      const onData = (d: Buffer): void => {
        text += d.toString();
        if (/Ready to accept connections/i.test(text)) {
          clearTimeout(timer);
          resolve({ ok: true });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ ok: false, error: e.code === 'ENOENT' ? 'ENOENT' : e.message });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ ok: false, error: `exited with code ${code}: ${text.trim().split('\n').pop() ?? ''}` });
      });
    });
    if (ready.ok) {
      child.stdout!.resume();
      child.stderr!.resume();
      return { url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) };
    }
    await stopChild(child);
    if (ready.error === 'ENOENT') {
      throw new RunnerError(REDIS_NOT_INSTALLED, `the bullmq backend needs a Redis server: '${binary}' was not found. Install it `
        + '(Debian/Ubuntu: apt-get install redis-server) or pass --redis redis://host:port (setting poolscope.bullmq.redis) to use a running one');
    }
    lastError = ready.error ?? 'unknown';
  }
  throw new RunnerError('RedisStartFailed', `redis-server did not start: ${lastError}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => kill(child, 'SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    kill(child, 'SIGTERM');
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    try { child.kill(signal); } catch { /* gone */ }
  }
}
