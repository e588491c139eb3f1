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
 *
 * Bundles in the cache are executed, so the cache is guarded (issue: another
 * local user must never get their code run as you): it lives in the user's
 * own cache directory by default, the directory is checked and opened once by
 * src/runner/private-dir.ts, a manifest may only name a bundle file inside it
 * (a content-addressed name) and records the bundle's SHA-256, and the bundle
 * is checked (regular file, owner, mode) and hashed before it is used; any
 * mismatch means a fresh bundle, never executing what is there.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isBuiltin } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BuildFailure, Message, Plugin } from 'esbuild';
import type { SourceLocation } from './protocol.js';
import { RunnerError } from './errors.js';
import { checkUserFile, importedFileProblem } from './user-file.js';
import { openPrivateDir, UnsafeDirError, type PrivateDir } from './private-dir.js';

/** Bumped when the bundle options change, so old cache entries are not reused. */
const BUNDLE_FORMAT = 7;

export interface BundleOptions {
  /** The user's .ts/.js file (absolute, or relative to the current directory). */
  file: string;
  /** Cache directory (checked: see private-dir.ts). @default {@link defaultCacheDir} */
  cacheDir?: string;
  /**
   * `cacheDir` is a default location (not one the user chose): when it fails a
   * check, a fresh private directory is used instead and `note` says why.
   * @default true when `cacheDir` is not given
   */
  cacheDirIsDefault?: boolean;
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
  /** The checked cache directory that was used (resolved, no symlinks). */
  cacheDir: string;
  /** Why the default cache directory was not used, when it was not. */
  note?: string;
}

/** A load error with the place in the user's file it points at. */
export class BundleError extends RunnerError {
  constructor(message: string, readonly location?: SourceLocation) {
    super('BundleError', message);
  }
}

interface CacheManifest {
  format: number;
  /** File name of the bundle in the cache dir (`<key>-<sha256>.mjs`); absent when direct. */
  output?: string;
  /** SHA-256 of the bundle's bytes (hex): checked before every reuse. */
  outputSha256?: string;
  /** A CommonJS .js/.cjs file is run as it is (the entry file itself, never a path from the manifest): Node's own loader gives it named exports, a bundle would not. */
  direct?: boolean;
  exports: string[] | undefined;
  /** [absolute path, sha256 of contents] */
  inputs: [string, string][];
  /** The config files esbuild saw (see nearestConfigFiles); a new or removed one invalidates the bundle. */
  configs: string[];
}

/**
 * Default location of the bundle cache: the user's own cache directory,
 * `$XDG_CACHE_HOME/poolscope` (when set to an absolute path), else
 * `~/.cache/poolscope` (Windows: `%LOCALAPPDATA%/poolscope/cache`). Never a
 * shared directory: bundles in it are executed. The extension passes its
 * global storage instead.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'poolscope');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'poolscope', 'cache');
  return join(homedir(), '.cache', 'poolscope');
}

/**
 * Opens the cache directory (private-dir.ts checks it). A default location
 * that fails a check is replaced by a fresh private directory (created
 * exclusively by mkdtemp, removed when this process exits) and the reason is
 * returned; a directory the user chose is refused (UnsafeCacheDir, exit 2).
 */
