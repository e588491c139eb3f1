// Progress (done/total, rate, ETA) goes to stderr only when stderr is a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { CLI, ROOT, fixture, processesTagged, runCli } from '../fixtures/cli/run-cli.mjs';

const args = ['run', fixture('../../../examples/cpu-bound.ts'), '--fn', 'cpuTask', '--inputs', 'range(80)', '--backend', 'thread', '--workers', '2'];

test('not a terminal (pipe): no progress line on stderr', async () => {
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /ETA/);
  assert.deepEqual(r.leftover, []);
});

// util-linux `script` gives the CLI a pseudo-terminal.
const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p)) ?? '';
test('terminal (pty via script): "n/80 tasks · rate/s · ETA" redrawn on stderr', { skip: script ? false : 'util-linux script not installed' }, () => {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const tag = randomUUID();
  const r = spawnSync(script, ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, POOLSCOPE_TEST_TAG: tag } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(processesTagged(tag), []);
  assert.match(r.stdout, /\r\x1b\[K\d+\/80 tasks · \d+\.\d\/s · ETA \d+\.\d s/);
});
