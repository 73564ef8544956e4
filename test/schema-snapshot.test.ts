import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { checkKyselyTypes } from '../scripts/schema/check-kysely-types.ts';
import { openMigratedPglite } from '../scripts/schema/open-migrated-pglite.ts';
import { schemaFileText } from '../scripts/schema/schema-file-text.ts';

const read = (file: string) => fs.readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

// One database migrated with every migration plus one more that adds a table, as a
// developer's new migration would before `npm run schema` is run again.
describe('the schema snapshot and the Kysely types, against a database with a new migration', () => {
  let dir: string;
  let db: PGlite;
  let files: string[];
  const types = read('src/db/schema.ts');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-schema-'));
    for (const file of fs.readdirSync(new URL('../migrations/', import.meta.url))) {
      fs.copyFileSync(new URL(`../migrations/${file}`, import.meta.url), path.join(dir, file));
    }
    fs.writeFileSync(path.join(dir, '9999_watchlist.sql'), 'create table watchlist (id bigint generated always as identity primary key, note text);\n');
    ({ db, files } = await openMigratedPglite(dir));
  });

  after(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the committed db/schema.sql no longer matches, and the regenerated text has the new table', async () => {
    const text = await schemaFileText(db, files);
    assert.notEqual(text, read('db/schema.sql'));
    assert.match(text, /^-- .*9999_watchlist\.sql\.$/m);
    assert.match(text, /^create table watchlist \(\n {2}id bigint generated always as identity not null,\n {2}note text,\n {2}constraint watchlist_pkey PRIMARY KEY \(id\)\n\);$/m);
    // Everything the committed snapshot holds is still there: only the new table was added.
    for (const line of read('db/schema.sql').split('\n').filter((l) => l.startsWith('create ') || l.startsWith('CREATE '))) {
      assert.ok(text.includes(line), line);
    }
  });

  test('src/db/schema.ts is reported for the missing table, and agrees once it is typed', async () => {
    assert.deepEqual(await checkKyselyTypes(db, types), ['table watchlist is in the database but not in DB']);
    const typed = types
      .replace('export interface DB {', 'export interface WatchlistTable {\n  id: GeneratedAlways<string>;\n  note: string | null;\n}\n\nexport interface DB {\n  watchlist: WatchlistTable;');
    assert.deepEqual(await checkKyselyTypes(db, typed), []);
  });

  test('wrong nullability, a missing column, an unknown one and an unmarked identity are each reported', async () => {
    const wrong = types
      .replace('  error: string | null;', '  error: string;')
      .replace('  embedded_at: Date | null;\n', '')
      .replace('  component: number;', '  component: number;\n  weight: number;')
      .replace('  id: GeneratedAlways<string>;\n  text: string;\n  embedding: VectorLiteral | null;', '  id: string;\n  text: string;\n  embedding: VectorLiteral | null;');
    assert.deepEqual((await checkKyselyTypes(db, wrong)).sort(), [
      'projection_basis.weight is typed but not a column in the database',
      'search_queries.embedded_at is in the database but not in its interface',
      'search_queries.error is nullable in the database but typed without null',
      'search_queries.id is generated always by the database (an insert cannot set it) but not typed Generated',
      'table watchlist is in the database but not in DB',
    ]);
  });
});
