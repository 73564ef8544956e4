import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { checkVectorExtension } from '../src/db/check-vector-extension.ts';
import { MIGRATIONS_DIR, migrateToLatest, migrationStatus } from '../src/db/migrations.ts';
import { isAppError } from '../src/errors/app-error.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const ALL = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();

describeEachDatabase(
  'migrations',
  (get) => {
    test('the server reports pgvector >= 0.8', async () => {
      const report = await checkVectorExtension(get().database.db);
      assert.ok(report.available);
    });

    test('empty to latest applies every migration in order, then re-running is a no-op', async () => {
      const { db } = get().database;
      assert.deepEqual((await migrationStatus(db)).filter((m) => m.appliedAt).length, 0);
      assert.deepEqual(await migrateToLatest(db), ALL);
      assert.deepEqual(await migrateToLatest(db), []);
      const status = await migrationStatus(db);
      assert.deepEqual(status.map((m) => m.name), ALL);
      assert.ok(status.every((m) => m.appliedAt instanceof Date));
    });

    test('headlines has a halfvec(512) embedding, a generated tsvector and the expected indexes', async () => {
      const { db } = get().database;
      const { rows } = await sql<{ column_name: string; type: string }>`
        select a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
        from pg_attribute a where a.attrelid = 'headlines'::regclass and a.attnum > 0 and not a.attisdropped
      `.execute(db);
      const types = Object.fromEntries(rows.map((r) => [r.column_name, r.type]));
      assert.equal(types.embedding, 'halfvec(512)');
      assert.equal(types.embedding_reduced, 'halfvec');
      assert.equal(types.published_on, 'date');
      assert.equal(types.text_search, 'tsvector');
      const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'headlines'`.execute(db);
      const names = indexes.rows.map((r) => r.indexname).sort();
      assert.deepEqual(names, ['headlines_pkey', 'headlines_published_on_reduced_idx', 'headlines_published_on_text_key', 'headlines_text_search_idx']);
    });

    test('a broken migration fails loudly and applies nothing of itself', async () => {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-migrations-'));
      for (const f of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(folder, f));
      fs.writeFileSync(path.join(folder, '9999_broken.sql'), 'create table broken_one (x int);\nselect * from no_such_table;');
      try {
        await assert.rejects(migrateToLatest(get().database.db, folder), (error: unknown) => {
          assert.ok(isAppError(error, 'MIGRATION_FAILED'));
          assert.match(error.message, /9999_broken/);
          assert.match(error.message, /no_such_table/);
          return true;
        });
        const { rows } = await sql<{ t: string | null }>`select to_regclass('broken_one')::text as t`.execute(get().database.db);
        assert.equal(rows[0]!.t, null);
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    });

    test('misnumbered migration files are refused', async () => {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-migrations-'));
      fs.writeFileSync(path.join(folder, '0001_a.sql'), 'select 1;');
      fs.writeFileSync(path.join(folder, '0001_b.sql'), 'select 1;');
      try {
        await assert.rejects(migrateToLatest(get().database.db, folder), /share the number 0001/);
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    });
  },
  { migrate: false },
);
