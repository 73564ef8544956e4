import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../errors/app-error.ts';

/** Lock files this process holds open right now. */
const heldHere = new Set<string>();

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * PGlite has no postmaster to refuse a second writer, and two processes opening the same
 * files corrupt them. An exclusive pid file taken before PGlite starts prevents that;
 * a file left by a process that no longer exists (kill -9, power loss) is taken over.
 */
export function acquireDataDirLock(dir: string, pid: number = process.pid): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'headline-search.pid');
  // The pid file cannot tell this process's open database from a stale file of ours; this can.
  if (pid === process.pid && heldHere.has(file)) {
    throw new AppError(ErrorCode.DATABASE_IN_USE, `The embedded database in ${dir} is in use by pid ${pid} (this process). Close it first, or point DATA_DIR elsewhere.`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${pid}\n`, { flag: 'wx' });
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
    const holder = readPid(file);
    if (holder !== null && holder !== pid && isAlive(holder)) {
      throw new AppError(
        ErrorCode.DATABASE_IN_USE,
        `The embedded database in ${dir} is in use by pid ${holder}. Stop that process, or point DATA_DIR elsewhere.`,
      );
    }
    // Stale (or our own, from an unclean earlier open): remove and retry the exclusive create.
    fs.rmSync(file, { force: true });
  }
  throw new AppError(ErrorCode.DATABASE_IN_USE, `Could not take the lock file ${file}; another process keeps recreating it.`);
}

function readPid(file: string): number | null {
  try {
    const n = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
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
  if (readPid(file) === pid) fs.rmSync(file, { force: true });
}
