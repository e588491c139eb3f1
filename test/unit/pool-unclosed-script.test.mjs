// An idle pool does not keep the process alive: a script that never closes its pool ends when its own
// work is done (no worker left behind), and one that awaits close() still gets to the line after it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../fixtures/pool/unclosed-script.mjs', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/pool.mjs', import.meta.url));

function runScript(args, ms = 20_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...process.env, POOLSCOPE_POOL_BUNDLE: BUNDLE }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

for (const backend of ['thread', 'process', 'event-loop']) {
  for (const ending of ['never closed', 'close']) {
    test(`${backend}, pool ${ending}: the script prints its results and exits 0 by itself`, async () => {
      const r = await runScript([backend, ending === 'close' ? 'close' : 'open']);
      assert.equal(r.signal, null, `the script was still running after 20 s (killed): ${r.stdout}${r.stderr}`);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /results 1,4,9/);
      if (ending === 'close') assert.match(r.stdout, /closed/);
      const pids = (r.stdout.match(/worker pids ([\d,]*)/)?.[1] ?? '').split(',').filter(Boolean).map(Number);
      assert.ok(pids.length >= 1, r.stdout);
      if (backend === 'process') {
        // Forked workers notice their parent's IPC channel close and exit.
        for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((res) => setTimeout(res, 100));
        assert.deepEqual(pids.filter(alive), [], 'worker processes left running');
      }
    });
  }
}
