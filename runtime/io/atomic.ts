// Writing a run folder so that a crash, a kill or a full disk never leaves a
// half-written file under its real name: write a temporary file, fsync it, rename
// it into place, fsync the directory. Every file-system error becomes a coded
// user error naming the path (a file where a folder should be, read-only, disk full).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RuntimeFault } from '../train/fault.ts';

/** Turns a Node file-system error into a RuntimeFault with a code and advice; other errors pass through. */
export function fsFault(err: unknown, path: string, action: string): unknown {
  if (err instanceof RuntimeFault) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = `cannot ${action} ${path}`;
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return new RuntimeFault('MOE0540', `${detail}: ${code === 'ENOTDIR' ? 'a part of the path is a file, not a folder' : 'a file is in the way of a folder'}`, 'choose another --out folder');
    case 'EISDIR':
      return new RuntimeFault('MOE0540', `${detail}: a folder is in the way of a file`, 'remove it or choose another --out folder');
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new RuntimeFault('MOE0541', `${detail}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}`, 'choose a writable --out folder');
    case 'ENOSPC':
    case 'EDQUOT':
      return new RuntimeFault('MOE0542', `${detail}: the disk is full`, 'free some space (or lower --keep-last), then resume from the last good checkpoint');
    case 'ENOENT':
      return new RuntimeFault('MOE0543', `${detail}: a folder on the way was removed while moec was writing`, 'check the --out folder');
    case undefined:
      return err;
    default:
      return new RuntimeFault('MOE0543', `${detail}: ${(err as Error).message}`, 'check the disk and the --out folder');
  }
}

/** Runs `fn`, translating file-system errors for `path`. */
export function guarded<T>(path: string, action: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fsFault(e, path, action);
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    // Some file systems cannot fsync a directory (EINVAL, EISDIR on a few); the rename is still atomic.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `file` and fsyncs it (no rename). */
export function writeDurable(file: string, data: string | Uint8Array, flags = 'w'): void {
  const fd = openSync(file, flags);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `file` atomically with `data`: temporary file, fsync, rename, fsync of the folder. */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = join(dirname(file), `.tmp-${basename(file)}-${process.pid}`);
  guarded(file, 'write', () => {
    try {
      writeDurable(tmp, data);
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    fsyncDir(dirname(file));
  });
}

/**
 * Creates a folder (and its parents), with the errors a user can act on. Each level
 * is made on its own: Node's recursive mkdir reports a read-only file system as ENOENT.
 */
export function makeDir(dir: string): void {
  guarded(dir, 'create the folder', () => {
    const missing: string[] = [];
    let at = dir;
    for (;;) {
      try {
        if (!statSync(at).isDirectory()) throw Object.assign(new Error('not a folder'), { code: at === dir ? 'EEXIST' : 'ENOTDIR' });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw e;
        missing.push(at);
        at = dirname(at);
      }
    }
    for (const d of missing.reverse()) {
      try {
        mkdirSync(d);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
      }
    }
  });
}
