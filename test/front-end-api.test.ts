import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { sql } from 'kysely';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { normalizeText } from '../src/embedding/normalize-text.ts';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { toGlobalId } from '../src/graphql/global-id.ts';
import { headlineKey } from '../src/graphql/headline-key.ts';
import { SearchService } from '../src/search/search-service.ts';
import { queryEmbedder, useFixtureServer } from './support/graphql-fixture.ts';
import { describeEachDatabase, type TestDatabase } from './support/test-databases.ts';
import type { ApiServer } from '../src/server/start-api-server.ts';
import type { GraphqlEdge, GraphqlPage } from './support/graphql-page.ts';

type Edge = GraphqlEdge;
type Page = GraphqlPage;

/** The stored key behind an id the API returned (or a key the service returned). */
const keyOf = (id: string) => headlineKey(id, { legacy: true })!;

const PAGE = 'edges { cursor similarity node { id text publishedOn } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const SEARCH = `query($q: String!, $first: Int, $after: String, $filter: HeadlineFilter, $mode: SearchMode) { search(query: $q, first: $first, after: $after, filter: $filter, mode: $mode) { ${PAGE} } }`;

let embedder: QueryEmbedder;
before(async () => {
  embedder = await queryEmbedder();
});
after(async () => {
  await embedder?.close();
});

