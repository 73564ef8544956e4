import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { createHnswIndexStatement } from '../src/db/hnsw-index.ts';
import { insertProjection, loadProjection } from '../src/db/projection-repository.ts';
import { fromVectorLiteral, toVectorLiteral } from '../src/db/vector-literal.ts';
import { gaussianProjection } from '../src/projection/projection-gaussian.ts';
import { project } from '../src/projection/projection.ts';
import { halfCosine, randomUnitVectors } from './support/random-vectors.ts';
import type { SearchRow } from './support/search-row.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const N = 600;
const vectors = randomUnitVectors(N, 512, 11);
const projection = gaussianProjection(512, 16, 5);
// Dates cycle over 30 days of 2010 so ranges have a known population.
const dateOf = (i: number) => `2010-01-${String((i % 30) + 1).padStart(2, '0')}`;


describeEachDatabase('semantic_search and similar_headlines', (get) => {
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
  });

  const bruteForce = (q: Float32Array, k: number, from?: string, to?: string) =>
    vectors
      .map((v, i) => ({ i, sim: halfCosine(q, v), date: dateOf(i) }))
      .filter((r) => (!from || r.date >= from) && (!to || r.date <= to))
      .sort((a, b) => b.sim - a.sim || a.i - b.i)
      .slice(0, k)
      .map((r) => ids[r.i]!);

  const search = async (q: Float32Array, k: number, from: string | null, to: string | null, settings: Record<string, string> = {}) =>
    get().database.db.transaction().execute(async (trx) => {
      for (const [name, value] of Object.entries(settings)) await sql`select set_config(${name}, ${value}, true)`.execute(trx);
      const { rows } = await sql<SearchRow>`select * from semantic_search(${toVectorLiteral(q)}::halfvec(512), ${k}, ${from}::date, ${to}::date) order by rank`.execute(trx);
      return rows;
    });

  test('stored projection round-trips and project_embedding in SQL equals the TypeScript projection', async () => {
    const { db } = get().database;
    const stored = await loadProjection(db);
    assert.equal(stored?.modelId, 'test-model');
    assert.equal(stored?.projection.kind, 'gaussian');
    assert.equal(stored?.projection.basis.length, 16);
    const q = vectors[3]!;
    const { rows } = await sql<{ v: string }>`select project_embedding(${toVectorLiteral(q)}::halfvec(512))::text as v`.execute(db);
    const inDb = fromVectorLiteral(rows[0]!.v);
    const inTs = project(stored!.projection, q);
    inTs.forEach((x, i) => assert.ok(Math.abs(x - inDb[i]!) < 2e-3 * Math.max(1, Math.abs(x)), `component ${i}: ${x} vs ${inDb[i]}`));
  });

  test('small scope: the exact path returns brute-force order, ranks 1..k, ties by id', async () => {
    const q = randomUnitVectors(1, 512, 99)[0]!;
    const rows = await search(q, 10, null, null);
    assert.deepEqual(rows.map((r) => r.id), bruteForce(q, 10));
    assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.similarity >= rows[i]!.similarity);
  });

  test('ANN path (index forced): candidates re-ranked by the full vectors', async () => {
    const q = vectors[42]!;
    const rows = await search(q, 10, null, null, { 'headline_search.exact_scan_rows': '0', 'headline_search.candidates': String(N) });
    assert.equal(rows[0]!.id, ids[42]);
    assert.ok(Math.abs(rows[0]!.similarity - 1) < 1e-3);
    assert.deepEqual(rows.map((r) => r.id), bruteForce(q, 10));
  });

  test('the usual request ranks exactly the graph\'s candidates by their full vectors, in one statement', async () => {
    const settings = { 'headline_search.exact_scan_rows': '0', 'headline_search.candidates': '60' };
    for (const seed of [21, 22, 23]) {
      const q = randomUnitVectors(1, 512, seed)[0]!;
      const rows = await search(q, 10, null, null, settings);
      // The graph's own top 60 for the same reduced query (projected in SQL, as the function
      // does) at the same ef_search, re-ranked apart, as before migration 0016.
      const candidates = await get().database.db.transaction().execute(async (trx) => {
        await sql`select set_config('hnsw.ef_search', '60', true)`.execute(trx);
        const reduced = (await sql<{ r: string }>`select project_embedding(${toVectorLiteral(q)}::halfvec(512))::text as r`.execute(trx)).rows[0]!.r;
        const { rows: found } = await sql<{ id: string }>`select id from headlines
          order by embedding_reduced::halfvec(16) <=> ${reduced}::halfvec(16) limit 60`.execute(trx);
        return new Set(found.map((r) => r.id));
      });
      assert.equal(candidates.size, 60);
      const reranked = vectors
        .map((v, i) => ({ id: ids[i]!, sim: halfCosine(q, v) }))
        .filter((r) => candidates.has(r.id))
        .sort((a, b) => b.sim - a.sim || Number(a.id) - Number(b.id))
        .slice(0, 10);
      assert.deepEqual(rows.map((r) => r.id), reranked.map((r) => r.id));
      assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      rows.forEach((r, i) => assert.ok(Math.abs(r.similarity - reranked[i]!.sim) < 2e-3, `similarity ${r.similarity} vs ${reranked[i]!.sim}`));
    }
  });

  test('a pool larger than the table: the graph runs out, and the answer is the exact one', async () => {
    const q = randomUnitVectors(1, 512, 31)[0]!;
    const rows = await search(q, 10, null, null, { 'headline_search.exact_scan_rows': '0', 'headline_search.candidates': String(N + 50) });
    assert.deepEqual(rows.map((r) => r.id), bruteForce(q, 10));
    assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('date range: every row inside; narrow ranges equal brute force on both paths', async () => {
    const q = randomUnitVectors(1, 512, 7)[0]!;
    for (const settings of [{}, { 'headline_search.exact_scan_rows': '0' }] as Record<string, string>[]) {
      const oneDay = await search(q, 10, '2010-01-05', '2010-01-05', settings);
      assert.deepEqual(oneDay.map((r) => r.id), bruteForce(q, 10, '2010-01-05', '2010-01-05'));
      assert.ok(oneDay.every((r) => r.published_on === '2010-01-05'));
      const week = await search(q, 15, '2010-01-10', '2010-01-16', settings);
      assert.equal(week.length, 15);
      assert.ok(week.every((r) => r.published_on >= '2010-01-10' && r.published_on <= '2010-01-16'));
    }
    // 20 rows per day: asking for 50 in one day gives all 20.
    const all = await search(q, 50, '2010-01-05', '2010-01-05');
    assert.equal(all.length, 20);
  });

  test('range scan path: every reduced vector in the range, re-ranked; exact when the pool covers the range', async () => {
    const q = randomUnitVectors(1, 512, 13)[0]!;
    const rangeScan = { 'headline_search.exact_scan_rows': '0', 'headline_search.range_scan_factor': '1e9' };
    const week = await search(q, 15, '2010-01-10', '2010-01-16', { ...rangeScan, 'headline_search.candidates': '140' });
    assert.deepEqual(week.map((r) => r.id), bruteForce(q, 15, '2010-01-10', '2010-01-16'));
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (format text)
      select h.id from headlines h where h.published_on >= '2010-01-10' and h.published_on <= '2010-01-16'
      order by h.embedding_reduced::halfvec(16) <=> ${toVectorLiteral(project(projection, q))}::halfvec(16), h.id limit 10`.execute(get().database.db);
    assert.match(rows.map((r) => r['QUERY PLAN']).join('\n'), /headlines_published_on_reduced_idx/, 'the range is read from the date-ordered index of reduced vectors');
    // With the default pool (200 of 140 rows in range) the answer is exact as well.
    const defaultPool = await search(q, 15, '2010-01-10', '2010-01-16', rangeScan);
    assert.deepEqual(defaultPool.map((r) => r.id), week.map((r) => r.id));
  });

  test('similar_headlines excludes the headline itself and starts with its nearest neighbour', async () => {
    const { db } = get().database;
    const target = 17;
    const { rows } = await sql<SearchRow>`select * from similar_headlines(${ids[target]!}::bigint, 5) order by rank`.execute(db);
    assert.equal(rows.length, 5);
    assert.ok(!rows.some((r) => r.id === ids[target]));
    const expected = bruteForce(vectors[target]!, 6).filter((id) => id !== ids[target]).slice(0, 5);
    assert.deepEqual(rows.map((r) => r.id), expected);
    assert.deepEqual(rows.map((r) => r.rank), [1, 2, 3, 4, 5]);
    const none = await sql<SearchRow>`select * from similar_headlines(-1, 5)`.execute(db);
    assert.equal(none.rows.length, 0);
  });

  test('usable in FROM, CROSS JOIN LATERAL and IN (...)', async () => {
    const { db } = get().database;
    const lateral = await sql<{ source: string; n: number }>`
      select src.id as source, count(*)::int as n
      from headlines src cross join lateral similar_headlines(src.id, 3) s
      where src.id in (${ids[0]!}::bigint, ${ids[1]!}::bigint)
      group by src.id order by src.id`.execute(db);
    assert.deepEqual(lateral.rows.map((r) => r.n), [3, 3]);
    const inList = await sql<{ n: number }>`
      select count(*)::int as n from headlines
      where id in (select id from semantic_search(${toVectorLiteral(vectors[5]!)}::halfvec(512), 4))`.execute(db);
    assert.equal(inList.rows[0]!.n, 4);
  });

  test('bad arguments are errors, not empty results', async () => {
    await assert.rejects(search(vectors[0]!, 0, null, null), /k must be at least 1/);
  });
});
