/**
 * A directory only this user can change, for files that will be executed
 * (the bundle cache). Another local user must never be able to get a file of
 * theirs into it, or swap the directory under us between a check and a use.
 *
 * - `openPrivateDir` walks the path one component at a time with `lstat`
 *   (never following a symlink it has not checked): every directory on the way
 *   is owned by this user or root and not writable by group or others (a
 *   root-owned sticky directory such as /tmp is allowed on the way: nobody
 *   else can rename or delete our entry in it); the last one is owned by this
 *   user. A symlink on the way is followed only when root or this user owns
 *   it; the directory itself may not be a symlink. Missing components are
 *   created with mode 0700. The result is the resolved path (no symlinks), so
 *   nothing is resolved again later: every component of it can only be
 *   changed by this user or root.
 * - It also keeps the directory open (O_DIRECTORY | O_NOFOLLOW, checked to be
 *   the inode that was checked); on Linux every file operation goes through
 *   `/proc/self/fd/<fd>/<name>`, the equivalent of `openat(2)`.
 * - Files are read with O_NOFOLLOW and checked on the open descriptor (regular
 *   file, owned by this user, not writable by group or others) before a byte is
 *   used; new files are created exclusively (O_EXCL, mode 0600) under a fresh
 *   name and renamed into place.
 *
 * POSIX only: on Windows (no uids) the checks are skipped; the default cache
 * there is under the user's own %LOCALAPPDATA%.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, renameSync, rmSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, sep } from 'node:path';
import { RunnerError } from './errors.js';

/** Stable error name: the directory failed a check. */
export const UNSAFE_CACHE_DIR = 'UnsafeCacheDir';

/** A directory failed a check: `path` is the component that failed, `problem` what is wrong with it. */
export class UnsafeDirError extends RunnerError {
  constructor(readonly dir: string, readonly path: string, readonly problem: string) {
    super(UNSAFE_CACHE_DIR, `the bundle cache directory ${dir} cannot be used: ${path === dir ? 'it' : path} ${problem}. `
      + 'Bundles in it are executed, so it and every directory above it must be owned by you or root and writable only by you; '
      + 'choose another with --cache-dir (or the poolscope.cacheDir setting)');
  }
}

/** Symlinks followed on the way before giving up (Linux's own limit). */
const MAX_LINKS = 40;

const S_ISVTX = 0o1000;

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** A file in a private directory failed a check (it is then ignored, never used). */
export class UnsafeFileError extends Error {
  override readonly name = 'UnsafeFile';
}

/** A checked private directory, open for the caller's use; `close()` when done. */
export class PrivateDir {
  /** Absolute path without symlinks: what other processes (workers) use. */
  readonly path: string;
  readonly #fd: number | undefined;
  /** Where names are joined: `/proc/self/fd/<fd>` on Linux, else `path`. */
  readonly #base: string;

  constructor(path: string, fd: number | undefined) {
    this.path = path;
    this.#fd = fd;
    this.#base = fd !== undefined && process.platform === 'linux' && existsSync(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : path;
  }

  /** Absolute path of `name` in the directory, for other processes to load. */
  pathOf(name: string): string {
    return join(this.path, checkedName(name));
  }

