// Runs one measurement spec in a fresh Node process (lib/measure.mjs) and
// returns its result; a measurement that hangs is killed and reported, so one
// broken pool cannot stall the whole bench.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MEASURE = fileURLToPath(new URL('./measure.mjs', import.meta.url));

export function measureInChild(spec, { timeoutMs = 120_000, entry = MEASURE } = {}) {
  return new Promise((resolve) => {
    const child = fork(entry, [JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let reply = null;
    const timer = setTimeout(() => {
      reply ??= { ok: false, error: `timed out after ${timeoutMs} ms` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m) => { reply ??= m; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(reply ?? { ok: false, error: `measurement exited (code ${code}, signal ${signal}) without a result` });
    });
  });
}
