import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { buildSchema } from 'graphql';
import { sql } from 'kysely';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { toGlobalId } from '../src/graphql/global-id.ts';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { normalizeText } from '../src/embedding/normalize-text.ts';
import { DEFAULT_SEARCH_MODE } from '../src/shared/search-mode.ts';
import { queryEmbedder, useFixtureServer } from './support/graphql-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';

interface Edge {
  cursor: string;
  similarity: number;
  score: number;
  matchedTerms: string[];
  node: { id: string; text: string; publishedOn: string };
}
interface Page {
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface FunctionRow {
  id: string;
  similarity: number;
  score: number;
  rank: number;
}

const PAGE = `edges { cursor similarity score matchedTerms node { id text publishedOn } } pageInfo { hasNextPage endCursor }`;
const SEARCH = `query($q: String!, $first: Int, $after: String, $filter: HeadlineFilter, $mode: SearchMode) { search(query: $q, first: $first, after: $after, filter: $filter, mode: $mode) { ${PAGE} } }`;
const SIMILAR = `query($id: ID!) { similar(id: $id, first: 5) { ${PAGE} } }`;
// Small enough that 5 pages of 10 run past the fused rows into the semantic continuation.
const FUSION_DEPTH = 30;

let embedder: QueryEmbedder;
before(async () => {
  embedder = await queryEmbedder();
});
after(async () => {
  await embedder?.close();
});

test('the schema\'s default mode is the service\'s', () => {
  const schema = buildSchema(fs.readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
  const mode = schema.getQueryType()!.getFields().search!.args.find((a) => a.name === 'mode')!;
  assert.equal(mode.defaultValue, DEFAULT_SEARCH_MODE);
});

describeEachDatabase(
  'GraphQL search modes',
  (get) => {
    const server = useFixtureServer(get, () => embedder);

    async function gql(query: string, variables: Record<string, unknown>) {
      const response = await server().apollo.executeOperation({ query, variables }, { contextValue: server().contextValue });
      assert.equal(response.body.kind, 'single');
      return response.body.kind === 'single' ? response.body.singleResult : { data: undefined, errors: undefined };
    }
    async function page(variables: Record<string, unknown>, query = SEARCH): Promise<Page> {
      const result = await gql(query, variables);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const data = result.data as Record<string, Page>;
      return data.search ?? data.similar!;
    }
    /** The SQL function of a mode, called as an analyst would, with the API's query vector. */
    async function viaSql(fn: 'hybrid_search' | 'keyword_search', query: string, k: number, filter?: { from?: string; to?: string }): Promise<FunctionRow[]> {
      const text = normalizeText(query);
      const vector = toVectorLiteral(await embedder.embedQuery(text));
      const { rows } = await sql<FunctionRow>`
        select id, similarity, score, rank from ${sql.raw(fn)}(${text}, ${vector}::halfvec(512), ${k}, ${filter?.from ?? null}::date, ${filter?.to ?? null}::date)
        order by rank`.execute(get().database.db);
      return rows;
    }
    async function pages(variables: Record<string, unknown>, count: number, first: number): Promise<Edge[]> {
      const edges: Edge[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < count; i++) {
        const p: Page = await page({ ...variables, first, after: cursor });
        edges.push(...p.edges);
        if (!p.pageInfo.hasNextPage) break;
        cursor = p.pageInfo.endCursor;
      }
      return edges;
    }

    test('HYBRID and KEYWORD equal hybrid_search and keyword_search: ids, order, scores and similarities', async () => {
      const cases: Array<[string, { from?: string; to?: string } | undefined]> = [
        ['howard', undefined],
        ['police investigate crash', { from: '2003-06-01', to: '2012-12-31' }],
        ['Bushfire   threatens homes', { from: '2003-01-01', to: '2003-12-31' }],
        ['"water restrictions" or drought', { from: '2004-01-01' }],
        ['iraq -bush', { to: '2008-12-31' }],
      ];
      for (const [query, filter] of cases) {
        for (const [mode, fn] of [['HYBRID', 'hybrid_search'], ['KEYWORD', 'keyword_search']] as const) {
          const edges = (await page({ q: query, first: 40, filter, mode })).edges;
          const rows = await viaSql(fn, query, 40, filter);
          const label = `${mode} ${query} ${JSON.stringify(filter)}`;
          assert.deepEqual(edges.map((e) => e.node.id), rows.map((r) => toGlobalId('Headline', r.id)), label);
          edges.forEach((e, i) => {
            assert.ok(Math.abs(e.score - rows[i]!.score) <= 1e-6, label);
            assert.ok(Math.abs(e.similarity - rows[i]!.similarity) <= 1e-6, label);
          });
          if (mode === 'HYBRID') assert.ok(edges.length === 40, label);
        }
      }
    });

    test('pages 1..5 of 10 equal the first 50, in every mode, with and without a filter', async () => {
      const queries: Record<string, string> = { HYBRID: 'police investigate crash', SEMANTIC: 'police investigate crash', KEYWORD: 'police or court or govt' };
      for (const filter of [undefined, { from: '2003-06-01', to: '2012-12-31' }]) {
        for (const [mode, q] of Object.entries(queries)) {
          const whole = await page({ q, first: 51, filter, mode });
          assert.equal(whole.edges.length, 51, `${mode} ${JSON.stringify(filter)}`);
          const paged = await pages({ q, filter, mode }, 5, 10);
          assert.deepEqual(paged.map((e) => e.node.id), whole.edges.slice(0, 50).map((e) => e.node.id), `${mode} ${JSON.stringify(filter)}`);
          assert.deepEqual(paged.map((e) => e.score), whole.edges.slice(0, 50).map((e) => e.score));
          for (let i = 1; i < paged.length; i++) assert.ok(paged[i - 1]!.score >= paged[i]!.score, `${mode}: score descends`);
        }
      }
    });

    test('a date-filtered HYBRID search stays in its range and pages through every row of it, never a short page before the end', async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from headlines where published_on between '2016-01-01' and '2016-12-31'`.execute(get().database.db);
      const inRange = rows[0]!.n;
      assert.ok(inRange > 30 && inRange < 60, `fixture has ${inRange} rows in 2016`);
      const filter = { from: '2016-01-01', to: '2016-12-31' };
      const all: Edge[] = [];
      let cursor: string | null = null;
      for (;;) {
        const p: Page = await page({ q: 'police charge man over crash', first: 10, after: cursor, filter, mode: 'HYBRID' });
        all.push(...p.edges);
        if (!p.pageInfo.hasNextPage) break;
        assert.equal(p.edges.length, 10, 'only the last page may be short');
        cursor = p.pageInfo.endCursor;
      }
      assert.equal(all.length, inRange);
      assert.equal(new Set(all.map((e) => e.node.id)).size, inRange);
      assert.ok(all.every((e) => e.node.publishedOn >= '2016-01-01' && e.node.publishedOn <= '2016-12-31'));
    });

    test('a name: HYBRID puts the headlines naming it first and says which words matched', async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from headlines where text ~ '\\mhoward\\M'`.execute(get().database.db);
      assert.ok(rows[0]!.n >= 10);
      const { edges } = await page({ q: 'howard', first: 10 });
      assert.ok(edges.every((e) => /\bhoward\b/.test(e.node.text)), edges.map((e) => e.node.text).join(' | '));
      assert.ok(edges.every((e) => e.matchedTerms.join() === 'howard'));
    });

    test('matchedTerms: exactly the query words (not stop words, not -words) found in each headline', async () => {
      for (const [q, mode] of [['police investigate the crash', 'HYBRID'], ['council water plan -sydney', 'KEYWORD'], ['election campaign', 'SEMANTIC']] as const) {
        const words = normalizeText(q).split(' ').filter((w) => !['the', '-sydney'].includes(w));
        for (const e of (await page({ q, first: 20, mode })).edges) {
          const present = words.filter((w) => e.node.text.split(/[^a-z0-9]+/).includes(w));
          assert.deepEqual(e.matchedTerms, present, `${mode} ${q}: ${e.node.text}`);
          if (mode === 'KEYWORD') assert.ok(!/\bsydney\b/.test(e.node.text));
        }
      }
      const similar = await page({ id: '1' }, SIMILAR);
      assert.ok(similar.edges.every((e) => e.matchedTerms.length === 0 && e.score === e.similarity));
    });

    test('matchedTerms asked for through fragments are filled; a search that does not ask for them ranks and pages the same', async () => {
      const variables = { q: 'police investigate the crash', first: 10, mode: 'HYBRID' };
      const direct = await page(variables);
      assert.ok(direct.edges.some((e) => e.matchedTerms.length > 0));
      const viaFragments = await page(variables, `query($q: String!, $first: Int, $mode: SearchMode) { search(query: $q, first: $first, mode: $mode) { ...Results } }
        fragment Results on SearchResults { edges { ... on SearchEdge { ...Terms node { id } } } }
        fragment Terms on SearchEdge { matchedTerms }`);
      assert.deepEqual(viaFragments.edges.map((e) => [e.node.id, e.matchedTerms]), direct.edges.map((e) => [e.node.id, e.matchedTerms]));
      const without = await page(variables, `query($q: String!, $first: Int, $mode: SearchMode) { search(query: $q, first: $first, mode: $mode) { edges { cursor score node { id } } pageInfo { hasNextPage endCursor } } }`);
      assert.deepEqual(without.edges.map((e) => [e.node.id, e.score, e.cursor]), direct.edges.map((e) => [e.node.id, e.score, e.cursor]));
      assert.deepEqual(without.pageInfo, direct.pageInfo);
    });

    test('the default is HYBRID; a query of stop words falls back to SEMANTIC; KEYWORD without a match is empty; cursors are bound to their mode', async () => {
      const byDefault = await page({ q: 'storm damage', first: 10 });
      const hybrid = await page({ q: 'storm damage', first: 10, mode: 'HYBRID' });
      assert.deepEqual(byDefault.edges.map((e) => [e.node.id, e.score]), hybrid.edges.map((e) => [e.node.id, e.score]));
      const stop = await page({ q: 'the of and to', first: 10, mode: 'HYBRID' });
      const semantic = await page({ q: 'the of and to', first: 10, mode: 'SEMANTIC' });
      assert.deepEqual(stop.edges.map((e) => e.node.id), semantic.edges.map((e) => e.node.id));
      assert.equal(stop.edges.length, 10);
      const none = await page({ q: 'zzyzx', first: 10, mode: 'KEYWORD' });
      assert.deepEqual([none.edges.length, none.pageInfo.hasNextPage, none.pageInfo.endCursor], [0, false, null]);
      const foreign = await gql(SEARCH, { q: 'storm damage', first: 10, after: hybrid.pageInfo.endCursor, mode: 'SEMANTIC' });
      assert.equal(foreign.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.match(String(foreign.errors?.[0]?.message), /different query, mode or filter/);
      const badMode = await gql(SEARCH, { q: 'storm damage', mode: 'FUZZY' });
      assert.equal(badMode.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    });
  },
  { sessionSettings: { 'headline_search.exact_scan_rows': '0', 'headline_search.fusion_depth': String(FUSION_DEPTH) }, statementTimeoutMs: 5000 },
);
