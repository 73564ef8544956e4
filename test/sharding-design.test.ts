import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { buildHnswIndex } from '../src/db/build-hnsw-index.ts';
import { DEFAULT_HNSW_PARAMS } from '../src/db/hnsw-index.ts';
import { migrateToLatest } from '../src/db/migrations.ts';
import { openDatabase, type Database } from '../src/db/open-database.ts';
import type { DB } from '../src/db/schema.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { loadFixture, queryEmbedder } from './support/graphql-fixture.ts';
import type { SearchRow } from './support/search-row.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

// docs/sharding.md's design for Citus, checked where plain PostgreSQL can check it: one
// database with the whole fixture, and two "shards" holding it split by the distribution key
// (published_on), each with its own HNSW index and its own copy of the projection (as Citus
// replicates a reference table). What the Citus coordinator does (merge the shards' sorted
// answers, keep the first n) is done here by `mergeFirst`.
const DISTRIBUTED_SEARCH = fs.readFileSync(new URL('../docs/sharding/distributed-search.sql', import.meta.url), 'utf8');
const QUERIES = ['drought hits farmers', 'council rates rise', 'police investigate crash', 'cricket world cup', 'hospital waiting lists', 'bushfire threatens homes', 'interest rates', 'flood warning'];
const K = 10;
const POOL = 50;

type Row = SearchRow;
interface Candidate {
  id: string;
  distance: number;
  reduced_distance: number;
}

/** The coordinator's merge: the shards' answers as one list, sorted, cut at n. */
function mergeFirst<T>(lists: T[][], n: number, order: (a: T, b: T) => number): T[] {
  return lists.flat().sort(order).slice(0, n);
}
const byId = (a: { id: string }, b: { id: string }) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

/** Which shard a day lives on: days stay whole, as with Citus hash distribution by published_on. */
const SHARD_OF = sql`(abs(hashtext(published_on::text)) % 2)`;