describeEachDatabase('Front-end API: Relay paging, timeline, near-duplicate collapse', (get) => {
  const server = useFixtureServer(get, () => embedder);

  async function gqlResult(query: string, variables: Record<string, unknown>) {
    const response = await server().apollo.executeOperation({ query, variables }, { contextValue: server().contextValue });
    assert.equal(response.body.kind, 'single');
    return response.body.kind === 'single' ? response.body.singleResult : { data: undefined, errors: undefined };
  }
  async function data<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const result = await gqlResult(query, variables);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data as T;
  }
  const search = async (variables: Record<string, unknown>) => (await data<{ search: Page }>(SEARCH, variables)).search;

  timelineTests(get, server);

  test('PageInfo is Relay\'s: start and end cursors of the page, hasPreviousPage after a cursor, null cursors when empty', async () => {
    const first = await search({ q: 'police investigate crash', first: 5, mode: 'SEMANTIC' });
    assert.equal(first.edges.length, 5);
    assert.deepEqual([first.pageInfo.startCursor, first.pageInfo.endCursor], [first.edges[0]!.cursor, first.edges[4]!.cursor]);
    assert.equal(first.pageInfo.hasPreviousPage, false);
    const second = await search({ q: 'police investigate crash', first: 5, after: first.pageInfo.endCursor, mode: 'SEMANTIC' });
    assert.equal(second.pageInfo.hasPreviousPage, true);
    assert.equal(second.pageInfo.startCursor, second.edges[0]!.cursor);
    const empty = await search({ q: 'zzyzx qwxv', first: 5, mode: 'KEYWORD' });
    assert.deepEqual(structuredClone(empty), { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  test('Apollo Client: InMemoryCache with relayStylePagination merges fetchMore pages into one list per query, filter and mode, and per similar id', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${server().url}/graphql` }),
      cache: new InMemoryCache({ typePolicies: { Query: { fields: { search: relayStylePagination(['query', 'filter', 'mode']), similar: relayStylePagination(['id', 'filter']) } } } }),
    });
    const ids = (page: Page) => page.edges.map((e) => e.node.id);
    const document = gql(SEARCH);
    const variables = { q: 'flood warning for river towns', first: 4, mode: 'HYBRID', filter: { from: '2005-01-01' } };
    try {
      const one = await client.query<{ search: Page }>({ query: document, variables });
      assert.equal(one.data!.search.edges.length, 4);
      await client.query({ query: document, variables: { ...variables, after: one.data!.search.pageInfo.endCursor }, fetchPolicy: 'network-only' });
      const merged = client.readQuery<{ search: Page }>({ query: document, variables })!.search;
      // What the server gives as one page of 8 is what the cache holds after two pages of 4.
      const whole = await search({ ...variables, first: 8 });
      assert.deepEqual(merged.edges.map((e) => e.node.id), whole.edges.map((e) => e.node.id));
      assert.equal(merged.pageInfo.endCursor, whole.pageInfo.endCursor);
      assert.equal(merged.pageInfo.startCursor, whole.pageInfo.startCursor);
      assert.equal(merged.pageInfo.hasNextPage, whole.pageInfo.hasNextPage);
      // Another filter is another list: the key arguments keep them apart.
      const other = await client.query<{ search: Page }>({ query: document, variables: { ...variables, filter: { from: '2015-01-01' } } });
      assert.equal(other.data!.search.edges.length, 4);
      assert.equal(client.readQuery<{ search: Page }>({ query: document, variables })!.search.edges.length, 8);
      // So is another query text, paged on its own: neither list takes the other's edges.
      const otherQuery = { ...variables, q: 'council rejects development plan' };
      const otherOne = await client.query<{ search: Page }>({ query: document, variables: otherQuery });
      assert.notDeepEqual(ids(otherOne.data!.search), ids(whole).slice(0, 4), 'the two queries rank differently, so a merge would show');
      await client.query({ query: document, variables: { ...otherQuery, after: otherOne.data!.search.pageInfo.endCursor }, fetchPolicy: 'network-only' });
      assert.deepEqual(ids(client.readQuery<{ search: Page }>({ query: document, variables: otherQuery })!.search), ids(await search({ ...otherQuery, first: 8 })));
      assert.deepEqual(ids(client.readQuery<{ search: Page }>({ query: document, variables })!.search), ids(whole));
      // similar pages the same way, one list per headline.
      const similarDocument = gql(`query($id: ID!, $first: Int, $after: String) { similar(id: $id, first: $first, after: $after) { ${PAGE} } }`);
      const similarWhole = async (id: string) => (await data<{ similar: Page }>(`query($id: ID!) { similar(id: $id, first: 8) { ${PAGE} } }`, { id })).similar;
      const [seedA, seedB] = ids(whole);
      for (const id of [seedA!, seedB!]) {
        const first = await client.query<{ similar: Page }>({ query: similarDocument, variables: { id, first: 4 } });
        await client.query({ query: similarDocument, variables: { id, first: 4, after: first.data!.similar.pageInfo.endCursor }, fetchPolicy: 'network-only' });
      }
      const [cachedA, cachedB] = [seedA!, seedB!].map((id) => client.readQuery<{ similar: Page }>({ query: similarDocument, variables: { id, first: 4 } })!.similar);
      assert.deepEqual(ids(cachedA!), ids(await similarWhole(seedA!)));
      assert.deepEqual(ids(cachedB!), ids(await similarWhole(seedB!)));
      assert.notDeepEqual(ids(cachedA!), ids(cachedB!));
    } finally {
      client.stop();
    }
  });

  const COLLAPSE_PAGE = 'edges { cursor similarity node { id text publishedOn } duplicates { id text publishedOn } } pageInfo { hasNextPage endCursor }';
  const COLLAPSE_SEARCH = `query($q: String!, $first: Int, $after: String, $mode: SearchMode, $collapse: Boolean) { search(query: $q, first: $first, after: $after, mode: $mode, collapse: $collapse) { ${COLLAPSE_PAGE} } }`;

  /** Full-vector cosine similarity of every pair of the given headlines, straight from the table; keyed by the ids as given. */
  async function cosines(ids: readonly string[]): Promise<Map<string, number>> {
    const given = new Map(ids.map((id) => [keyOf(id), id]));
    const { rows } = await sql<{ a: string; b: string; s: number }>`
      select a.id as a, b.id as b, 1 - (a.embedding <=> b.embedding)::float8 as s
      from headlines a join headlines b on a.id < b.id
      where a.id = any(${[...given.keys()]}::bigint[]) and b.id = any(${[...given.keys()]}::bigint[])`.execute(get().database.db);
    return new Map(rows.flatMap((r) => [[`${given.get(r.a)}:${given.get(r.b)}`, r.s], [`${given.get(r.b)}:${given.get(r.a)}`, r.s]]));
  }

  /** The invariants of a collapsed list at `threshold`: no two edges that close, every duplicate that close to its edge. */
  async function assertCollapsed(edges: Edge[], threshold: number) {
    const ids = edges.flatMap((e) => [e.node.id, ...(e.duplicates ?? []).map((d) => d.id)]);
    assert.equal(new Set(ids).size, ids.length, 'no headline shown twice');
    const sim = await cosines(ids);
    for (const [i, a] of edges.entries()) {
      for (const b of edges.slice(i + 1)) assert.ok(sim.get(`${a.node.id}:${b.node.id}`)! < threshold, `edges ${a.node.id} and ${b.node.id} are near-duplicates`);
      for (const d of a.duplicates ?? []) assert.ok(sim.get(`${a.node.id}:${d.id}`)! >= threshold, `duplicate ${d.id} is not close to ${a.node.id}`);
    }
  }

  test('collapse: a story filed twice is one edge with the copy in `duplicates`; no two edges reach COLLAPSE_SIMILARITY', async () => {
    const q = 'minister announces new hospital funding';
    const plain = await search({ q, first: 10, mode: 'SEMANTIC' });
    const original = plain.edges[0]!.node;
    const { rows } = await sql<{ id: string }>`
      insert into headlines (published_on, text, embedding, embedding_reduced)
      select published_on + 1, text, embedding, embedding_reduced from headlines where id = ${keyOf(original.id)}::bigint
      returning id`.execute(get().database.db);
    const copy = toGlobalId('Headline', rows[0]!.id);
    const uncollapsed = await search({ q, first: 10, mode: 'SEMANTIC' });
    assert.ok(uncollapsed.edges.some((e) => e.node.id === copy), 'without collapse the copy is an edge of its own');
    const collapsed = (await data<{ search: Page }>(COLLAPSE_SEARCH, { q, first: 10, mode: 'SEMANTIC', collapse: true })).search;
    const edge = collapsed.edges.find((e) => e.node.id === original.id)!;
    assert.deepEqual(edge.duplicates!.map((d) => d.id), [copy]);
    assert.ok(!collapsed.edges.some((e) => e.node.id === copy));
    await assertCollapsed(collapsed.edges, 0.95);
    const foreign = await gqlResult(COLLAPSE_SEARCH, { q, first: 10, mode: 'SEMANTIC', collapse: false, after: collapsed.pageInfo.endCursor });
    assert.equal(foreign.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', 'a collapsed cursor does not continue an uncollapsed list');
  });

  test('collapse: pages of 3 concatenate exactly to one page of 12 (edges and their duplicates), and every row ranked above the last edge is an edge or folded', async () => {
    const q = 'police hunt for missing man after flood';
    // Two stories filed twice (the copies rank right below their originals) beside whatever the threshold folds.
    const semantic = (await server().search.search(q, { first: 10, mode: 'SEMANTIC' })).edges.map((e) => e.node.id);
    await sql`insert into headlines (published_on, text, embedding, embedding_reduced)
              select published_on + 1, text, embedding, embedding_reduced from headlines where id in (${semantic[3]!}::bigint, ${semantic[7]!}::bigint)`.execute(get().database.db);
    for (const mode of ['HYBRID', 'SEMANTIC'] as const) {
      // A threshold that this ranking's top 30 reach in one pair of ten: some folding, not all.
      const top30 = (await server().search.search(q, { first: 30, mode })).edges.map((e) => e.node.id);
      const pairs = [...(await cosines(top30)).values()].sort((a, b) => b - a);
      const threshold = pairs[Math.floor(pairs.length / 10)]!;
      const service = new SearchService({ db: get().database.db, embedder, modelId: HASH_MODEL_ID, collapseSimilarity: threshold });
      const whole = await service.search(q, { first: 12, mode, collapse: true });
      const paged: typeof whole.edges = [];
      let after: string | null = null;
      while (paged.length < 12) {
        const page: Awaited<ReturnType<SearchService['search']>> = await service.search(q, { first: 3, after, mode, collapse: true });
        paged.push(...page.edges);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      const shape = (edges: typeof whole.edges) => edges.map((e) => [e.node.id, e.duplicates.map((d) => d.id)]);
      assert.deepEqual(shape(paged.slice(0, 12)), shape(whole.edges), mode);
      assert.equal(whole.edges.length, 12);
      assert.ok(whole.edges.some((e) => e.duplicates.length > 0), `${mode}: the threshold folds something`);
      await assertCollapsed(whole.edges, threshold);
      // The uncollapsed ranking down to the last edge: each row is an edge, or close to an edge above it.
      const raw = (await service.search(q, { first: 100, mode })).edges.map((e) => e.node.id);
      const edgeIds = whole.edges.map((e) => e.node.id);
      const lastAt = raw.indexOf(edgeIds.at(-1)!);
      assert.ok(lastAt > 12, `${mode}: the last edge is in the first 100 rows, below some folded ones`);
      assert.deepEqual(raw.slice(0, lastAt + 1).filter((id) => edgeIds.includes(id)), edgeIds, `${mode}: edges keep the ranking's order`);
      const sim = await cosines(raw.slice(0, lastAt + 1));
      for (const [i, id] of raw.slice(0, lastAt + 1).entries()) {
        if (edgeIds.includes(id)) continue;
        assert.ok(raw.slice(0, i).some((above) => edgeIds.includes(above) && sim.get(`${above}:${id}`)! >= threshold), `${mode}: row ${id} vanished without a near-duplicate edge above it`);
      }
    }
  });
  // The timelines are checked against a brute-force count over the exact top N: the
  // searches under them are compared exactly at this size (3,000 rows), as they were
  // under the default before 0015 lowered it to 1,000.
}, { sessionSettings: { 'headline_search.exact_scan_rows': '10000' } });

interface Period {
  period: string;
  count: number;
  share: number;
  topHeadline: { id: string; text: string; publishedOn: string } | null;
}
type Bucket = 'YEAR' | 'MONTH' | 'DAY';
const TIMELINE = `query($q: String!, $bucket: Bucket, $filter: HeadlineFilter, $top: Int) { timeline(query: $q, bucket: $bucket, filter: $filter, top: $top) { period count share topHeadline { id text publishedOn } } }`;
const SIMILAR_TIMELINE = `query($id: ID!, $bucket: Bucket, $filter: HeadlineFilter, $top: Int) { similarTimeline(id: $id, bucket: $bucket, filter: $filter, top: $top) { period count share topHeadline { id text publishedOn } } }`;

/** The first day of the period a date falls in. */
const periodOf = (date: string, bucket: Bucket) => (bucket === 'YEAR' ? `${date.slice(0, 4)}-01-01` : bucket === 'MONTH' ? `${date.slice(0, 7)}-01` : date);

/** Every period from the one holding `from` to the one holding `to`, in order. */
function periodsBetween(from: string, to: string, bucket: Bucket): string[] {
  const out: string[] = [];
  const d = new Date(`${periodOf(from, bucket)}T00:00:00Z`);
  const end = periodOf(to, bucket);
  for (let p = d.toISOString().slice(0, 10); p <= end; p = d.toISOString().slice(0, 10)) {
    out.push(p);
    if (bucket === 'YEAR') d.setUTCFullYear(d.getUTCFullYear() + 1);
    else if (bucket === 'MONTH') d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** The timeline's tests, inside the suite that loaded the fixture (one load per database mode). */
function timelineTests(get: () => TestDatabase, server: () => ApiServer): void {
  const db = () => get().database.db;

  async function gqlData<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await server().apollo.executeOperation({ query, variables }, { contextValue: server().contextValue });
    assert.ok(response.body.kind === 'single');
    assert.equal(response.body.singleResult.errors, undefined, JSON.stringify(response.body.singleResult.errors));
    return response.body.singleResult.data as T;
  }

  /** The top N by exact full-vector distance, ties by id: no search function involved. */
  async function bruteForceTop(vector: string, top: number, filter: { from?: string; to?: string }, exclude: string | null = null) {
    const { rows } = await sql<{ id: string; published_on: string }>`
      select id, published_on from headlines
      where published_on >= ${filter.from ?? '0001-01-01'}::date and published_on <= ${filter.to ?? '9999-12-31'}::date
        and id is distinct from ${exclude}::bigint
      order by embedding <=> ${vector}::halfvec(512), id
      limit ${top}`.execute(db());
    return rows;
  }

  /** What a timeline must be: counted by hand from the brute-force top N and a direct count of the corpus. */
  async function expectedTimeline(top: Array<{ id: string; published_on: string }>, bucket: Bucket, filter: { from?: string; to?: string }) {
    const { rows: corpus } = await sql<{ published_on: string; n: number }>`
      select published_on, count(*)::int as n from headlines
      where published_on >= ${filter.from ?? '0001-01-01'}::date and published_on <= ${filter.to ?? '9999-12-31'}::date
      group by published_on order by published_on`.execute(db());
    const totals = new Map<string, number>();
    for (const r of corpus) totals.set(periodOf(r.published_on, bucket), (totals.get(periodOf(r.published_on, bucket)) ?? 0) + r.n);
    const counts = new Map<string, number>();
    const firstMatch = new Map<string, string>();
    for (const r of top) {
      const p = periodOf(r.published_on, bucket);
      counts.set(p, (counts.get(p) ?? 0) + 1);
      if (!firstMatch.has(p)) firstMatch.set(p, r.id);
    }
    // The span: the corpus's first to last day, clipped to the filter.
    const { rows: span } = await sql<{ first: string; last: string }>`select min(published_on) as first, max(published_on) as last from headlines`.execute(db());
    const first = filter.from && filter.from > span[0]!.first ? filter.from : span[0]!.first;
    const last = filter.to && filter.to < span[0]!.last ? filter.to : span[0]!.last;
    return periodsBetween(first, last, bucket).map((period) => ({
      period,
      count: counts.get(period) ?? 0,
      share: totals.get(period) ? (counts.get(period) ?? 0) / totals.get(period)! : 0,
      top: firstMatch.get(period) ?? null,
    }));
  }

  const simplify = (periods: Period[]) => periods.map((p) => ({ period: p.period, count: p.count, share: p.share, top: p.topHeadline ? keyOf(p.topHeadline.id) : null }));
  const assertSame = (actual: ReturnType<typeof simplify>, expected: ReturnType<typeof simplify>, label: string) => {
    assert.deepEqual(actual.map((p) => [p.period, p.count, p.top]), expected.map((p) => [p.period, p.count, p.top]), label);
    for (const [i, p] of actual.entries()) assert.ok(Math.abs(p.share - expected[i]!.share) < 1e-12, `${label}: share of ${p.period}`);
  };

  for (const bucket of ['YEAR', 'MONTH', 'DAY'] as const) {
    for (const filter of [{}, { from: '2006-03-15', to: '2011-08-20' }]) {
      const label = `${bucket}${'from' in filter ? ' with a filter' : ''}`;
      test(`timeline ${label}: counts, shares and top headlines equal a brute-force count over the same top N; semantic_timeline agrees`, async () => {
        const q = 'council rejects development plan';
        // With the filter the range holds fewer than 300 headlines: all of them match.
        const top = 'from' in filter ? 120 : 300;
        const periods = (await gqlData<{ timeline: Period[] }>(TIMELINE, { q, bucket, filter, top })).timeline;
        const vector = toVectorLiteral(await embedder.embedQuery(normalizeText(q)));
        const matches = await bruteForceTop(vector, top, filter);
        assert.equal(matches.length, top);
        const expected = await expectedTimeline(matches, bucket, filter);
        assertSame(simplify(periods), expected, label);
        assert.equal(periods.reduce((n, p) => n + p.count, 0), top);
        if (bucket !== 'YEAR') assert.ok(periods.some((p) => p.count === 0), 'empty periods are included');
        const f = filter as { from?: string; to?: string };
        const { rows } = await sql<{ period: string; count: number; share: number; top_headline_id: string | null }>`
          select period, count, share, top_headline_id
          from semantic_timeline(${vector}::halfvec(512), ${bucket.toLowerCase()}, ${top}, ${f.from ?? null}::date, ${f.to ?? null}::date)`.execute(db());
        assertSame(rows.map((r) => ({ period: r.period, count: r.count, share: r.share, top: r.top_headline_id })), expected, `${label} in SQL`);
      });
    }
  }

  test('similarTimeline: the neighbours of a headline, itself excluded, against brute force', async () => {
    const { rows } = await sql<{ id: string; embedding: string }>`select id, embedding::text as embedding from headlines order by id limit 1 offset 500`.execute(db());
    const seed = rows[0]!;
    const periods = (await gqlData<{ similarTimeline: Period[] }>(SIMILAR_TIMELINE, { id: seed.id, bucket: 'MONTH', top: 150 })).similarTimeline;
    const expected = await expectedTimeline(await bruteForceTop(seed.embedding, 150, {}, seed.id), 'MONTH', {});
    assertSame(simplify(periods), expected, 'similarTimeline');
  });

  test('timeline: bad input is a readable BAD_USER_INPUT; an unknown headline is NOT_FOUND', async () => {
    for (const [query, variables, code, words] of [
      [TIMELINE, { q: 'floods', top: 5001 }, 'BAD_USER_INPUT', '`top` must be between 1 and 5000'],
      [TIMELINE, { q: 'floods', filter: { from: '2010-01-01', to: '2009-01-01' } }, 'BAD_USER_INPUT', 'is after'],
      [SIMILAR_TIMELINE, { id: '999999999' }, 'NOT_FOUND', 'No headline'],
    ] as const) {
      const response = await server().apollo.executeOperation({ query, variables }, { contextValue: server().contextValue });
      assert.ok(response.body.kind === 'single');
      const error = response.body.singleResult.errors?.[0];
      assert.equal(error?.extensions?.code, code);
      assert.ok(error?.message.includes(words), error?.message);
    }
  });

  test('headline_days follows inserts and deletes, so shares stay right after more headlines arrive', async () => {
    const { rows: before } = await sql<{ n: number }>`select coalesce(sum(headlines), 0)::int as n from headline_days where published_on = '2030-01-02'`.execute(db());
    assert.equal(before[0]!.n, 0);
    await sql`insert into headlines (published_on, text, embedding, embedding_reduced)
              select '2030-01-02', text || ' again', embedding, embedding_reduced from headlines order by id limit 3`.execute(db());
    const { rows: during } = await sql<{ n: number; direct: number }>`
      select (select headlines from headline_days where published_on = '2030-01-02') as n,
             (select count(*)::int from headlines where published_on = '2030-01-02') as direct`.execute(db());
    assert.deepEqual({ ...during[0] }, { n: 3, direct: 3 });
    await sql`delete from headlines where published_on = '2030-01-02'`.execute(db());
    const { rows: after } = await sql<{ n: number }>`select count(*)::int as n from headline_days where published_on = '2030-01-02'`.execute(db());
    assert.equal(after[0]!.n, 0);
  });
}
