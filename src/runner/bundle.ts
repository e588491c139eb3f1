/**
 * Bundles the user's file at run time with esbuild, once per run: TypeScript,
 * the user's relative imports and packages from their `node_modules`,
 * top-level await (ESM output), an inline source map so stack traces point at
 * the user's `.ts` lines. `import … from 'poolscope'` resolves to our own
 * `dist/api.mjs` (external, by absolute file URL), so the runner and the user's
 * script share one instance of the API and nothing has to be installed in the
 * user's workspace.
 *
 * Bundles are cached by content: a manifest per entry file lists every input
 * file with its hash; a re-run whose inputs are unchanged reuses the bundle
 * without starting esbuild at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isBuiltin } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BuildFailure, Message, Plugin } from 'esbuild';
import type { SourceLocation } from './protocol.js';
import { RunnerError } from './errors.js';

/** Bumped when the bundle options change, so old cache entries are not reused. */
const BUNDLE_FORMAT = 6;

export interface BundleOptions {
  /** The user's .ts/.js file (absolute, or relative to the current directory). */
  file: string;
  /** Cache directory. @default os.tmpdir()/poolscope-cache */
  cacheDir?: string;
  /** Absolute path of the module `import 'poolscope'` resolves to. @default dist/api.mjs next to this bundle */
  apiPath?: string;
}

export interface BundleResult {
  /** Absolute path of the bundled ESM module. */
  path: string;
  /** Its file URL: what the pool's workers `import()`. */
  url: string;
  /** True when an unchanged earlier bundle was reused. */
  cacheHit: boolean;
  /** A CommonJS file run as it is (its default export is `module.exports`). */
  commonJs: boolean;
  /** Export names of the bundled module; undefined when only an import can tell (a CommonJS file run as is). */
  exports: string[] | undefined;
  /** Absolute paths of every file that went into the bundle. */
  inputs: string[];
  /** Time spent (validation of the cache, or bundling). */
  durationMs: number;
}

/** A load error with the place in the user's file it points at. */
export class BundleError extends RunnerError {
  constructor(message: string, readonly location?: SourceLocation) {
    super('BundleError', message);
  }
}

interface CacheManifest {
  format: number;
  /** File name of the bundle in the cache dir, or (direct) the user's own file. */
  output: string;
  /** A CommonJS .js/.cjs file is run as it is: Node's own loader gives it named exports, a bundle would not. */
  direct?: boolean;
  exports: string[] | undefined;
  /** [absolute path, sha256 of contents] */
  inputs: [string, string][];
  /** The config files esbuild saw (see nearestConfigFiles); a new or removed one invalidates the bundle. */
  configs: string[];
}

/**
 * Default location of the bundle cache: one directory per user in the temp
 * directory. Bundles in it are executed, so on a shared machine nobody else
 * may be able to write there (see `ensurePrivateDir`).
 */
export function defaultCacheDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : (process.env.USERNAME ?? 'user');
  return join(tmpdir(), `poolscope-cache-${user}`);
}

/**
 * Creates `dir` (mode 0700) or checks an existing one: owned by this user and
 * not writable by group or others. Otherwise a planted bundle could run as us.
 * @throws RunnerError `BundleError` when the directory is not safe.
 */
function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (typeof process.getuid !== 'function') return; // Windows: per-user temp dirs already
  const st = statSync(dir);
  if (st.uid !== process.getuid() || (st.mode & 0o022) !== 0) {
    throw new BundleError(`the bundle cache directory ${dir} is not private (owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)}); `
      + 'use a directory only you can write (--cache-dir)');
  }
}

/** The `dist/api.mjs` next to the running bundle (runner.js, cli.js, extension.js all live in dist/). */
export function defaultApiPath(): string {
  return join(__dirname, 'api.mjs');
}

/**
 * Bundles `options.file` (or reuses a cached bundle of identical inputs).
 * @throws RunnerError `FileNotFound`, BundleError (`BundleError`, with a location for syntax errors).
 */