describe('sharding design, two local databases as shards [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  const made: Array<Awaited<ReturnType<typeof makeServerDatabase>>> = [];
  let whole: Database;
  let shards: Database[];
  let embedder: QueryEmbedder;

  const vector = async (q: string) => toVectorLiteral(await embedder.embedQuery(q));
  const exactSearch = async (db: Kysely<DB>, q: string, k: number) =>
    (await sql<Row>`select * from semantic_search(${await vector(q)}::halfvec(512), ${k}::int)`.execute(db)).rows;

  before(async () => {
    for (let i = 0; i < 3; i++) made.push(await makeServerDatabase());
    // One connection each, so that session settings (SET) hold for every later statement.
    const opened = await Promise.all(made.map((m) => openDatabase(m.config, silentLogger, { poolSize: 1 })));
    whole = opened[0]!;
    shards = opened.slice(1);
    embedder = await queryEmbedder();
    const loader = await openDatabase(made[0]!.config, silentLogger);
    try {
      await migrateToLatest(loader.db);
      await loadFixture(loader);
    } finally {
      await loader.close();
    }
    for (const [i, shard] of shards.entries()) {
      await migrateToLatest(shard.db);
      // Reference tables: the same rows on every node.
      const projection = await sql<Record<string, unknown>>`select model_id, kind, input_dimensions, dimensions, params, mean::text as mean, version from projection`.execute(whole.db);
      const p = projection.rows[0]!;
      await sql`insert into projection (model_id, kind, input_dimensions, dimensions, params, mean, version)
                values (${p.model_id}, ${p.kind}, ${p.input_dimensions}, ${p.dimensions}, ${JSON.stringify(p.params)}::jsonb, ${p.mean}::vector, ${p.version})`.execute(shard.db);
      const basis = await sql<{ component: number; direction: string }>`select component, direction::text as direction from projection_basis order by component`.execute(whole.db);
      for (const b of basis.rows) await sql`insert into projection_basis values (${b.component}, ${b.direction}::vector)`.execute(shard.db);
      // Distributed table: each row on the shard of its day, ids kept.
      const rows = await sql<{ id: string; published_on: string; text: string; embedding: string; embedding_reduced: string }>`
        select id, published_on, text, embedding::text as embedding, embedding_reduced::text as embedding_reduced
        from headlines where ${SHARD_OF} = ${i} order by id`.execute(whole.db);
      assert.ok(rows.rows.length > 500, `shard ${i} holds ${rows.rows.length} rows`);
      for (let from = 0; from < rows.rows.length; from += 500) {
        const chunk = rows.rows.slice(from, from + 500);
        await sql`insert into headlines (id, published_on, text, embedding, embedding_reduced) overriding system value
                  select * from unnest(${chunk.map((r) => r.id)}::bigint[], ${chunk.map((r) => r.published_on)}::date[], ${chunk.map((r) => r.text)}::text[],
                                       ${chunk.map((r) => r.embedding)}::halfvec(512)[], ${chunk.map((r) => r.embedding_reduced)}::halfvec[])`.execute(shard.db);
      }
      await buildHnswIndex(shard, Number(p.dimensions), DEFAULT_HNSW_PARAMS);
    }
    const counts = await Promise.all([whole, ...shards].map(async (d) => (await sql<{ n: number }>`select count(*)::int as n from headlines`.execute(d.db)).rows[0]!.n));
    assert.equal(counts[1]! + counts[2]!, counts[0]);
  });

  after(async () => {
    await embedder?.close();
    for (const d of [whole, ...(shards ?? [])]) await d?.close();
    for (const m of made) await m.cleanup();
  });

  test('exact top-k: every shard\'s first k, merged, is the whole table\'s first k', async () => {
    for (const db of [whole, ...shards]) await sql`select set_config('headline_search.exact_scan_rows', '1000000000', false)`.execute(db.db);
    try {
      for (const q of QUERIES) {
        const expected = await exactSearch(whole.db, q, K);
        const perShard = await Promise.all(shards.map((s) => exactSearch(s.db, q, K)));
        const merged = mergeFirst(perShard, K, (a, b) => b.similarity - a.similarity || byId(a, b));
        assert.deepEqual(merged.map((r) => [r.id, r.similarity]), expected.map((r) => [r.id, r.similarity]), q);
      }
    } finally {
      for (const db of [whole, ...shards]) await sql`select set_config('headline_search.exact_scan_rows', '', false)`.execute(db.db);
    }
  });

  test('reference tables: the projection read on a shard projects a query exactly as on the coordinator', async () => {
    for (const q of QUERIES.slice(0, 3)) {
      const v = await vector(q);
      const [onWhole, ...onShards] = await Promise.all([whole, ...shards].map(async (d) => (await sql<{ r: string }>`select project_embedding(${v}::halfvec(512))::text as r`.execute(d.db)).rows[0]!.r));
      for (const r of onShards) assert.equal(r, onWhole);
    }
  });

  describe('with docs/sharding/distributed-search.sql applied', () => {
    let original: Map<string, Row[]>;
    before(async () => {
      // The ANN path in every case, and the same results from the original function to compare with.
      original = new Map();
      await sql`select set_config('headline_search.exact_scan_rows', '0', false)`.execute(whole.db);
      for (const q of QUERIES) {
        original.set(q, (await sql<Row>`select * from semantic_search(${await vector(q)}::halfvec(512), ${K}::int)`.execute(whole.db)).rows);
        original.set(`${q} 2010-2012`, (await sql<Row>`select * from semantic_search(${await vector(q)}::halfvec(512), ${K}::int, '2010-01-01', '2012-12-31')`.execute(whole.db)).rows);
      }
      for (const d of [whole, ...shards]) {
        await sql.raw(DISTRIBUTED_SEARCH).execute(d.db);
        await sql`select refresh_headline_day_counts()`.execute(d.db);
        // What citus-setup.sql sets per database (a session SET would not reach Citus workers).
        await sql`set hnsw.ef_search = 200`.execute(d.db);
        await sql`set hnsw.iterative_scan = relaxed_order`.execute(d.db);
        await sql`set hnsw.max_scan_tuples = 200000`.execute(d.db);
        await sql`select set_config('headline_search.exact_scan_rows', '0', false)`.execute(d.db);
      }
    });

    test('headline_rows_estimate counts the days in range exactly', async () => {
      const { rows } = await sql<{ estimate: number; n: number }>`
        select headline_rows_estimate('2010-01-01', '2012-12-31') as estimate,
               (select count(*)::int from headlines where published_on between '2010-01-01' and '2012-12-31') as n`.execute(whole.db);
      assert.equal(rows[0]!.estimate, rows[0]!.n);
    });

    test('the distributed semantic_search returns what migration 0004\'s did on one database', async () => {
      for (const q of QUERIES) {
        const now = (await sql<Row>`select * from semantic_search(${await vector(q)}::halfvec(512), ${K}::int)`.execute(whole.db)).rows;
        assert.deepEqual(now, original.get(q), q);
        const filtered = (await sql<Row>`select * from semantic_search(${await vector(q)}::halfvec(512), ${K}::int, '2010-01-01', '2012-12-31')`.execute(whole.db)).rows;
        assert.ok(filtered.length === K && filtered.every((r) => r.published_on >= '2010-01-01' && r.published_on <= '2012-12-31'));
        assert.deepEqual(filtered, original.get(`${q} 2010-2012`), `${q}, 2010-2012`);
      }
    });

    test('per-shard LIMIT pool, merged by reduced distance and re-ranked on the shards\' exact distances, equals one database\'s', async () => {
      // Exact nearest-neighbour order everywhere (no index): what is compared is the
      // distribution, not one HNSW graph against two.
      const pinned = [whole, ...shards];
      for (const d of pinned) await sql`set enable_indexscan = off`.execute(d.db);
      try {
        for (const q of QUERIES) {
          const v = await vector(q);
          const candidates = (d: Database) =>
            sql<Candidate>`select c.id, c.distance, c.reduced_distance
                           from shard_candidates(${v}::halfvec(512), project_embedding(${v}::halfvec(512)), (select dimensions from projection), ${POOL}::int, '-infinity', 'infinity') c`
              .execute(d.db)
              .then((r) => r.rows);
          const [one, ...perShard] = await Promise.all(pinned.map(candidates));
          for (const list of perShard) assert.equal(list.length, POOL, 'each shard answers its own first pool');
          const merged = mergeFirst(perShard, POOL, (a, b) => a.reduced_distance - b.reduced_distance || byId(a, b));
          assert.deepEqual(merged.map((c) => c.id).sort(), one!.map((c) => c.id).sort(), `${q}: the same ${POOL} candidates`);
          const rerank = (list: Candidate[]) => [...list].sort((a, b) => a.distance - b.distance || byId(a, b)).slice(0, K).map((c) => [c.id, c.distance]);
          assert.deepEqual(rerank(merged), rerank(one!), `${q}: the same top ${K}`);
          // And that top k is what semantic_search serves with the same pool.
          await sql`select set_config('headline_search.candidates', ${String(POOL)}, false)`.execute(whole.db);
          const served = (await sql<Row>`select * from semantic_search(${v}::halfvec(512), ${K}::int)`.execute(whole.db)).rows;
          await sql`select set_config('headline_search.candidates', '', false)`.execute(whole.db);
          assert.deepEqual(served.map((r) => r.id), rerank(one!).map(([id]) => id));
        }
      } finally {
        for (const d of pinned) await sql`reset enable_indexscan`.execute(d.db);
      }
    });
  });
});
