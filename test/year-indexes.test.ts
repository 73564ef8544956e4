import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { buildYearIndexes } from '../src/db/build-hnsw-index.ts';
import { createHnswIndexStatement, DEFAULT_HNSW_PARAMS, yearIndexName } from '../src/db/hnsw-index.ts';
import { insertProjection } from '../src/db/projection-repository.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { fitPcaProjection } from '../src/projection/projection-pca.ts';
import { project } from '../src/projection/projection.ts';
import { halfCosine, randomUnitVectors } from './support/random-vectors.ts';
import type { SearchRow } from './support/search-row.ts';
import { describeEachDatabase } from './support/test-databases.ts';

// Three full years of 300 rows and a fourth of 40, below the threshold the build is given.
const PER_YEAR = 300;
const SMALL_YEAR = 40;
const THRESHOLD = 100;
const N = 3 * PER_YEAR + SMALL_YEAR;
// Vectors near a 16-d subspace, which PCA to 16 dimensions finds: reduced distances then
// rank nearly as the full ones, as the model's vectors do, and recall measures the path.
const basis = randomUnitVectors(16, 512, 7);
const nearSubspace = (count: number, seed: number): Float32Array[] => {
  const weights = randomUnitVectors(count, 16, seed);
  const noise = randomUnitVectors(count, 512, seed + 1);
  return weights.map((w, i) => {
    const v = new Float32Array(512);
    for (let d = 0; d < 512; d++) {
      let x = 0.15 * noise[i]![d]!;
      for (let c = 0; c < 16; c++) x += w[c]! * basis[c]![d]!;
      v[d] = x;
    }
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
};
const vectors = nearSubspace(N, 23);
const projection = await fitPcaProjection(vectors, 16);
const dateOf = (i: number): string => {
  const year = i < 3 * PER_YEAR ? 2009 + Math.floor(i / PER_YEAR) : 2012;
  const day = i % 300;
  return `${year}-${String(Math.floor(day / 28) + 1).padStart(2, '0')}-${String((day % 28) + 1).padStart(2, '0')}`;
};
// Candidates fewer than a year's rows, so that a range's ranking rests on the candidates
// its years' indexes give, and no scope is small enough to be compared exactly.
// A year of 300 rows is cheaper sorted than searched through a graph, and the planner
// knows it: without sorts it takes the graph, whose use is what is checked here.
const SETTINGS = { 'headline_search.exact_scan_rows': '0', 'headline_search.candidates': '100', enable_sort: 'off' };

describeEachDatabase('year indexes: a range of a few years searched year by year', (get) => {
  let ids: string[] = [];

  before(async () => {
    const { db } = get().database;
    await insertProjection(db, 'test-model', projection);
    const inserted = await db
      .insertInto('headlines')
      .values(vectors.map((v, i) => ({ published_on: dateOf(i), text: `headline ${i}`, embedding: toVectorLiteral(v), embedding_reduced: toVectorLiteral(project(projection, v)) })))
      .returning('id')
      .execute();
    ids = inserted.map((r) => r.id);
    await createHnswIndexStatement(16).execute(db);
    await sql`analyze headlines`.execute(db);
  });

  const bruteForce = (q: Float32Array, k: number, from: string, to: string) =>
    vectors
      .map((v, i) => ({ i, sim: halfCosine(q, v), date: dateOf(i) }))
      .filter((r) => r.date >= from && r.date <= to)
      .sort((a, b) => b.sim - a.sim || a.i - b.i)
      .slice(0, k)
      .map((r) => ids[r.i]!);

  const search = async (q: Float32Array, from: string, to: string, reduced: Float32Array | null = null, settings: Record<string, string> = SETTINGS) =>
    get().database.db.transaction().execute(async (trx) => {
      for (const [name, value] of Object.entries(settings)) await sql`select set_config(${name}, ${value}, true)`.execute(trx);
      const r = reduced ? sql`${toVectorLiteral(reduced)}::halfvec` : sql`null`;
      const { rows } = await sql<SearchRow>`select * from semantic_search(${toVectorLiteral(q)}::halfvec(512), 10, ${from}::date, ${to}::date, ${r}) order by rank`.execute(trx);
      // The index scans counted reach pg_stat_user_indexes at this commit, not a second later.
      if (get().mode === 'server') await sql`select pg_stat_force_next_flush()`.execute(trx);
      return rows;
    });

  const indexScans = async (year: number): Promise<number> => {
    const { rows } = await sql<{ n: string }>`select coalesce(sum(idx_scan), 0)::text as n from pg_stat_user_indexes where indexrelname = ${yearIndexName(year)}`.execute(get().database.db);
    return Number(rows[0]!.n);
  };

  test('the build gives each year past the threshold its own index, once, and headline_year_indexes lists them', async () => {
    const { db } = get().database;
    const built = await buildYearIndexes(get().database, 16, DEFAULT_HNSW_PARAMS, { workers: 0, yearIndexMinRows: THRESHOLD });
    assert.deepEqual(built, [2009, 2010, 2011]);
    const { rows } = await sql<{ year: number; index_name: string; headlines: string }>`select year, index_name, headlines::text from headline_year_indexes()`.execute(db);
    assert.deepEqual(rows.map((r) => [r.year, r.index_name, Number(r.headlines)]), [2009, 2010, 2011].map((y) => [y, yearIndexName(y), PER_YEAR]));
    assert.deepEqual(await buildYearIndexes(get().database, 16, DEFAULT_HNSW_PARAMS, { workers: 0, yearIndexMinRows: THRESHOLD }), []);
  });

  test('a year is ranked through its own index, as the whole-table search would rank it', async () => {
    const before2010 = await indexScans(2010);
    const others = (await indexScans(2009)) + (await indexScans(2011));
    for (const seed of [1, 2, 3]) {
      const q = nearSubspace(1, 500 + seed)[0]!;
      const rows = await search(q, '2010-01-01', '2010-12-31');
      const exact = bruteForce(q, 10, '2010-01-01', '2010-12-31');
      assert.equal(rows.length, 10);
      assert.ok(rows.every((r) => r.published_on >= '2010-01-01' && r.published_on <= '2010-12-31'));
      assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const found = rows.filter((r) => exact.includes(r.id)).length;
      assert.ok(found >= 9, `recall@10 ${found / 10} through the 2010 index`);
      // Ranked by the full vectors: each similarity is the row's own, best first, ties by id.
      const own = rows.map((r) => halfCosine(q, vectors[ids.indexOf(r.id)]!));
      own.forEach((sim, i) => assert.ok(Math.abs(rows[i]!.similarity - sim) < 2e-3, `similarity ${rows[i]!.similarity} vs ${sim}`));
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.similarity >= rows[i]!.similarity, 'best first');
    }
    if (get().mode === 'server') {
      // Statistics reach pg_stat_user_indexes at the end of each transaction.
      assert.ok((await indexScans(2010)) > before2010, 'the 2010 index was not scanned');
      assert.equal((await indexScans(2009)) + (await indexScans(2011)), others, 'another year\'s index was scanned');
    }
  });

  test('a range across a year boundary takes each year\'s part from that year\'s index and merges them', async () => {
    const q = nearSubspace(1, 611)[0]!;
    const [a, b] = [await indexScans(2009), await indexScans(2010)];
    const rows = await search(q, '2009-05-01', '2010-08-28');
    const exact = bruteForce(q, 10, '2009-05-01', '2010-08-28');
    assert.equal(rows.length, 10);
    assert.ok(rows.filter((r) => exact.includes(r.id)).length >= 9);
    assert.ok(rows.every((r) => r.published_on >= '2009-05-01' && r.published_on <= '2010-08-28'));
    if (get().mode === 'server') {
      assert.ok((await indexScans(2009)) > a && (await indexScans(2010)) > b, 'both years\' indexes are scanned');
    }
  });

  test('a range taking a sliver of one year (compared in full) and a whole year (from its graph) finds what brute force does', async () => {
    const before2010 = await indexScans(2010);
    for (const seed of [641, 643]) {
      const q = nearSubspace(1, seed)[0]!;
      const rows = await search(q, '2009-11-01', '2010-11-28');
      const exact = bruteForce(q, 10, '2009-11-01', '2010-11-28');
      assert.equal(rows.length, 10);
      assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.ok(rows.every((r) => r.published_on >= '2009-11-01' && r.published_on <= '2010-11-28'));
      const found = rows.filter((r) => exact.includes(r.id)).length;
      assert.ok(found >= 9, `recall@10 ${found / 10}`);
    }
    if (get().mode === 'server') assert.ok((await indexScans(2010)) > before2010, 'the whole year is read from its graph');
  });

  test('a range reaching a year without an index is searched as before, and still fills its page', async () => {
    const q = nearSubspace(1, 733)[0]!;
    const rows = await search(q, '2011-06-01', '2012-12-31');
    const exact = bruteForce(q, 10, '2011-06-01', '2012-12-31');
    assert.equal(rows.length, 10);
    assert.ok(rows.filter((r) => exact.includes(r.id)).length >= 9);
  });

  test('query_reduced, the query projected by the caller, ranks as the projection in SQL does; a wrong size is refused', async () => {
    for (const seed of [4, 5]) {
      const q = nearSubspace(1, 800 + seed)[0]!;
      for (const [from, to] of [['2009-01-01', '2011-12-31'], ['2010-03-01', '2010-09-30'], ['2009-01-01', '2012-12-31']] as const) {
        const inSql = await search(q, from, to);
        const inCaller = await search(q, from, to, project(projection, q));
        assert.deepEqual(inCaller.map((r) => r.id), inSql.map((r) => r.id), `${from}..${to}`);
      }
    }
    const q = vectors[0]!;
    await assert.rejects(search(q, '2009-01-01', '2009-12-31', new Float32Array(8).fill(0.1)), (error: { code?: string; message: string }) => {
      assert.equal(error.code, '22023');
      assert.match(error.message, /query_reduced has 8 dimensions, the stored projection 16/);
      return true;
    });
  });
});
