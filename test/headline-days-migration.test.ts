import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { migrateToLatest, MIGRATIONS_DIR } from '../src/db/migrations.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { silentLogger } from '../src/logger.ts';
import { tempDir } from './support/ingest-fixtures.ts';
import { makeEmbeddedConfig, makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

/** A migrations folder that stops before 0008: the schema a database had before upgrading. */
function migrationsBefore0008(): string {
  const dir = tempDir('hs-migrations-0007-');
  for (const file of fs.readdirSync(MIGRATIONS_DIR).filter((f) => f < '0008')) fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
  return dir;
}

const ROW = (day: string, text: string) =>
  `insert into headlines (published_on, text, embedding, embedding_reduced) values ('${day}', '${text}', array_fill(0.01, array[512])::halfvec(512), array_fill(0.1, array[8])::halfvec)`;

async function daysAgainstHeadlines(db: Kysely<any>): Promise<{ kept: unknown[]; counted: unknown[] }> {
  const kept = (await sql`select published_on::text as day, headlines as n from headline_days order by 1`.execute(db)).rows;
  const counted = (await sql`select published_on::text as day, count(*)::integer as n from headlines group by 1 order by 1`.execute(db)).rows;
  return { kept, counted };
}

test('upgrading while a writer commits between the backfill and the triggers still counts every headline per day [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, async () => {
  const { config, url, cleanup } = await makeServerDatabase();
  const database = await openDatabase(config, silentLogger);
  const writer = new pg.Client({ connectionString: url });
  const watcher = new pg.Client({ connectionString: url });
  await Promise.all([writer.connect(), watcher.connect()]);
  const before = migrationsBefore0008();
  try {
    await migrateToLatest(database.db, before);
    await sql.raw(ROW('2003-02-19', 'already there')).execute(database.db);
    // A writer's rows, not yet committed when the upgrade reads the table to fill headline_days.
    await writer.query('begin');
    await writer.query(ROW('2003-02-19', 'committed during the upgrade'));
    await writer.query(ROW('2003-02-20', 'also committed during the upgrade'));
    let settled = false;
    const upgrade = migrateToLatest(database.db).finally(() => (settled = true));
    // The upgrade has filled headline_days and waits for the writer's lock to create its triggers.
    for (;;) {
      if (settled) throw new Error(`the upgrade ended without waiting for the writer: ${await upgrade.catch(String)}`);
      const { rows } = await watcher.query(`select 1 from pg_locks where relation = 'headlines'::regclass and not granted`);
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await writer.query('commit');
    await upgrade;
    const { kept, counted } = await daysAgainstHeadlines(database.db);
    assert.deepEqual(counted, [{ day: '2003-02-19', n: 2 }, { day: '2003-02-20', n: 1 }]);
    assert.deepEqual(kept, counted);
    // And the triggers keep it exact afterwards.
    await sql.raw(ROW('2003-02-20', 'after the upgrade')).execute(database.db);
    const later = await daysAgainstHeadlines(database.db);
    assert.deepEqual(later.kept, later.counted);
  } finally {
    await Promise.all([writer.end(), watcher.end()]);
    await database.close();
    fs.rmSync(before, { recursive: true, force: true });
    await cleanup();
  }
});

test('the recount runs on PGlite too, and leaves headline_days exact [pglite]', async () => {
  const { config, cleanup } = await makeEmbeddedConfig();
  const database = await openDatabase(config, silentLogger);
  const before = migrationsBefore0008();
  try {
    await migrateToLatest(database.db, before);
    await sql.raw(ROW('2003-02-19', 'one')).execute(database.db);
    await sql.raw(ROW('2003-02-19', 'two')).execute(database.db);
    const applied = await migrateToLatest(database.db);
    assert.ok(applied.includes('0010_exact_headline_days'), applied.join());
    const { kept, counted } = await daysAgainstHeadlines(database.db);
    assert.deepEqual(counted, [{ day: '2003-02-19', n: 2 }]);
    assert.deepEqual(kept, counted);
  } finally {
    await database.close();
    fs.rmSync(before, { recursive: true, force: true });
    await cleanup();
  }
});