export async function bundleUserFile(options: BundleOptions): Promise<BundleResult> {
  const started = performance.now();
  const file = resolve(options.file);
  if (!existsSync(file)) throw new RunnerError('FileNotFound', `file not found: ${file}`);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const apiPath = options.apiPath ?? defaultApiPath();
  ensurePrivateDir(cacheDir);

  const esbuildVersion = readEsbuildVersion();
  const key = sha256(JSON.stringify({ file, esbuildVersion, BUNDLE_FORMAT, apiPath, node: process.versions.node })).slice(0, 20);
  const manifestPath = join(cacheDir, `${key}.json`);

  const configs = nearestConfigFiles(dirname(file));
  const cached = readValidManifest(manifestPath, cacheDir, configs);
  if (cached) {
    return result(cached.direct ? cached.output : join(cacheDir, cached.output), true, cached, started);
  }

  // Loaded only on a cache miss: starting esbuild's service costs tens of ms.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = join(cacheDir, `${key}.mjs`);
  const buildOptions = (externalPackages: boolean): import('esbuild').BuildOptions & { write: false; metafile: true } => ({
    entryPoints: [file],
    absWorkingDir: dirname(file),
    outfile,
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'inline',
    // Stack traces need the mappings, not the sources: a smaller map loads faster in every worker.
    sourcesContent: false,
    logLevel: 'silent',
    plugins: externalPackages ? [poolscopeApiPlugin(apiPath), externalPackagesPlugin()] : [poolscopeApiPlugin(apiPath)],
    // Bundled CommonJS dependencies call require() for builtins and dynamic
    // paths; ESM has none, so give the bundle one that resolves like the user's file would.
    banner: {
      js: `import { createRequire as __poolscopeCreateRequire } from 'node:module';\nconst require = __poolscopeCreateRequire(${JSON.stringify(pathToFileURL(file).href)});`,
    },
  });
  let build: import('esbuild').BuildResult<{ write: false; metafile: true }>;
  try {
    build = await esbuild.build(buildOptions(false));
  } catch (e) {
    // A package with a native addon (.node) cannot be bundled: leave every package to Node instead.
    if (!hasNativeAddonError(e)) throw toBundleError(e, dirname(file));
    try {
      build = await esbuild.build(buildOptions(true));
    } catch (e2) {
      throw toBundleError(e2, dirname(file));
    }
  }
  const entryFormat = build.metafile.inputs[relative(dirname(file), file)]?.format;
  if (entryFormat === 'cjs' && /\.c?js$/i.test(file)) {
    const manifest: CacheManifest = {
      format: BUNDLE_FORMAT, output: file, direct: true, exports: undefined,
      inputs: [[file, sha256File(file)]], configs,
    };
    writeAtomic(manifestPath, JSON.stringify(manifest));
    return result(file, false, manifest, started);
  }
  const output = build.outputFiles.find((o) => o.path.endsWith('.mjs'));
  if (!output) throw new BundleError(`esbuild produced no output for ${file}`);
  const meta = build.metafile.outputs[Object.keys(build.metafile.outputs).find((k) => k.endsWith('.mjs')) ?? ''];
  const outName = `${key}-${sha256(output.text).slice(0, 12)}.mjs`;
  const outPath = join(cacheDir, outName);
  writeAtomic(outPath, output.contents);
  const manifest: CacheManifest = {
    format: BUNDLE_FORMAT,
    output: outName,
    exports: meta?.exports ?? [],
    inputs: [
      ...Object.keys(build.metafile.inputs).filter((p) => !p.startsWith('<')).map((p) => resolve(dirname(file), p)),
      // esbuild also reads these (paths, jsx, decorators, module type); they are not in the metafile.
      ...configs,
    ].map((p) => [p, sha256File(p)] as [string, string]),
    configs,
  };
  writeAtomic(manifestPath, JSON.stringify(manifest));
  pruneOldBundles(cacheDir, key, outName);
  return result(outPath, false, manifest, started);
}

function result(path: string, cacheHit: boolean, manifest: CacheManifest, started: number): BundleResult {
  return {
    path,
    url: pathToFileURL(path).href,
    cacheHit,
    commonJs: manifest.direct === true,
    exports: manifest.exports,
    inputs: manifest.inputs.map(([p]) => p),
    durationMs: performance.now() - started,
  };
}

