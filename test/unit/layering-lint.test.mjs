// The layering rules of docs/architecture.md are lint rules (eslint.config.mjs):
// each test lints a one-line file placed where it would break a rule and expects
// no-restricted-imports to name it; the same import from an allowed place passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages for `code` as if it were the file at `path`. */
async function restricted(path, code) {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: `${root}/${path}` });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('src/extension importing webview/ fails lint', async () => {
  const messages = await restricted('src/extension/layering-probe.ts', "import { x } from '../../webview/app.js';");
  assert.equal(messages.length, 1);
  assert.match(messages[0], /src\/ may not import webview\//);
});

test('src/trace importing webview/ fails lint', async () => {
  const messages = await restricted('src/trace/layering-probe.ts', "import { x } from '../../webview/host.js';");
  assert.equal(messages.length, 1);
});

test('webview importing a Node built-in or a Node-only layer fails lint', async () => {
  assert.equal((await restricted('webview/layering-probe.ts', "import { x } from 'node:fs';")).length, 1);
  assert.equal((await restricted('webview/layering-probe.ts', "import { x } from 'child_process';")).length, 1);
  assert.equal((await restricted('webview/layering-probe.ts', "import { x } from '../src/runner/launch.js';")).length, 1);
  assert.equal((await restricted('webview/layering-probe.ts', "import { x } from '../src/pool/index.js';")).length, 1);
});

test('src/common importing Node or the engine fails lint', async () => {
  assert.equal((await restricted('src/common/layering-probe.ts', "import { x } from 'node:crypto';")).length, 1);
  assert.equal((await restricted('src/common/layering-probe.ts', "import { x } from '../pool/clock.js';")).length, 1);
});

test('the allowed directions pass lint', async () => {
  assert.deepEqual(await restricted('webview/layering-probe.ts', "import { x } from '../src/common/format.js';"), []);
  assert.deepEqual(await restricted('webview/layering-probe.ts', "import { x } from '../src/trace/stats.js';"), []);
  assert.deepEqual(await restricted('src/extension/layering-probe.ts', "import { x } from '../common/webview-protocol.js';"), []);
  assert.deepEqual(await restricted('src/extension/layering-probe.ts', "import { x } from 'vscode';"), []);
  assert.deepEqual(await restricted('src/cli/layering-probe.ts', "import { x } from 'node:fs';"), []);
});

test('only src/extension imports vscode', async () => {
  assert.equal((await restricted('src/runner/layering-probe.ts', "import { x } from 'vscode';")).length, 1);
  assert.equal((await restricted('webview/layering-probe.ts', "import { x } from 'vscode';")).length, 1);
});

test('src/common importing the trace library above it fails lint; the contract (events.ts) passes', async () => {
  const messages = await restricted('src/common/layering-probe.ts', "import { x } from '../trace/trace-model.js';");
  assert.equal(messages.length, 1);
  assert.match(messages[0], /only the contract/);
  assert.deepEqual(await restricted('src/common/layering-probe.ts', "import { x } from '../trace/events.js';"), []);
});
