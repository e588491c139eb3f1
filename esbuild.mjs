// Bundles every entry point. `tsc --noEmit` type-checks separately (npm run typecheck).
// Node entries share one rule: everything in dist/ sits side by side, so code can find
// its siblings (worker.js, runner.js, api.mjs, webview.js) next to its own file.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';

/** The timeline webview bundle (minified) must stay under this. */
const WEBVIEW_BUDGET_KB = 250;

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  target: 'node20',
  platform: 'node',
  // esbuild is native and needed at run time to bundle user files: never bundle it.
  external: ['vscode', 'esbuild'],
  // src/pool/backends/worker-script.ts reads import.meta.url only in the ESM bundles (guarded by typeof __dirname).
  logOverride: { 'empty-import-meta': 'silent' },
};

/** @type {esbuild.BuildOptions[]} */
const entries = [
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', format: 'cjs' },
  { entryPoints: ['src/runner/runner.ts'], outfile: 'dist/runner.js', format: 'cjs' },
  // A BullMQ worker (the bullmq backend): started by a run, or by `poolscope worker` on any machine.
  { entryPoints: ['src/runner/bullmq/worker-main.ts'], outfile: 'dist/bullmq-worker.js', format: 'cjs' },
  // The bullmq backend's run side, loaded by the runner only when asked for (BullMQ + ioredis are ~2 MB: not on every run's start-up path).
  { entryPoints: ['src/runner/bullmq/bullmq-run.ts'], outfile: 'dist/bullmq-run.js', format: 'cjs' },
  { entryPoints: ['src/pool/worker-runtime.ts'], outfile: 'dist/worker.js', format: 'cjs' },
  { entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', format: 'cjs', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/api/index.ts'], outfile: 'dist/api.mjs', format: 'esm' },
  { entryPoints: ['src/pool/index.ts'], outfile: 'dist/pool.mjs', format: 'esm' },
  { entryPoints: ['src/trace/index.ts'], outfile: 'dist/trace.mjs', format: 'esm' },
  // Python backends + CPU sampler as a library (tests, CLI tooling); esm has no __dirname, so define it.
  {
    entryPoints: ['src/runner/python/index.ts'], outfile: 'dist/python.mjs', format: 'esm',
    banner: { js: "import { fileURLToPath as __psUrlToPath } from 'node:url'; import { dirname as __psDirname } from 'node:path'; const __dirname = __psDirname(__psUrlToPath(import.meta.url));" },
  },
  { entryPoints: ['test/vscode/suite/index.ts'], outfile: 'dist/test/suite/index.js', format: 'cjs', external: ['vscode', 'esbuild', 'mocha'] },
  // The timeline webview as shipped (no test hook) and as the webview tests load it (window.__poolscope).
  {
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', format: 'iife',
    platform: 'browser', target: 'es2022', external: [], define: { POOLSCOPE_TEST_HOOK: 'false' }, minify: true, loader: { '.svg': 'text' },
  },
  {
    entryPoints: ['webview/main.ts'], outfile: 'dist/test/webview.js', format: 'iife',
    platform: 'browser', target: 'es2022', external: [], define: { POOLSCOPE_TEST_HOOK: 'true' }, minify: true, loader: { '.svg': 'text' },
  },
  // The webview's DOM-free parts (model, painter, zoom…), importable by node tests.
  { entryPoints: ['webview/testing.ts'], outfile: 'dist/test/webview-lib.mjs', format: 'esm', platform: 'neutral', mainFields: ['module', 'main'] },
  // The host⇄webview protocol validators, importable by node tests.
  { entryPoints: ['src/common/webview-protocol.ts'], outfile: 'dist/webview-protocol.mjs', format: 'esm' },
].filter((e) => e.entryPoints.every((p) => existsSync(p)));

mkdirSync('dist', { recursive: true });
// The Python runner ships as source next to the bundles: dist/python/*.py.
mkdirSync('dist/python', { recursive: true });
for (const f of readdirSync('src/runner/python').filter((n) => n.endsWith('.py'))) {
  copyFileSync(`src/runner/python/${f}`, `dist/python/${f}`);
}
// Types of the ESM bundles for the tests that import them (tsconfig.tests.json): each dist/x.d.mts
// re-exports its entry's TypeScript source, so `npm run typecheck:tests` checks the tests against the real API.
for (const e of entries.filter((x) => x.format === 'esm')) {
  const depth = e.outfile.split('/').length - 1;
  const source = `${'../'.repeat(depth)}${e.entryPoints[0].replace(/\.ts$/, '.js')}`;
  mkdirSync(e.outfile.slice(0, e.outfile.lastIndexOf('/')), { recursive: true });
  writeFileSync(e.outfile.replace(/\.mjs$/, '.d.mts'), `// Written by esbuild.mjs: types of ${e.outfile} for the tests (tsconfig.tests.json).\nexport * from '${source}';\n`);
}
const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // The shipped webview bundle has a budget: print its size, fail the build above it.
  const size = statSync('dist/webview.js').size;
  console.log(`dist/webview.js: ${(size / 1024).toFixed(1)} KB minified (budget ${WEBVIEW_BUDGET_KB} KB)`);
  if (size > WEBVIEW_BUDGET_KB * 1024) {
    console.error(`dist/webview.js is over its ${WEBVIEW_BUDGET_KB} KB budget`);
    process.exitCode = 1;
  }
}
