// One training per run folder: `DIR/.lock` holds the owner's PID, host and start
// time, created with O_EXCL. A lock whose process is gone (same host) is stale and
// taken over; a live one is a coded user error naming the PID.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RuntimeFault } from './fault.ts';
import { fsFault } from '../io/atomic.ts';

export const LOCK_FILE = '.lock';

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return Number.isInteger(info?.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/** The live process holding `dir`'s lock, if any (a stale lock is no owner). */
export function liveLockOwner(dir: string): LockInfo | undefined {
  const owner = readLock(join(dir, LOCK_FILE));
  return owner && owner.pid !== process.pid && (owner.host !== hostname() || alive(owner.pid)) ? owner : undefined;
}

function inUse(dir: string, owner: LockInfo, file: string): RuntimeFault {
  return new RuntimeFault(
    'MOE0539',
    `${dir}: the run folder is in use by another training (process ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, since ${owner.started})`,
    `wait for it to finish, or choose another --out; if that process is gone, delete ${file}`,
  );
}

/** Throws MOE0539 when a live process holds `dir`'s lock. */
export function checkNotLocked(dir: string): void {
  const owner = liveLockOwner(dir);
  if (owner) throw inUse(dir, owner, join(dir, LOCK_FILE));
}

/** Takes the run folder's lock, or throws MOE0539 when a live process holds it. */
export function acquireRunLock(dir: string): RunLock {
  const file = join(dir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify(me) + '\n');
      } finally {
        closeSync(fd);
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
      };
      process.on('exit', release);
      return { file, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsFault(e, file, 'create the lock file');
    }
    const owner = readLock(file);
    if (owner && owner.pid !== process.pid && (owner.host !== me.host || alive(owner.pid))) throw inUse(dir, owner, file);
    // An unreadable lock younger than a few seconds is one being written right now.
    if (!owner && Date.now() - (statOrNull(file)?.mtimeMs ?? 0) < 3000)
      throw new RuntimeFault('MOE0539', `${dir}: the run folder is being claimed by another training right now`, 'run one training per run folder');
    // Stale (its process is gone) or unreadable (a kill while it was written): take it over.
    rmSync(file, { force: true });
  }
  throw new RuntimeFault('MOE0539', `${dir}: could not take the run folder's lock (another training keeps taking it)`, 'run one training per run folder');
}