function openCacheDir(dir: string, isDefault: boolean): { dir: PrivateDir; note?: string } {
  try {
    return { dir: openPrivateDir(dir) };
  } catch (e) {
    if (!isDefault || !(e instanceof UnsafeDirError)) throw e;
    const fresh = mkdtempSync(join(tmpdir(), 'poolscope-cache-'));
    process.once('exit', () => rmSync(fresh, { recursive: true, force: true }));
    return { dir: openPrivateDir(fresh), note: `${e.message}; using a fresh private directory for this run instead (${fresh}, removed at exit)` };
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
  checkUserFile(file);
  const apiPath = options.apiPath ?? defaultApiPath();
  const opened = openCacheDir(options.cacheDir ?? defaultCacheDir(), options.cacheDirIsDefault ?? options.cacheDir === undefined);
  try {
    return await bundleInto(opened.dir, file, apiPath, started, opened.note);
  } finally {
    opened.dir.close();
  }
}

async function bundleInto(cache: PrivateDir, file: string, apiPath: string, started: number, note: string | undefined): Promise<BundleResult> {
  const esbuildVersion = readEsbuildVersion();
  const key = sha256(JSON.stringify({ file, esbuildVersion, BUNDLE_FORMAT, apiPath, node: process.versions.node })).slice(0, 20);
  const manifestName = `${key}.json`;
  const done = (path: string, cacheHit: boolean, manifest: CacheManifest): BundleResult => ({
    path,
    url: pathToFileURL(path).href,
    cacheHit,
    commonJs: manifest.direct === true,
    exports: manifest.exports,
    inputs: manifest.inputs.map(([p]) => p),
    durationMs: performance.now() - started,
    cacheDir: cache.path,
    note,
  });

  const configs = nearestConfigFiles(dirname(file));
  const cached = readValidManifest(cache, manifestName, key, file, configs);
  if (cached) {
    // Direct: the entry file itself (the user's own file), never a path read from the manifest.
    return done(cached.direct ? file : cache.pathOf(cached.output as string), true, cached);
  }

  // Loaded only on a cache miss: starting esbuild's service costs tens of ms.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = join(cache.path, `${key}.mjs`);
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
    plugins: externalPackages
      ? [poolscopeApiPlugin(apiPath), externalPackagesPlugin(), regularFilesPlugin()]
      : [poolscopeApiPlugin(apiPath), regularFilesPlugin()],
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
      format: BUNDLE_FORMAT, direct: true, exports: undefined,
      inputs: [[file, sha256File(file)]], configs,
    };
    cache.write(manifestName, JSON.stringify(manifest));
    return done(file, false, manifest);
  }
  const output = build.outputFiles.find((o) => o.path.endsWith('.mjs'));
  if (!output) throw new BundleError(`esbuild produced no output for ${file}`);
  const meta = build.metafile.outputs[Object.keys(build.metafile.outputs).find((k) => k.endsWith('.mjs')) ?? ''];
  const outputSha256 = sha256(output.contents);
  const outName = `${key}-${outputSha256}.mjs`;
  cache.write(outName, output.contents);
  const manifest: CacheManifest = {
    format: BUNDLE_FORMAT,
    output: outName,
    outputSha256,
    exports: meta?.exports ?? [],
    inputs: [
      ...Object.keys(build.metafile.inputs).filter((p) => !p.startsWith('<')).map((p) => resolve(dirname(file), p)),
      // esbuild also reads these (paths, jsx, decorators, module type); they are not in the metafile.
      ...configs,
    ].map((p) => [p, sha256File(p)] as [string, string]),
    configs,
  };
  cache.write(manifestName, JSON.stringify(manifest));
  pruneOldBundles(cache, key, outName);
  return done(cache.pathOf(outName), false, manifest);
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

/**
 * Every file esbuild is about to read must be a regular file of a source file's size: an import of a FIFO would
 * block the bundler forever, one of a device (/dev/zero, also behind a symlink) would fill its memory without end.
 */
function regularFilesPlugin(): Plugin {
  return {
    name: 'poolscope-regular-files',
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        const problem = importedFileProblem(args.path);
        return problem === undefined ? undefined : { errors: [{ text: problem }] };
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
function pruneOldBundles(cache: PrivateDir, key: string, keep: string): void {
  try {
    const now = Date.now();
    for (const name of cache.list()) {
      if (!name.startsWith(`${key}-`) || name === keep || !name.endsWith('.mjs')) continue;
      if (now - cache.lstat(name).mtimeMs > STALE_BUNDLE_MS) cache.remove(name);
    }
  } catch {
    // pruning is best effort
  }
}

/** Manifests are small (paths and hashes); a bigger file is not one of ours. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * The manifest, if every check passes: it is a regular file of ours in the
 * cache, for this entry file and format; it names a bundle inside the cache
 * by its content-addressed name (or is direct: the entry file itself); the
 * bundle is a regular file of ours whose bytes hash to the recorded SHA-256;
 * every input still hashes as recorded. Anything else: undefined (rebundle).
 */
function readValidManifest(cache: PrivateDir, manifestName: string, key: string, file: string, configs: readonly string[]): CacheManifest | undefined {
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(cache.read(manifestName, MAX_MANIFEST_BYTES).toString('utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
  if (typeof manifest !== 'object' || manifest === null || manifest.format !== BUNDLE_FORMAT) return undefined;
  if (!Array.isArray(manifest.configs) || !Array.isArray(manifest.inputs)) return undefined;
  if (manifest.configs.join('\n') !== configs.join('\n')) return undefined;
  if (manifest.direct === true) {
    // Only ever the entry file itself, and its hash must be recorded.
    if (manifest.output !== undefined || !manifest.inputs.some(([p]) => p === file)) return undefined;
  } else {
    const output = manifest.output;
    const expected = manifest.outputSha256;
    if (typeof output !== 'string' || typeof expected !== 'string' || !/^[0-9a-f]{64}$/.test(expected)) return undefined;
    if (output !== `${key}-${expected}.mjs`) return undefined;
    try {
      if (sha256(cache.read(output)) !== expected) return undefined;
    } catch {
      return undefined;
    }
  }
  for (const entry of manifest.inputs) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || sha256File(entry[0]) !== entry[1]) return undefined;
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
    // An input swapped for a FIFO or a device since it was bundled is never read (it would block, or never end).
    if (importedFileProblem(path) !== undefined) return 'not a regular file';
    return sha256(readFileSync(path));
  } catch {
    return 'missing';
  }
}

