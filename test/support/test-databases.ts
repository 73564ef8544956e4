import fs from 'node:fs';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { parseConfig, type Config } from '../../src/config/parse-config.ts';
import { migrateToLatest } from '../../src/db/migrations.ts';
import { openDatabase, type Database, type DatabaseMode } from '../../src/db/open-database.ts';
import { silentLogger } from '../../src/logger.ts';
import { seededDataDir } from './embedded-template.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export interface TestDatabase {
  readonly mode: DatabaseMode;
  readonly config: Config;
  readonly database: Database;
}

export interface TestDatabaseOptions {
  /** Start from an empty database instead of one migrated to the latest schema. */
  readonly migrate?: boolean;
  readonly sessionSettings?: Readonly<Record<string, string>>;
  readonly statementTimeoutMs?: number;
  /** A reason to skip both halves (a file the suite needs is not given, say). */
  readonly skip?: string | false;
}

/** Why the real-server half of a suite is skipped, and how to run it. */
export const NO_SERVER = 'needs a PostgreSQL server with pgvector: set TEST_DATABASE_URL (scripts/ensure-postgres.sh prints one) to run it';

/**
 * Declares `body` twice: against embedded PGlite and against the real server from
 * TEST_DATABASE_URL (skipped, visibly, when that is unset). Each suite gets its own
 * fresh database so suites never see each other's rows.
 */
export function describeEachDatabase(
  title: string,
  body: (get: () => TestDatabase) => void,
  options: TestDatabaseOptions = {},
): void {
  for (const mode of ['embedded', 'server'] as const) {
    const skip = options.skip || (mode === 'server' && !TEST_DATABASE_URL ? NO_SERVER : false);
    describe(`${title} [${mode === 'embedded' ? 'pglite' : 'postgres'}]`, { skip }, () => {
      let current: TestDatabase | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      before(async () => {
        const made = mode === 'embedded' ? await makeEmbeddedConfig() : await makeServerDatabase();
        cleanup = made.cleanup;
        const database = await openDatabase(made.config, silentLogger, { sessionSettings: options.sessionSettings, statementTimeoutMs: options.statementTimeoutMs });
        if (options.migrate !== false) await migrateToLatest(database.db);
        current = { mode, config: made.config, database };
      });
      after(async () => {
        await current?.database.close();
        await cleanup?.();
      });
      body(() => {
        if (!current) throw new Error('test database not opened yet');
        return current;
      });
    });
  }
}

export async function makeEmbeddedConfig(): Promise<{ config: Config; cleanup: () => Promise<void> }> {
  const dir = await seededDataDir('headline-search-test-');
  return {
    config: parseConfig({ DATA_DIR: dir, EMBEDDED_DB_PORT: '0', LOG_LEVEL: 'silent' }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

let counter = 0;

export async function makeServerDatabase(): Promise<{ config: Config; url: string; cleanup: () => Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `hs_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    config: parseConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' }),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
