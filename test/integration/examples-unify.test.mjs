// examples/unify.ts — one PoolExecutor program: threads share one PID, processes have many.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, runExample, runCli, grab } from '../fixtures/api/examples.mjs';

const PAGES = 6;

function parse(stdout) {
  const rows = [...stdout.matchAll(/^Title of \/[\w-]+: "([^"]+)" \(PID: (\d+) ProcName: (\S+)\)$/gm)];
  return {
    rows: rows.map(([, title, pid, name]) => ({ pid: Number(pid), name, title })),
    mainPid: Number(grab(stdout, /main program PID: (\d+)/)),
    distinct: Number(grab(stdout, /distinct PIDs that ran tasks: (\d+)/)),
    backend: grab(stdout, /PoolExecutor on the '([\w-]+)' backend/),
  };
}

for (const backend of BACKENDS) {
  test(`examples/unify.ts on ${backend}: every page's title, and the PIDs the backend implies`, { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runExample('unify.ts', backend, 3);
    assert.equal(code, 0, stderr);
    const out = parse(stdout);
    assert.equal(out.backend, backend);
    assert.equal(out.rows.length, PAGES);
    assert.ok(out.rows.some((r) => r.title === 'Python multiprocessing'));
    assert.ok(out.rows.some((r) => r.title === 'The JavaScript event loop'));
    const pids = new Set(out.rows.map((r) => r.pid));
    assert.equal(out.distinct, pids.size);
    if (backend === 'process') {
      assert.ok(pids.size >= 2, `processes: expected ≥ 2 PIDs, got ${pids.size}`);
      assert.ok(!pids.has(out.mainPid), 'no task ran in the main program');
      for (const r of out.rows) assert.match(r.name, /^SpawnProcess-\d+$/);
    } else {
      assert.deepEqual([...pids], [out.mainPid], `${backend}: one PID, the main program's`);
      for (const r of out.rows) assert.equal(r.name, 'MainProcess');
    }
  });
}

for (const backend of ['thread', 'process']) {
  test(`poolscope run examples/unify.ts --backend ${backend} (the CLI's Run File): the same program, the PIDs the backend implies`, { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runCli(['run', 'examples/unify.ts', '--backend', backend, '--workers', '3']);
    assert.equal(code, 0, stderr + stdout);
    const out = parse(stdout);
    assert.equal(out.backend, backend);
    assert.equal(out.rows.length, PAGES);
    const pids = new Set(out.rows.map((r) => r.pid));
    if (backend === 'process') assert.ok(pids.size >= 2 && !pids.has(out.mainPid), `PIDs ${[...pids]} main ${out.mainPid}`);
    else assert.deepEqual([...pids], [out.mainPid]);
    // The tasks' own output (the seed's line) reaches the run's output too.
    assert.match(stdout, /^Getting title from 127\.0\.0\.1:\d+\/python PID: \d+ ProcName: (MainProcess|SpawnProcess-\d+)$/m);
  });
}
