import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { createHnswIndexStatement } from '../src/db/hnsw-index.ts';
import { insertProjection } from '../src/db/projection-repository.ts';
import { searchByMode } from '../src/db/search-by-mode.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import type { Embedder } from '../src/embedding/embedder.ts';
import { createQueryEmbedder } from '../src/embedding/query-embedder.ts';
import { gaussianProjection } from '../src/projection/projection-gaussian.ts';
import { project } from '../src/projection/projection.ts';
import { SearchService } from '../src/search/search-service.ts';
import { MAX_DEPTH } from '../src/search/validate-search-input.ts';
import type { SearchMode } from '../src/shared/search-mode.ts';
import type { DateRange } from '../src/shared/search-types.ts';
import { randomUnitVectors } from './support/random-vectors.ts';
import { describeEachDatabase } from './support/test-databases.ts';

// More rows than the paging depth, and a scan threshold far below them, so every search
// here takes the ANN path (and its deeper candidate tiers) rather than an exact scan.
const N = 1500;
const vectors = randomUnitVectors(N, 512, 21);
const projection = gaussianProjection(512, 16, 3);
const WORDS = ['flood', 'drought', 'election', 'court', 'market', 'storm', 'council'];
const textOf = (i: number) => `${WORDS[i % WORDS.length]} ${WORDS[(i * 3 + 1) % WORDS.length]} report ${i}`;
// 50 rows a day over 30 days of 2012: a 25-day range holds 1,250 rows, a 6-day one 300.
const dateOf = (i: number) => `2012-03-${String((i % 30) + 1).padStart(2, '0')}`;

const QUERIES: Record<string, Float32Array> = {
  'drought relief for farmers': randomUnitVectors(1, 512, 501)[0]!,
  'flood warning': randomUnitVectors(1, 512, 502)[0]!,
};

/** Query texts map to fixed random vectors: the rows are random too, so no model is needed. */
const fixedModel: Embedder = {
  modelId: 'fixed-test-vectors',
  dimensions: 512,
  backend: 'test',
  embed: async (texts) => texts.map((t) => QUERIES[t] ?? assert.fail(`no vector for query ${JSON.stringify(t)}`)),
  close: async () => undefined,
};

describeEachDatabase(
  'deep paging on the ANN path',
  (get) => {
    let service: SearchService;

    before(async () => {
      const { db } = get().database;
      await insertProjection(db, fixedModel.modelId, projection);
      for (let start = 0; start < N; start += 500) {
        const slice = vectors.slice(start, start + 500);
        await db
          .insertInto('headlines')
          .values(slice.map((v, j) => ({ published_on: dateOf(start + j), text: textOf(start + j), embedding: toVectorLiteral(v), embedding_reduced: toVectorLiteral(project(projection, v)) })))
          .execute();
      }
      // A deliberately sparse graph: candidate sets for different pool sizes do not nest,
      // as on a large corpus, so a ranking that depended on the pool would show here.
      await createHnswIndexStatement(projection.dimensions, { m: 2, efConstruction: 4 }).execute(db);
      await sql`analyze headlines`.execute(db);
      service = new SearchService({ db, embedder: createQueryEmbedder(fixedModel, { cacheSize: 10 }), modelId: fixedModel.modelId });
    });

    /** Follows endCursor until hasNextPage is false; every page but the last is full. */
    async function pageThrough(query: string, mode: SearchMode, first: number, filter: DateRange | null): Promise<string[]> {
      const ids: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard <= MAX_DEPTH / first + 1; guard++) {
        const page = await service.search(query, { mode, first, after, filter });
        ids.push(...page.edges.map((e) => e.node.id));
        if (!page.pageInfo.hasNextPage) return ids;
        assert.equal(page.edges.length, first, `a page before the last is full (at ${ids.length})`);
        after = page.pageInfo.endCursor;
      }
      return assert.fail('hasNextPage never turned false');
    }

    // The query projected in JS, as the service projects it: the SQL projection starts from the
    // query rounded to halfvec and differs in the last bits, which on this sparse graph (its
    // levels drawn at random at each build) now and then leads the walk elsewhere.
    const oneQuery = async (query: string, mode: SearchMode, k: number, range: DateRange) =>
      (await searchByMode(get().database.db, mode, query, QUERIES[query]!, k, range, true, project(projection, QUERIES[query]!))).map((r) => r.id);

    const cases: Array<{ query: string; mode: SearchMode; range: DateRange; inRange: number }> = [
      { query: 'drought relief for farmers', mode: 'SEMANTIC', range: { from: null, to: null }, inRange: N },
      { query: 'flood warning', mode: 'HYBRID', range: { from: null, to: null }, inRange: N },
      { query: 'drought relief for farmers', mode: 'SEMANTIC', range: { from: '2012-03-03', to: '2012-03-27' }, inRange: 1250 },
      { query: 'flood warning', mode: 'SEMANTIC', range: { from: '2012-03-10', to: '2012-03-15' }, inRange: 300 },
    ];

    for (const { query, mode, range, inRange } of cases) {
      const depth = Math.min(inRange, MAX_DEPTH);
      test(`${mode} "${query}" ${range.from ?? '…'}..${range.to ?? '…'}: pages of 10 and of 100 both equal one query of ${depth}`, async () => {
        const whole = await oneQuery(query, mode, depth, range);
        assert.equal(whole.length, depth);
        assert.equal(new Set(whole).size, depth, 'no row twice');
        const byTen = await pageThrough(query, mode, 10, range);
        assert.deepEqual(byTen, whole);
        const byHundred = await pageThrough(query, mode, 100, range);
        assert.deepEqual(byHundred, whole);
      });
    }

    test('a smaller k is a prefix of a larger one at every tier boundary', async () => {
      const q = 'drought relief for farmers';
      const range = { from: null, to: null };
      const deepest = await oneQuery(q, 'SEMANTIC', MAX_DEPTH + 1, range);
      for (const k of [1, 10, 199, 200, 201, 211, 999, 1000]) assert.deepEqual(await oneQuery(q, 'SEMANTIC', k, range), deepest.slice(0, k), `k=${k}`);
    });
  },
  // With this factor the 1,250-row range takes the HNSW index (1,250² > 100 × 1,500) and the
  // 300-row one the range scan of reduced vectors (300² <= 100 × 1,500): both candidate sources.
  { sessionSettings: { 'headline_search.exact_scan_rows': '50', 'headline_search.range_scan_factor': '100' } },
);
