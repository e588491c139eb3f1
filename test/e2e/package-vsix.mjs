#!/usr/bin/env node
// `npm run package`: builds the platform-specific .vsix with @vscode/vsce.
//
// Why per platform: the runner bundles the user's file with esbuild at run
// time, and esbuild is a native binary. The .vsix carries esbuild's JS API and
// the one `@esbuild/<platform>` binary of its target (see .vscodeignore), and
// is marked with `--target`, so the marketplace serves each platform its own.
// vsce 4 needs Node ≥ 22: it runs on the Node 24 that test/e2e/setup.sh caches
// (tools-only mode here: no code-server, no apt, ~20 s cold, instant warm).
//
// Usage: node test/e2e/package-vsix.mjs [--target linux-x64] [--out file.vsix]
//        node test/e2e/package-vsix.mjs --ls      (= `vsce ls --tree`: what would be packaged)
// Prints the .vsix path and size; exits non-zero if vsce fails or warns.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** vsce's name for the platform this runs on (linux-x64, darwin-arm64, alpine-x64, win32-x64 …). */
function currentTarget() {
  const arch = process.arch === 'arm' ? 'armhf' : process.arch;
  const musl = process.platform === 'linux' && !(/** @type {{ header?: { glibcVersionRuntime?: string } } | undefined} */ (process.report?.getReport()))?.header?.glibcVersionRuntime;
  return `${musl ? 'alpine' : process.platform}-${arch}`;
}

/** esbuild's package for a vsce target. */
function esbuildPackageFor(target) {
  const [os, arch] = target.split('-');
  const esArch = arch === 'armhf' ? 'arm' : arch;
  return `@esbuild/${os === 'alpine' ? 'linux' : os}-${esArch}`;
}

const target = option('--target') ?? currentTarget();
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.resolve(option('--out') ?? path.join(root, `${manifest.name}-${manifest.version}-${target}.vsix`));

if (!existsSync(path.join(root, 'dist/extension.js'))) {
  console.error('package-vsix: dist/extension.js missing — run `npm run build` first');
  process.exit(1);
}
const nativePkg = esbuildPackageFor(target);
if (!existsSync(path.join(root, 'node_modules', nativePkg, 'package.json'))) {
  // npm installs only the current platform's optional esbuild binary; other targets are packaged on their own OS (CI matrix).
  console.error(`package-vsix: ${nativePkg} is not installed here; package ${target} on that platform (npm ci there installs it)`);
  process.exit(1);
}

// Node 24 + vsce from the e2e cache (provisioned on demand).
const cache = process.env.E2E_CACHE ?? path.join(homedir(), '.cache/poolscope-e2e');
const readEnv = () => {
  const file = path.join(cache, 'env.sh');
  if (!existsSync(file)) return {};
  return Object.fromEntries([...readFileSync(file, 'utf8').matchAll(/^export (\w+)="(.*)"$/gm)].map((m) => [m[1], m[2]]));
};
let env = readEnv();
if (!env.E2E_VSCE || !existsSync(env.E2E_VSCE) || !existsSync(env.E2E_NODE ?? '')) {
  console.error('package-vsix: provisioning Node 24 and @vscode/vsce into', cache);
  execFileSync('bash', [path.join(root, 'test/e2e/setup.sh')], { stdio: 'inherit', env: { ...process.env, E2E_CACHE: cache, E2E_TOOLS_ONLY: '1' } });
  env = readEnv();
}

if (args.includes('--ls')) {
  const ls = spawnSync(env.E2E_NODE, [env.E2E_VSCE, 'ls', '--tree'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  process.exit(ls.status ?? 1);
}

const started = Date.now();
const vsce = spawnSync(env.E2E_NODE, [env.E2E_VSCE, 'package', '--target', target, '--out', out], {
  cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
});
const output = `${vsce.stdout}${vsce.stderr}`;
process.stdout.write(output);
if (vsce.status !== 0) {
  console.error(`package-vsix: vsce exited ${vsce.status}`);
  process.exit(1);
}
// vsce warns (and still succeeds) about missing marketplace fields; treat that as a failure.
const warnings = output.split('\n').filter((l) => /WARNING/i.test(l) && !/is large/.test(l));
if (warnings.length > 0) {
  console.error(`package-vsix: vsce warned:\n${warnings.join('\n')}`);
  process.exit(1);
}
const size = statSync(out).size;
console.log(`package-vsix: ${path.relative(process.cwd(), out) || out} (${target}) ${(size / 1024 / 1024).toFixed(2)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
