import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/parse-config.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { silentLogger } from '../../src/logger.ts';

/**
 * Scratch space for embedded databases: tmpfs when the machine has one with room, because
 * PGlite writes its files synchronously and a busy disk slows every suite. Decided once.
 */
const SCRATCH_ROOT = ((): string => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    const { bavail, bsize } = fs.statfsSync('/dev/shm');
    if (bavail * bsize > 2 ** 30) return '/dev/shm';
  } catch {
    // no tmpfs here
  }
  return os.tmpdir();
})();

export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(SCRATCH_ROOT, prefix));
}

const versionOf = (name: string) =>
  (JSON.parse(fs.readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

/**
 * A freshly initialised PGlite data directory (no migrations), made once per machine and
 * PGlite version and copied for each test: initdb in WebAssembly costs seconds of CPU per
 * database, a copy a few milliseconds. Tests of first start-up itself do not use it.
 */
async function template(): Promise<string> {
  const key = createHash('sha256').update(`${versionOf('@electric-sql/pglite')} ${versionOf('@electric-sql/pglite-pgvector')}`).digest('hex').slice(0, 12);
  const target = path.join(SCRATCH_ROOT, `headline-search-pglite-template-${key}`);
  if (fs.existsSync(path.join(target, 'PG_VERSION'))) return target;
  const building = scratchDir('headline-search-pglite-template-building-');
  try {
    const database = await openDatabase(parseConfig({ DATA_DIR: building, EMBEDDED_DB_PORT: '0', LOG_LEVEL: 'silent' }), silentLogger);
    await database.close();
    // Another test process may have finished one meanwhile: either copy is as good.
    try {
      fs.renameSync(path.join(building, 'pglite'), target);
    } catch (error) {
      if (!fs.existsSync(path.join(target, 'PG_VERSION'))) throw error;
    }
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
  return target;
}

/** A new DATA_DIR whose embedded database is already initialised (and empty). */
export async function seededDataDir(prefix: string): Promise<string> {
  const source = await template();
  const dir = scratchDir(prefix);
  fs.cpSync(source, path.join(dir, 'pglite'), { recursive: true });
  return dir;
}
