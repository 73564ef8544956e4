import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { toGlobalId } from '../src/graphql/global-id.ts';
import { queryEmbedder, useFixtureServer } from './support/graphql-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';
import type { GraphqlEdge, GraphqlPage } from './support/graphql-page.ts';

type Edge = GraphqlEdge;
type Page = GraphqlPage;

const PAGE = `edges { cursor similarity node { id text publishedOn } } pageInfo { hasNextPage endCursor }`;
const SEARCH = `query($q: String!, $first: Int, $after: String, $filter: HeadlineFilter, $mode: SearchMode) { search(query: $q, first: $first, after: $after, filter: $filter, mode: $mode) { ${PAGE} } }`;
const SIMILAR = `query($id: ID!, $first: Int, $after: String, $filter: HeadlineFilter) { similar(id: $id, first: $first, after: $after, filter: $filter) { ${PAGE} } }`;

let embedder: QueryEmbedder;
before(async () => {
  embedder = await queryEmbedder();
});
after(async () => {
  await embedder?.close();
});

// The fixture is small enough for exact scans; force the HNSW path so it is what is tested.
describeEachDatabase(
  'GraphQL API',
  (get) => {
    const server = useFixtureServer(get, () => embedder);

    async function gql(query: string, variables: Record<string, unknown> = {}) {
      const response = await server().apollo.executeOperation({ query, variables }, { contextValue: server().contextValue });
      assert.equal(response.body.kind, 'single');
      return response.body.kind === 'single' ? response.body.singleResult : { data: undefined, errors: undefined };
    }
    async function page(query: string, variables: Record<string, unknown>): Promise<Page> {
      const result = await gql(query, variables);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const data = result.data as Record<string, Page>;
      return data.search ?? data.similar!;
    }
    async function errorCode(query: string, variables: Record<string, unknown>): Promise<string> {
      const result = await gql(query, variables);
      assert.ok(result.errors && result.errors.length > 0, 'expected an error');
      assert.doesNotMatch(JSON.stringify(result.errors), /\bat .*\.(ts|js):\d+|select |from headlines/i, 'no stack traces or SQL');
      return String(result.errors[0]!.extensions?.code);
    }
    /** A stored key as the API names it. */
    const globalId = (key: string) => toGlobalId('Headline', key);
    /** Exact top-k by full-vector cosine, straight from the table (as the API's ids). */
    async function bruteForce(queryText: string, k: number, from?: string, to?: string): Promise<string[]> {
      const q = toVectorLiteral(await embedder.embedQuery(queryText));
      const { rows } = await sql<{ id: string }>`
        select id from headlines
        where published_on >= coalesce(${from ?? null}::date, '-infinity') and published_on <= coalesce(${to ?? null}::date, 'infinity')
        order by embedding <=> ${q}::halfvec(512), id limit ${k}`.execute(get().database.db);
      return rows.map((r) => globalId(r.id));
    }

    test('pages 1..5 of 10 equal the first 50 of one query, with and without a filter', async () => {
      for (const filter of [undefined, { from: '2003-06-01', to: '2012-12-31' }]) {
        const whole = await page(SEARCH, { q: 'police investigate crash', first: 50, filter });
        assert.equal(whole.edges.length, 50);
        const ids: string[] = [];
        let after: string | null = null;
        for (let i = 0; i < 5; i++) {
          const p: Page = await page(SEARCH, { q: 'police investigate crash', first: 10, after, filter });
          assert.equal(p.edges.length, 10);
          assert.equal(p.pageInfo.hasNextPage, true);
          ids.push(...p.edges.map((e) => e.node.id));
          after = p.pageInfo.endCursor;
        }
        assert.deepEqual(ids, whole.edges.map((e) => e.node.id));
        assert.equal(new Set(ids).size, 50);
      }
    });

    test('date filters: results in range; one day and one week equal brute force; short ranges end the paging', async () => {
      const wide = await page(SEARCH, { q: 'election campaign', first: 30, filter: { from: '2005-01-01', to: '2010-12-31' }, mode: 'SEMANTIC' });
      assert.equal(wide.edges.length, 30);
      assert.ok(wide.edges.every((e) => e.node.publishedOn >= '2005-01-01' && e.node.publishedOn <= '2010-12-31'));
      const { rows } = await sql<{ d: string; n: number }>`select published_on::text as d, count(*)::int as n from headlines group by 1 having count(*) >= 2 order by 2 desc, 1 limit 1`.execute(get().database.db);
      const day = rows[0]!.d;
      const oneDay = await page(SEARCH, { q: 'council plans', first: 5, filter: { from: day, to: day }, mode: 'SEMANTIC' });
      assert.deepEqual(oneDay.edges.map((e) => e.node.id), await bruteForce('council plans', 5, day, day));
      const week = await page(SEARCH, { q: 'council plans', first: 10, filter: { from: '2003-03-01', to: '2003-03-07' }, mode: 'SEMANTIC' });
      assert.deepEqual(week.edges.map((e) => e.node.id), await bruteForce('council plans', 10, '2003-03-01', '2003-03-07'));
      const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from headlines where published_on between '2021-01-01' and '2021-12-31'`.execute(get().database.db);
      const few = count[0]!.n;
      assert.ok(few > 0 && few < 10, `fixture has ${few} rows in 2021`);
      const short = await page(SEARCH, { q: 'covid vaccine', first: 10, filter: { from: '2021-01-01', to: '2021-12-31' }, mode: 'SEMANTIC' });
      assert.equal(short.edges.length, few);
      assert.equal(short.pageInfo.hasNextPage, false);
    });

    test('similar(id) excludes the headline and starts with its brute-force nearest neighbour', async () => {
      const { rows } = await sql<{ id: string; text: string }>`select id, text from headlines order by id limit 1 offset 123`.execute(get().database.db);
      const target = rows[0]!;
      const p = await page(SIMILAR, { id: target.id, first: 10 });
      assert.equal(p.edges.length, 10);
      assert.ok(!p.edges.some((e) => e.node.id === globalId(target.id)));
      const { rows: nn } = await sql<{ id: string }>`
        select h.id from headlines h, headlines t where t.id = ${target.id}::bigint and h.id <> t.id
        order by h.embedding <=> t.embedding, h.id limit 1`.execute(get().database.db);
      assert.equal(p.edges[0]!.node.id, globalId(nn[0]!.id));
    });

    test('ids: Headline.id is global; headline, similar and similarTimeline take it and the bare keys of earlier versions, whose similar cursors carry over', async () => {
      const { rows } = await sql<{ id: string; text: string }>`select id::text, text from headlines order by id limit 1 offset 321`.execute(get().database.db);
      const key = rows[0]!.id;
      const HEADLINE = 'query($id: ID!) { headline(id: $id) { id text } }';
      const byKey = (await gql(HEADLINE, { id: key })).data as { headline: { id: string; text: string } };
      assert.deepEqual({ ...byKey.headline }, { id: globalId(key), text: rows[0]!.text });
      assert.deepEqual((await gql(HEADLINE, { id: globalId(key) })).data, byKey);
      const legacy = await page(SIMILAR, { id: key, first: 5 });
      const global = await page(SIMILAR, { id: globalId(key), first: 5 });
      assert.deepEqual(global, legacy);
      // A link saved with the bare key pages on with the global id, and the reverse.
      const next = await page(SIMILAR, { id: globalId(key), first: 5, after: legacy.pageInfo.endCursor });
      const whole = await page(SIMILAR, { id: key, first: 10 });
      assert.deepEqual([...legacy.edges, ...next.edges].map((e) => e.node.id), whole.edges.map((e) => e.node.id));
      const TIMELINE = 'query($id: ID!) { similarTimeline(id: $id, top: 50) { period count topHeadline { id } } }';
      assert.deepEqual((await gql(TIMELINE, { id: globalId(key) })).data, (await gql(TIMELINE, { id: key })).data);
      // Another type's id, or a Headline id with no key in it, is refused like any malformed id.
      for (const id of [Buffer.from(`SearchEdge:${key}`).toString('base64url'), Buffer.from('Headline:x').toString('base64url'), `${globalId(key)}==`]) {
        assert.equal(await errorCode(HEADLINE, { id }), 'BAD_USER_INPUT', id);
        assert.equal(await errorCode(SIMILAR, { id }), 'BAD_USER_INPUT', id);
      }
    });

    test('headline(id), stats', async () => {
      const one = await gql(`{ headline(id: "1") { id text publishedOn } }`);
      assert.equal((one.data as { headline: { id: string } }).headline.id, globalId('1'));
      const missing = await gql(`{ headline(id: "999999999") { id } }`);
      assert.equal(missing.errors, undefined);
      assert.equal((missing.data as { headline: null }).headline, null);
      const stats = await gql(`{ stats { headlines earliest latest model projection dimensions } }`);
      const s = (stats.data as { stats: Record<string, unknown> }).stats;
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from headlines`.execute(get().database.db);
      assert.ok(rows[0]!.n > 2900);
      assert.equal(s.headlines, rows[0]!.n);
      assert.equal(s.projection, 'pca-64');
      assert.equal(s.dimensions, 64);
      assert.equal(s.model, HASH_MODEL_ID);
      assert.match(String(s.earliest), /^2003-/);
    });

    test('bad input is BAD_USER_INPUT, unknown headline in similar is NOT_FOUND', async () => {
      const first = await page(SEARCH, { q: 'floods', first: 2 });
      const otherCursor = first.pageInfo.endCursor;
      const cases: Array<[string, Record<string, unknown>, string]> = [
        [SEARCH, { q: '' }, 'BAD_USER_INPUT'],
        [SEARCH, { q: '   \t ' }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'x'.repeat(1001) }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'floods', first: 0 }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'floods', first: 101 }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'floods', filter: { from: '2003-02-30' } }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'floods', filter: { to: '20030219' } }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'floods', filter: { from: '2010-01-02', to: '2010-01-01' } }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'floods', after: 'not-a-cursor' }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'fires', after: otherCursor }, 'BAD_USER_INPUT'],
        [SEARCH, { q: 'floods', after: otherCursor, filter: { from: '2004-01-01' } }, 'BAD_USER_INPUT'],
        [SIMILAR, { id: 'abc' }, 'BAD_USER_INPUT'],
        [SIMILAR, { id: '-5' }, 'BAD_USER_INPUT'],
        [SIMILAR, { id: '999999999' }, 'NOT_FOUND'],
        [SIMILAR, { id: toGlobalId('Headline', '999999999') }, 'NOT_FOUND'],
      ];
      for (const [query, variables, code] of cases) assert.equal(await errorCode(query, variables), code, JSON.stringify(variables).slice(0, 80));
      assert.equal(await errorCode(`{ search(query: "x", filter: { from: "2003-13-01" }) { edges { cursor } } }`, {}), 'BAD_USER_INPUT');
    });

    test('over HTTP: /graphql, /healthz, /readyz, /metrics, body limit', async () => {
      const res = await fetch(`${server().url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: SEARCH, variables: { q: 'storm damage', first: 3 } }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { data: { search: Page } };
      assert.equal(body.data.search.edges.length, 3);
      assert.deepEqual(await (await fetch(`${server().url}/healthz`)).json(), { status: 'ok' });
      const ready = await fetch(`${server().url}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { ready: boolean }).ready, true);
      const metrics = await (await fetch(`${server().url}/metrics`)).text();
      assert.match(metrics, /headline_search_graphql_requests_total\{operation="search",outcome="ok"\} \d+/);
      assert.match(metrics, /headline_search_graphql_request_duration_seconds_bucket/);
      assert.match(metrics, /headline_search_query_embedding_duration_seconds_count \d+/);
      assert.match(metrics, /headline_search_database_duration_seconds_count\{query="hybrid_search"\} \d+/);
      assert.match(metrics, /headline_search_db_pool_connections\{state="total"\} \d+/);
      const huge = await fetch(`${server().url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: SEARCH, variables: { q: 'x'.repeat(200_000) } }) });
      assert.equal(huge.status, 413);
      assert.doesNotMatch(await huge.text(), /at .*node_modules/);
    });
  },
  { sessionSettings: { 'headline_search.exact_scan_rows': '0' }, statementTimeoutMs: 5000 },
);