  /** Reads `name` if it is a regular file owned by this user and writable only by them (else UnsafeFileError; ENOENT passes through). */
  read(name: string, maxBytes = Number.MAX_SAFE_INTEGER): Buffer {
    const fd = openSync(join(this.#base, checkedName(name)), constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NONBLOCK ?? 0));
    try {
      const st = fstatSync(fd);
      checkOwnFile(st, name);
      if (st.size > maxBytes) throw new UnsafeFileError(`${name} is larger than ${maxBytes} bytes`);
      const out = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < st.size) {
        const n = readSync(fd, out, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      return off === st.size ? out : out.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }

  /** Writes `name` atomically: a fresh file created exclusively (mode 0600), then renamed over `name`. */
  write(name: string, data: string | Uint8Array): void {
    const final = join(this.#base, checkedName(name));
    const tmp = join(this.#base, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    try {
      renameSync(tmp, final);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  /** Entry names (for pruning). */
  list(): string[] {
    return readdirSync(this.#base);
  }

  /** lstat of an entry. */
  lstat(name: string): Stats {
    return lstatSync(join(this.#base, checkedName(name)));
  }

  /** Removes an entry (never follows a link: unlink removes the link itself). */
  remove(name: string): void {
    try {
      unlinkSync(join(this.#base, checkedName(name)));
    } catch {
      // gone already
    }
  }

  close(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        // closed already
      }
    }
  }
}

/** A plain entry name: no separators, not `.`/`..`, so a join stays inside the directory. */
function checkedName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0')) {
    throw new UnsafeFileError(`not a plain file name: ${JSON.stringify(name)}`);
  }
  return name;
}

function checkOwnFile(st: Stats, name: string): void {
  const uid = currentUid();
  if (!st.isFile()) throw new UnsafeFileError(`${name} is not a regular file`);
  if (uid === undefined) return;
  if (st.uid !== uid) throw new UnsafeFileError(`${name} is owned by uid ${st.uid}, not ${uid}`);
  if ((st.mode & 0o022) !== 0) throw new UnsafeFileError(`${name} is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`);
}

function splitPath(p: string): string[] {
  return p.split(sep).filter((c) => c !== '' && c !== '.');
}

function parentOf(p: string): string {
  const i = p.lastIndexOf(sep);
  return i <= 0 ? sep : p.slice(0, i);
}

/**
 * Checks (creating what is missing) `dir` as described above and opens it.
 * @throws UnsafeDirError naming the failing component and the problem.
 */
export function openPrivateDir(dir: string): PrivateDir {
  const uid = currentUid();
  if (uid === undefined) {
    mkdirSync(dir, { recursive: true });
    return new PrivateDir(dir, undefined);
  }
  if (!isAbsolute(dir)) throw new UnsafeDirError(dir, dir, 'is not an absolute path');
  const fail = (path: string, problem: string): never => {
    throw new UnsafeDirError(dir, path, problem);
  };
  const checkDir = (path: string, st: Stats, last: boolean): void => {
    if (!st.isDirectory()) fail(path, 'is not a directory');
    if (st.uid !== uid && st.uid !== 0) fail(path, `is owned by uid ${st.uid} (neither you, uid ${uid}, nor root)`);
    if (last && st.uid !== uid) fail(path, `is owned by uid ${st.uid}, not by you (uid ${uid})`);
    const writable = st.mode & 0o022;
    // A sticky directory on the way (/tmp): others may create entries but not rename or delete ours.
    if (writable !== 0 && (last || (st.mode & S_ISVTX) === 0)) {
      fail(path, `is writable by ${(writable & 0o020) !== 0 ? 'group' : ''}${writable === 0o022 ? ' and ' : ''}${(writable & 0o002) !== 0 ? 'others' : ''} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`);
    }
  };

  let current: string = sep;
  checkDir(current, lstatSync(current), false);
  let pending = splitPath(dir);
  let links = 0;
  let lastSt: Stats | undefined;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '..') {
      current = parentOf(current);
      continue;
    }
    const path = current === sep ? `${sep}${name}` : `${current}${sep}${name}`;
    const last = pending.length === 0;
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') fail(path, `cannot be checked (${(e as Error).message})`);
      try {
        mkdirSync(path, { mode: 0o700 });
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') fail(path, `cannot be created (${(e2 as Error).message})`);
      }
      st = lstatSync(path);
    }
    if (st.isSymbolicLink()) {
      if (last) fail(path, 'is a symbolic link (a link can be re-pointed between a check and a use: give the real directory)');
      if (st.uid !== uid && st.uid !== 0) fail(path, `is a symbolic link owned by uid ${st.uid} (neither you nor root)`);
      if (++links > MAX_LINKS) fail(path, 'has too many levels of symbolic links');
      const target = readlinkSync(path);
      if (isAbsolute(target)) current = sep;
      pending = [...splitPath(target), ...pending];
      continue;
    }
    checkDir(path, st, last);
    current = path;
    lastSt = st;
  }
  if (!lastSt) fail(current, 'is the root directory');
  // Open what was checked, without following a link, and make sure it is the same inode.
  let fd: number;
  try {
    fd = openSync(current, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (e) {
    return fail(current, `cannot be opened (${(e as Error).message})`);
  }
  const st = fstatSync(fd);
  if (st.ino !== lastSt?.ino || st.dev !== lastSt.dev) {
    closeSync(fd);
    fail(current, 'changed while it was being checked');
  }
  return new PrivateDir(current, fd);
}
