// @vscode/test-cli configuration (`npx vscode-test`) for machines where VS Code
// can be downloaded. It runs the same extension-API suite that
// test/vscode/run-in-code-server.sh runs inside code-server's extension host
// where it cannot (dist/test/suite/index.js declares its suites when loaded by
// this runner's mocha, and exports run() for extensionTestsPath loaders).
// Build first: npm run build.
import { defineConfig } from '@vscode/test-cli';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The tests write settings and scratch files into the workspace: give them a copy.
const workspaceFolder = mkdtempSync(join(tmpdir(), 'poolscope-vscode-ws-'));
cpSync('test/vscode/workspace', workspaceFolder, { recursive: true });
process.once('exit', () => rmSync(workspaceFolder, { recursive: true, force: true }));

export default defineConfig({
  label: 'extension-api',
  files: 'dist/test/suite/index.js',
  workspaceFolder,
  version: 'stable',
  mocha: { ui: 'tdd', timeout: 90_000, color: true },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
});
