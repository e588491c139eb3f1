/**
 * The extension-API test runner: the module `@vscode/test-electron` /
 * `@vscode/test-cli` (desktop VS Code) and run-mocha-in-code-server.sh
 * (code-server's extension host) load with `extensionTestsPath`. It exports
 * `run(): Promise<void>`, which rejects when a test failed.
 *
 * The test files are bundled into this one file (esbuild entry
 * test/vscode/suite/index.ts → dist/test/suite/index.js), so they cannot be
 * handed to mocha as files: each exports a function that declares its
 * suites, called after mocha's `pre-require` has installed the tdd globals.
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';
import { defineCommandTests } from './commands.test.js';
import { defineRunTests } from './runs.test.js';
import { defineStatusBarTests } from './status-bar.test.js';
import { defineDiagnosticsTests } from './diagnostics.test.js';
import { defineTrustTests } from './trust.test.js';
import { defineIsolationTests } from './isolation.test.js';
import { defineTimelineTests } from './timeline.test.js';
import { defineHistoryTests, defineScannerTests } from './scanner.test.js';
import { defineEditorTests } from './editor.test.js';
import { defineLoadTests } from './load.test.js';
import { definePythonTests } from './python.test.js';
import { defineDistributedTests } from './distributed.test.js';
import { defineWarmClickTests } from './warm-click.test.js';

function defineAll(): void {
  defineScannerTests();
  defineHistoryTests();
  defineCommandTests();
  defineStatusBarTests();
  defineRunTests();
  defineEditorTests();
  defineDiagnosticsTests();
  defineTrustTests();
  defineIsolationTests();
  defineTimelineTests();
  defineWarmClickTests();
  definePythonTests();
  defineDistributedTests();
  defineLoadTests();
}

// Loaded as a test *file* by @vscode/test-cli's own mocha (.vscode-test.mjs), the tdd
// globals already exist: declare the suites now. Loaded as extensionTestsPath, run() does it.
if (typeof (globalThis as { suite?: unknown }).suite === 'function') defineAll();

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 90_000, grep: process.env.POOLSCOPE_TEST_GREP });
  mocha.suite.emit('pre-require', globalThis, 'poolscope-suite', mocha);
  defineAll();

  return new Promise((resolve, reject) => {
    const results: { title: string; state: string; error?: string }[] = [];
    const runner = mocha.run((failures) => {
      const passed = results.filter((r) => r.state === 'passed').length;
      // The extension host inherits code-server's environment: hand a machine-readable result to the caller.
      const file = process.env.E2E_MOCHA_RESULTS;
      if (file) fs.writeFileSync(file, JSON.stringify({ passed, failed: failures, tests: results }, null, 2));
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed' }));
    runner.on('fail', (t, err: Error) => results.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }));
  });
}
