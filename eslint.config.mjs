// Lint: typescript-eslint's recommended rules, the convention of VS Code extensions,
// plus the layering rules of docs/architecture.md ("Layout"), enforced with no-restricted-imports.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const vscodeOnlyInExtension = { name: 'vscode', message: 'Only src/extension may import vscode.' };
/** Node's built-in modules, bare and `node:` prefixed: not available in a webview or a browser page. */
const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`])
  .map((name) => ({ name, message: 'Code that runs in the webview or the browser may not use Node built-ins.' }));
const noWebviewFromSrc = {
  group: ['**/webview/**', '**/webview'],
  message: 'src/ may not import webview/: shared contracts live in src/common/ (or src/trace/).',
};
/** src/common sits between the contract and the trace library (docs/architecture.md, Layers). */
const commonBelowTrace = {
  group: ['../trace/*', '../trace/**', '!../trace/events.js'],
  message: 'src/common sits under the trace library: from src/trace it imports only the contract (events.ts).',
};
/** Code the webview bundles: only the pure layers (src/trace, src/common) and its own folder. */
const nodeOnlyLayers = {
  group: ['**/src/pool/**', '**/src/api/**', '**/src/runner/**', '**/src/cli/**', '**/src/extension/**', '../pool/**', '../api/**', '../runner/**', '../cli/**', '../extension/**'],
  message: 'The webview and the pure layers (src/trace, src/common) may import only src/trace and src/common: the rest is Node-only.',
};

export default tseslint.config(
  // The tests (test/**/*.mjs) are linted with the same rules; other JavaScript (bench, build scripts) is not.
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', 'e2e-out/**', 'test/fixtures/cli/**', '**/*.js', '**/*.cjs', 'bench/**', '*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-restricted-imports': 'off',
    },
  },
  {
    // The engine, API, runner and CLI must stay free of the editor and of the webview: they run in plain Node.
    files: ['src/pool/**/*.ts', 'src/api/**/*.ts', 'src/runner/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension], patterns: [noWebviewFromSrc] }] },
  },
  {
    // The extension host may use vscode and Node, never the webview's code.
    files: ['src/extension/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noWebviewFromSrc] }] },
  },
  {
    // Pure layers: bundled into the webview as well as into Node entries.
    // src/trace/html-report.ts and trace-bytes.ts are the Node-side files there (not bundled into the webview).
    files: ['src/trace/**/*.ts', 'src/common/**/*.ts'],
    ignores: ['src/trace/html-report.ts', 'src/trace/trace-bytes.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension, ...nodeBuiltins], patterns: [noWebviewFromSrc, nodeOnlyLayers] }] },
  },
  {
    files: ['src/common/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension, ...nodeBuiltins], patterns: [noWebviewFromSrc, nodeOnlyLayers, commonBelowTrace] }] },
  },
  {
    files: ['src/trace/html-report.ts', 'src/trace/trace-bytes.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension], patterns: [noWebviewFromSrc, nodeOnlyLayers] }] },
  },
  {
    // The webview runs in a browser: no Node built-ins, no Node-only layers, no vscode module.
    files: ['webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension, ...nodeBuiltins], patterns: [nodeOnlyLayers] }] },
  },
);