function hasNativeAddonError(e: unknown): boolean {
  const errors = (e as Partial<BuildFailure>).errors;
  return Array.isArray(errors) && errors.some((m) => /No loader is configured for "\.node" files/.test(m.text));
}

/**
 * Every package import stays an import, of the file esbuild resolves it to
 * (by absolute URL, since the bundle lives in the cache directory): Node then
 * loads the package itself, native addons included.
 */
function externalPackagesPlugin(): Plugin {
  return {
    name: 'poolscope-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path === 'poolscope' || isBuiltin(args.path) || args.pluginData === EXTERNAL_PACKAGES_PLUGIN) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: EXTERNAL_PACKAGES_PLUGIN });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}

/** Marks the plugin's own resolve calls, so it does not answer itself. */
const EXTERNAL_PACKAGES_PLUGIN = Symbol('poolscope-external-packages');

/** `poolscope` → our API bundle, kept external and imported by absolute URL. */
function poolscopeApiPlugin(apiPath: string): Plugin {
  return {
    name: 'poolscope-api',
    setup(build) {
      build.onResolve({ filter: /^poolscope$/ }, () => {
        if (!existsSync(apiPath)) {
          return { errors: [{ text: `the poolscope API is not available (${apiPath} is missing; run npm run build)` }] };
        }
        return { path: pathToFileURL(apiPath).href, external: true };
      });
    },
  };
}

/** The nearest tsconfig.json / jsconfig.json / package.json above `dir`. */
function nearestConfigFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of ['tsconfig.json', 'jsconfig.json', 'package.json']) {
    for (let d = dir; ; d = dirname(d)) {
      const candidate = join(d, name);
      if (existsSync(candidate)) {
        found.push(candidate);
        break;
      }
      if (dirname(d) === d) break;
    }
  }
  return found;
}

/** Older bundles of the same entry file, untouched for this long, are deleted (a running pool may still import a recent one). */
const STALE_BUNDLE_MS = 60 * 60 * 1000;

/** Keeps the cache from growing with every edit: drops stale bundles of this entry file. */
function pruneOldBundles(cacheDir: string, key: string, keep: string): void {
  try {
    const now = Date.now();
    for (const name of readdirSync(cacheDir)) {
      if (!name.startsWith(`${key}-`) || name === keep || !name.endsWith('.mjs')) continue;
      const path = join(cacheDir, name);
      if (now - statSync(path).mtimeMs > STALE_BUNDLE_MS) rmSync(path, { force: true });
    }
  } catch {
    // pruning is best effort
  }
}

function readValidManifest(manifestPath: string, cacheDir: string, configs: readonly string[]): CacheManifest | undefined {
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== BUNDLE_FORMAT || !existsSync(manifest.direct ? manifest.output : join(cacheDir, manifest.output))) return undefined;
  if (manifest.configs.join('\n') !== configs.join('\n')) return undefined;
  for (const [path, hash] of manifest.inputs) {
    if (sha256File(path) !== hash) return undefined;
  }
  return manifest;
}

function toBundleError(e: unknown, baseDir: string): RunnerError {
  const errors = (e as Partial<BuildFailure>).errors;
  if (!Array.isArray(errors) || errors.length === 0) return new BundleError(`bundling failed: ${(e as Error).message}`);
  const first: Message = errors[0];
  const loc = first.location;
  const location: SourceLocation | undefined = loc
    ? { file: resolve(baseDir, loc.file), line: loc.line, column: loc.column + 1 }
    : undefined;
  const where = location ? `${location.file}:${location.line}:${location.column}: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const lineText = loc?.lineText ? `\n    ${loc.lineText}` : '';
  return new BundleError(`${where}${first.text}${more}${lineText}`, location);
}

function readEsbuildVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('esbuild/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function sha256File(path: string): string {
  try {
    return sha256(readFileSync(path));
  } catch {
    return 'missing';
  }
}

/** Write-then-rename, so a concurrent run never imports a half-written bundle. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
