import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../src/db/migrations.ts';
import { openDatabase, type Database } from '../src/db/open-database.ts';
import { silentLogger } from '../src/logger.ts';
import { startQueryEmbeddingWorker } from '../src/search/query-embedding-worker.ts';
import { queryEmbedder } from './support/graphql-fixture.ts';
import { startServeProcess, type ServeProcess } from './support/serve-process.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

const ROWS = 500;

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function insertQueries(database: Database, from: number, n: number): Promise<void> {
  await sql`insert into search_queries (text) select 'instance test query ' || i from generate_series(${from}::int, ${from + n - 1}::int) i`.execute(database.db);
}

const pendingCount = async (database: Database) =>
  (await sql<{ n: number }>`select count(*)::int as n from search_queries where embedded_at is null`.execute(database.db)).rows[0]!.n;

// Several API instances on one server share the search_queries queue. Server mode only: an
// embedded database belongs to one process.
describe('several API instances on one database [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  let made: Awaited<ReturnType<typeof makeServerDatabase>>;
  let database: Database;

  before(async () => {
    made = await makeServerDatabase();
    database = await openDatabase(made.config, silentLogger);
    await migrateToLatest(database.db);
  });
  after(async () => {
    await database?.close();
    await made?.cleanup();
  });

  test('three embedders racing over 500 rows: each row goes to the model exactly once', async () => {
    await sql`truncate search_queries`.execute(database.db);
    const seen: string[][] = [[], [], []];
    const databases = await Promise.all(seen.map(() => openDatabase(made.config, silentLogger)));
    const workers = await Promise.all(
      seen.map((texts, i) =>
        startQueryEmbeddingWorker({
          database: databases[i]!,
          logger: silentLogger,
          batchSize: 16,
          pollMs: 20,
          // Slow enough that the three are embedding at the same time.
          embed: async (batch) => {
            texts.push(...batch);
            await new Promise((r) => setTimeout(r, 5));
            return batch.map(() => new Float32Array(512).fill(1 / Math.sqrt(512)));
          },
        }),
      ),
    );
    try {
      for (let from = 1; from <= ROWS; from += 50) await insertQueries(database, from, 50);
      await until('every row is embedded', async () => (await pendingCount(database)) === 0);
    } finally {
      for (const w of workers) await w.close();
      for (const d of databases) await d.close();
    }
    const all = seen.flat();
    assert.equal(all.length, ROWS, `model calls per row: ${all.length} texts for ${ROWS} rows`);
    assert.equal(new Set(all).size, ROWS);
    assert.ok(seen.filter((s) => s.length > 0).length >= 2, `the work was shared: ${seen.map((s) => s.length).join(', ')}`);
  });

  test('three `headlines serve` processes, one killed midway: all 500 rows embedded, each exactly once, none skipped', async () => {
    await sql`truncate search_queries`.execute(database.db);
    // Every committed embedding, with the instance that stored it (application_name).
    await sql`create table embed_audit (query_id bigint not null, instance text not null)`.execute(database.db);
    await sql`create function audit_embedding() returns trigger language plpgsql as $$
      begin insert into embed_audit values (new.id, current_setting('application_name')); return null; end $$`.execute(database.db);
    await sql`create trigger audit_embedding after update on search_queries for each row
      when (old.embedding is distinct from new.embedding) execute function audit_embedding()`.execute(database.db);

    const instances: ServeProcess[] = [];
    try {
      for (const name of ['instance-1', 'instance-2', 'instance-3']) {
        const url = new URL(made.url);
        url.searchParams.set('application_name', name);
        instances.push(await startServeProcess({ DATABASE_URL: url.toString(), EMBED_MODEL: 'hash', LOG_LEVEL: 'info' }));
      }
      const embeddedBy = async () =>
        new Map((await sql<{ instance: string; n: number }>`select instance, count(*)::int as n from embed_audit group by instance`.execute(database.db)).rows.map((r) => [r.instance, r.n]));

      // Rows arrive while the instances work; the one that has embedded the most is killed midway.
      for (let from = 1; from <= ROWS / 2; from += 25) await insertQueries(database, from, 25);
      await until('some rows are embedded', async () => [...(await embeddedBy()).values()].reduce((a, b) => a + b, 0) >= 50);
      const busiest = [...(await embeddedBy()).entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const victim = instances[Number(busiest.slice(-1)) - 1]!;
      await Promise.all([victim.kill(), insertQueries(database, ROWS / 2 + 1, ROWS / 2)]);
      const byVictim = (await embeddedBy()).get(busiest) ?? 0;
      assert.ok(byVictim > 0 && byVictim < ROWS, `${busiest} was killed midway, after ${byVictim} rows`);

      await until('every row is embedded', async () => (await pendingCount(database)) === 0);
      const { rows } = await sql<{ total: number; distinct_rows: number; errors: number; max_per_row: number }>`
        select (select count(*)::int from embed_audit) as total,
               (select count(distinct query_id)::int from embed_audit) as distinct_rows,
               (select count(*)::int from search_queries where error is not null or embedding is null) as errors,
               (select coalesce(max(n), 0)::int from (select count(*) as n from embed_audit group by query_id) c) as max_per_row`.execute(database.db);
      assert.deepEqual(rows[0], { total: ROWS, distinct_rows: ROWS, errors: 0, max_per_row: 1 });
      // The survivors finished the work; the killed instance stored nothing after it died.
      const after = await embeddedBy();
      assert.equal(after.get(busiest) ?? 0, byVictim);
      assert.equal([...after.values()].reduce((a, b) => a + b, 0), ROWS);

      // What was stored is the model's vector for that text.
      const embedder = await queryEmbedder(0);
      try {
        const sample = await sql<{ text: string; embedding: string }>`select text, embedding::text as embedding from search_queries order by id desc limit 5`.execute(database.db);
        for (const row of sample.rows) {
          const expected = await embedder.embedQuery(row.text);
          const stored = JSON.parse(row.embedding) as number[];
          assert.ok(stored.every((v, i) => Math.abs(v - expected[i]!) < 1e-3), `embedding of "${row.text}"`);
        }
      } finally {
        await embedder.close();
      }
    } finally {
      for (const instance of instances) await instance.stop().catch(() => undefined);
    }
  });
});
