import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../errors/app-error.ts';

/** Lock files this process holds open right now. */
const heldHere = new Set<string>();

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

export interface DataDirLockHooks {
  /** Runs between judging the lock file stale and claiming it: where a racing process can act. */
  readonly judgedStale?: () => void;
}

/** How many times a process that finds the lock file changing under it tries again. */
const ATTEMPTS = 50;

/**
 * PGlite has no postmaster to refuse a second writer, and two processes opening the same
 * files corrupt them. An exclusive pid file taken before PGlite starts prevents that;
 * a file left by a process that no longer exists (kill -9, power loss) is taken over.
 *
 * Taking over is remove-then-create, and a process delayed between judging the file stale
 * and removing it would remove the fresh file of another that took over first. So removal
 * needs a claim that only one process can win for that very file: an exclusive create of a
 * claim file named after the stale file's identity (inode, change time and content). The
 * winner removes the stale file only if it is still that file; a late claimer finds a
 * different one and looks again. (proper-lockfile reclaims stale locks with rmdir then mkdir,
 * the same race, and needs a timer refreshing the lock that a busy PGlite thread can starve.)
 */
export function acquireDataDirLock(dir: string, pid: number = process.pid, hooks: DataDirLockHooks = {}): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'headline-search.pid');
  // The pid file cannot tell this process's open database from a stale file of ours; this can.
  if (pid === process.pid && heldHere.has(file)) {
    throw new AppError(ErrorCode.DATABASE_IN_USE, `The embedded database in ${dir} is in use by pid ${pid} (this process). Close it first, or point DATA_DIR elsewhere.`);
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      createWithContent(file, `${pid}\n`);
      if (pid === process.pid) heldHere.add(file);
      return {
        file,
        release: () => {
          heldHere.delete(file);
          releaseIfOurs(file, pid);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const seen = readLockFile(file);
    if (!seen) continue; // removed meanwhile: create it
    if (seen.pid !== null && seen.pid !== pid && isAlive(seen.pid)) {
      throw new AppError(
        ErrorCode.DATABASE_IN_USE,
        `The embedded database in ${dir} is in use by pid ${seen.pid}. Stop that process, or point DATA_DIR elsewhere.`,
      );
    }
    // Stale (or our own, from an unclean earlier open).
    hooks.judgedStale?.();
    const claim = `${file}.takeover-${seen.identity}`;
    try {
      createWithContent(claim, `${pid}\n`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const claimer = readLockFile(claim)?.pid ?? null;
      if (claimer !== null && claimer !== pid && !isAlive(claimer)) {
        throw new AppError(
          ErrorCode.DATABASE_IN_USE,
          `A takeover of the stale lock file ${file} by pid ${claimer} was interrupted. If no process uses the database in ${dir}, remove ${file} and ${claim}.`,
        );
      }
      // Another process is taking it over right now: a moment, then look again.
      pause(10);
      continue;
    }
    try {
      if (readLockFile(file)?.identity === seen.identity) fs.rmSync(file, { force: true });
    } finally {
      fs.rmSync(claim, { force: true });
    }
  }
  throw new AppError(ErrorCode.DATABASE_IN_USE, `Could not take the lock file ${file}; another process keeps recreating it.`);
}

/**
 * Creates `file` with its content in one step, or throws EEXIST. Created and then written,
 * it would be empty for a moment: another process reading it then would find no pid,
 * judge it stale, and remove the lock its creator goes on to hold. A hard link of a file
 * already written appears whole.
 */
function createWithContent(file: string, content: string): void {
  const draft = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.draft`;
  fs.writeFileSync(draft, content, { flag: 'wx' });
  try {
    fs.linkSync(draft, file);
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/** The file's pid, and what tells this file from any later one at the same path. */
function readLockFile(file: string): { pid: number | null; identity: string } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    const content = fs.readFileSync(fd, 'utf8');
    const n = Number.parseInt(content.trim(), 10);
    const identity = createHash('sha256').update(`${stat.ino} ${stat.ctimeNs} ${content}`).digest('hex').slice(0, 24);
    return { pid: Number.isSafeInteger(n) && n > 0 ? n : null, identity };
  } finally {
    fs.closeSync(fd);
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; that still holds the database.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(file: string, pid: number): void {
  if (readLockFile(file)?.pid === pid) fs.rmSync(file, { force: true });
}
