// What the distributed backends need here and what the user is told (src/runner/engine-requirements.ts),
// and the poolscope.bullmq.redis setting check (src/runner/engine-addresses.ts): the pure parts the
// extension runs when a backend is picked and before a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const load = async (rel) => {
  const source = fileURLToPath(new URL(`../../src/runner/${rel}`, import.meta.url));
  const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
  return import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
};
const { checkRedisSetting, REDIS_PASSWORD_ENV } = await load('engine-addresses.ts');
const { missingEngine, findExecutable, daskInstallCommand, redisInstallCommand } = await load('engine-requirements.ts');

test('checkRedisSetting: empty is a private server; redis:// and rediss:// URLs pass as written', () => {
  assert.deepEqual(checkRedisSetting(''), { ok: true });
  assert.deepEqual(checkRedisSetting('  '), { ok: true });
  assert.deepEqual(checkRedisSetting('redis://10.0.0.5:6379'), { ok: true, url: 'redis://10.0.0.5:6379' });
  assert.deepEqual(checkRedisSetting('rediss://cache.internal:6380/2'), { ok: true, url: 'rediss://cache.internal:6380/2' });
});

test('checkRedisSetting: a URL of another scheme, or no URL at all → NotRedisUrl, naming the setting and an example', () => {
  for (const bad of ['http://10.0.0.5:6379', '10.0.0.5:6379', 'tcp://10.0.0.5:6379', 'redis://', 'redis://host:port', 'redis://a b:1']) {
    const r = checkRedisSetting(bad);
    assert.equal(r.ok, false, bad);
    assert.equal(r.reason, 'NotRedisUrl', bad);
    assert.match(r.message, /poolscope\.bullmq\.redis/);
    assert.match(r.message, /redis:\/\/10\.0\.0\.5:6379/);
  }
});

test('checkRedisSetting: credentials in the setting → CredentialsInSettings; the message never repeats the password', () => {
  for (const secret of ['redis://:hunter2@10.0.0.5:6379', 'redis://app:hunter2@10.0.0.5:6379', 'rediss://app@10.0.0.5']) {
    const r = checkRedisSetting(secret);
    assert.equal(r.ok, false, secret);
    assert.equal(r.reason, 'CredentialsInSettings', secret);
    assert.doesNotMatch(r.message, /hunter2|app@/);
    assert.match(r.message, new RegExp(REDIS_PASSWORD_ENV));
  }
  // Another scheme with credentials: refused as not Redis, still without the secret.
  const other = checkRedisSetting('http://u:hunter2@x:1');
  assert.equal(other.reason, 'NotRedisUrl');
  assert.doesNotMatch(other.message, /hunter2/);
});

test('missingEngine(py-dask): nothing missing when an interpreter imports Dask or a scheduler is set; else DaskNotInstalled with the command', async () => {
  const asked = [];
  const none = async (c) => { asked.push(c); return undefined; };
  assert.equal(await missingEngine('py-dask', { findDask: async () => ({ path: '/usr/bin/python3' }) }), undefined);
  assert.equal(await missingEngine('py-dask', { daskScheduler: 'tcp://10.0.0.5:8786', findDask: none }), undefined);
  assert.deepEqual(asked, [], 'a remote scheduler needs no local Dask: no interpreter is asked');

  const apt = await missingEngine('py-dask', { findDask: none, debian: true });
  assert.equal(apt.name, 'DaskNotInstalled');
  assert.equal(apt.installCommand, 'sudo apt-get install python3-distributed python3-dask');
  assert.match(apt.message, /Install it with: sudo apt-get install python3-distributed python3-dask/);
  assert.match(apt.message, /poolscope\.pythonPath/);
  assert.deepEqual(asked.at(-1), ['python3', '/usr/bin/python3', 'python'], 'the runner\'s own candidates when no interpreter is set');

  const venv = await missingEngine('py-dask', { pythonPath: '/home/me/.venv/bin/python', findDask: none, debian: true });
  assert.equal(venv.installCommand, '/home/me/.venv/bin/python -m pip install "dask[distributed]"', 'a chosen interpreter installs with its own pip');
  assert.deepEqual(asked.at(-1), ['/home/me/.venv/bin/python']);
});

test('missingEngine(bullmq): redis-server on PATH or a Redis URL → nothing missing; else RedisNotInstalled with the command', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'poolscope-engine-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'redis-server');
  writeFileSync(bin, '#!/bin/sh\n');
  chmodSync(bin, 0o755);
  assert.equal(findExecutable('redis-server', `/nonexistent${path.delimiter}${dir}`), bin);
  assert.equal(await missingEngine('bullmq', { pathEnv: dir, redisServer: 'redis-server' }), undefined);
  assert.equal(await missingEngine('bullmq', { pathEnv: '/nonexistent', redisUrl: 'redis://10.0.0.5:6379' }), undefined);

  const missing = await missingEngine('bullmq', { pathEnv: '/nonexistent', redisServer: 'redis-server', platform: 'linux', debian: true });
  assert.equal(missing.name, 'RedisNotInstalled');
  assert.equal(missing.installCommand, 'sudo apt-get install redis-server');
  assert.match(missing.message, /'redis-server' was not found on PATH/);
  assert.match(missing.message, /poolscope\.bullmq\.redis/);
  const mac = await missingEngine('bullmq', { pathEnv: '/nonexistent', redisServer: 'redis-server', platform: 'darwin' });
  assert.equal(mac.installCommand, 'brew install redis');
  const win = await missingEngine('bullmq', { pathEnv: '/nonexistent', redisServer: 'redis-server', platform: 'win32' });
  assert.equal(win.installCommand, '', 'no command to give where Redis has no native server');
  assert.match(win.message, /poolscope\.bullmq\.redis/);

  // A file that is not executable is not a redis-server.
  const plain = path.join(dir, 'not-exec');
  writeFileSync(plain, '');
  chmodSync(plain, 0o644);
  assert.equal(findExecutable(plain), undefined);
});

test('missingEngine: the pool backends need nothing', async () => {
  for (const b of ['thread', 'process', 'py-thread', 'py-process']) assert.equal(await missingEngine(b, { pathEnv: '', findDask: async () => undefined }), undefined);
  assert.equal(daskInstallCommand('python3', false), 'python3 -m pip install "dask[distributed]"');
  assert.equal(redisInstallCommand('linux', false), 'sudo dnf install redis');
});
