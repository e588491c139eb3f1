// Lint: typescript-eslint's recommended rules, the convention of VS Code extensions.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', 'e2e-out/**', 'test/fixtures/cli/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-restricted-imports': 'off',
    },
  },
  {
    // The engine, API, trace and runner must stay free of the editor: they run in plain Node.
    files: ['src/pool/**/*.ts', 'src/api/**/*.ts', 'src/trace/**/*.ts', 'src/runner/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] }] },
  },
);
