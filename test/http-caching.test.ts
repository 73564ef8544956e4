import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { parseConfig } from '../src/config/parse-config.ts';
import { silentLogger } from '../src/logger.ts';
import { PersistedQueryStore } from '../src/server/persisted-query-store.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { countingEmbedder, loadRandomHeadlines, type CountingEmbedder } from './support/api-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const SEARCH = 'query Search($q: String!, $first: Int) { search(query: $q, first: $first) { edges { cursor similarity score node { id text publishedOn } } pageInfo { hasNextPage endCursor } } }';
const STATS = '{ stats { headlines model } }';
const PREFLIGHT = { 'apollo-require-preflight': 'true' };
const HEADLINES = 40;
/** Ten searches of `$first` each: within GRAPHQL_MAX_COST for a few rows, over it for the most (`first` counts up to 100). */
const PAGES = `query Pages($q: String!, $first: Int) { ${Array.from({ length: 10 }, (_, i) => `p${i}: search(query: $q, first: $first) { edges { cursor } }`).join(' ')} }`;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

describeEachDatabase('HTTP caching: persisted queries over GET, Cache-Control, compression', (get) => {
  let embedder: CountingEmbedder;
  let server: ApiServer;
  let limited: ApiServer;
  const config = parseConfig({ RATE_LIMIT_PER_MINUTE: '0', CACHE_MAX_AGE_SEARCH: '120', CACHE_MAX_AGE_HEADLINE: '600', CACHE_MAX_AGE_STATS: '3' });
  const ages = config.cacheMaxAge;

  before(async () => {
    await loadRandomHeadlines(get().database.db, HEADLINES);
    embedder = countingEmbedder();
    server = await startApiServer({ database: get().database, embedder, modelId: 'test-model', logger: silentLogger, port: 0, settings: config });
    limited = await startApiServer({ database: get().database, embedder, modelId: 'test-model', logger: silentLogger, port: 0, settings: parseConfig({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '1' }) });
  });
  after(async () => {
    await server?.close();
    await limited?.close();
  });

  async function answer(response: Response): Promise<Answer> {
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
  }
  /** A GET as Apollo Client sends one: every field JSON-encoded in the query string. */
  function getUrl(on: ApiServer, fields: { query?: string; variables?: unknown; extensions?: unknown }): string {
    const params = new URLSearchParams();
    if (fields.query !== undefined) params.set('query', fields.query);
    if (fields.variables !== undefined) params.set('variables', JSON.stringify(fields.variables));
    if (fields.extensions !== undefined) params.set('extensions', JSON.stringify(fields.extensions));
    return `${on.url}/graphql?${params}`;
  }
  const getGraphql = async (fields: Parameters<typeof getUrl>[1], headers: Record<string, string> = PREFLIGHT, on = server) => answer(await fetch(getUrl(on, fields), { headers }));
  const postGraphql = async (body: unknown, headers: Record<string, string> = {}, on = server) =>
    answer(await fetch(`${on.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }));

  test('a repeated anonymous search over GET by its hash: not found, registered, then the same data, public for CACHE_MAX_AGE_SEARCH', async () => {
    const variables = { q: 'storm warning', first: 5 };
    const unknown = await getGraphql({ variables, extensions: persisted(SEARCH) });
    assert.equal(codeOf(unknown), 'PERSISTED_QUERY_NOT_FOUND');
    assert.doesNotMatch(unknown.headers.get('cache-control') ?? '', /public/, 'a miss is never kept: the client registers next');

    const registered = await postGraphql({ query: SEARCH, variables, extensions: persisted(SEARCH) });
    assert.equal(registered.body.errors, undefined, JSON.stringify(registered.body.errors));
    assert.equal((registered.body.data!.search as { edges: unknown[] }).edges.length, 5);

    const calls = embedder.calls;
    for (let i = 0; i < 2; i++) {
      const repeated = await getGraphql({ variables, extensions: persisted(SEARCH) });
      assert.equal(repeated.status, 200);
      assert.deepEqual(repeated.body, registered.body);
      assert.equal(repeated.headers.get('cache-control'), `max-age=${ages.search}, public`);
      assert.match(repeated.headers.get('vary') ?? '', /\bAccept\b/);
      assert.match(repeated.headers.get('vary') ?? '', /\bAccept-Encoding\b/);
    }
    assert.equal(embedder.calls, calls + 2, 'the server ran both: caching them is for whatever is in front of it');
    // Apollo computes the header the same way for POST; shared caches keep GET answers only.
    assert.equal(registered.headers.get('cache-control'), `max-age=${ages.search}, public`);
  });

  test('each root field has its group\'s max-age: similar as search, headline its own, timeline and suggest their defaults', async () => {
    const id = ((await postGraphql({ query: SEARCH, variables: { q: 'flood', first: 1 } })).body.data!.search as { edges: Array<{ node: { id: string } }> }).edges[0]!.node.id;
    const defaults = parseConfig({}).cacheMaxAge;
    const cases: Array<[string, number]> = [
      [`{ similar(id: "${id}", first: 3) { edges { node { id } } } }`, ages.search],
      [`{ headline(id: "${id}") { id text } }`, ages.headline],
      ['{ timeline(query: "flood", top: 10) { period count } }', defaults.timeline],
      [`{ similarTimeline(id: "${id}", top: 10) { period count } }`, defaults.timeline],
      ['{ suggest(prefix: "head") { text headlines } }', defaults.suggest],
    ];
    for (const [query, age] of cases) {
      const got = await getGraphql({ query });
      assert.equal(got.body.errors, undefined, `${query}: ${JSON.stringify(got.body.errors)}`);
      assert.equal(got.headers.get('cache-control'), `max-age=${age}, public`, query);
    }
  });

  test('stats is kept only CACHE_MAX_AGE_STATS; an operation mixing fields gets the shortest of their ages', async () => {
    const stats = await getGraphql({ query: STATS });
    assert.equal((stats.body.data!.stats as { headlines: number }).headlines, HEADLINES);
    assert.equal(stats.headers.get('cache-control'), `max-age=${ages.stats}, public`);
    const mixed = await getGraphql({ query: `{ search(query: "storm", first: 2) { edges { cursor } } ${STATS.slice(1, -1)} }` });
    assert.equal(mixed.body.errors, undefined);
    assert.equal(mixed.headers.get('cache-control'), `max-age=${Math.min(ages.search, ages.stats)}, public`);
    const aliased = await getGraphql({ query: '{ a: search(query: "storm", first: 2) { edges { cursor } } b: search(query: "rain", first: 2) { edges { cursor } } }' });
    assert.equal(aliased.headers.get('cache-control'), `max-age=${ages.search}, public`);
  });

  test('no-store: errors, refusals (over the limits, rate limited), credentials, introspection alone, a GET without the CSRF header', async () => {
    const badInput = await getGraphql({ query: '{ search(query: "storm", filter: { from: "2015-01-01", to: "2010-01-01" }) { edges { cursor } } }' });
    assert.ok(badInput.body.errors?.length);
    assert.equal(badInput.headers.get('cache-control'), 'no-store');

    const tooExpensive = await getGraphql({ query: PAGES, variables: { q: 'storm', first: 5000 } });
    assert.equal(tooExpensive.status, 400);
    assert.equal(codeOf(tooExpensive), 'OPERATION_TOO_EXPENSIVE');
    assert.equal(tooExpensive.headers.get('cache-control'), 'no-store');

    assert.equal((await getGraphql({ query: STATS }, PREFLIGHT, limited)).status, 200);
    const rateLimited = await getGraphql({ query: STATS }, PREFLIGHT, limited);
    assert.equal(rateLimited.status, 429);
    assert.equal(codeOf(rateLimited), 'RATE_LIMITED');
    assert.equal(rateLimited.headers.get('cache-control'), 'no-store');

    const malformed = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get('cache-control'), 'no-store');

    for (const credentials of [{ authorization: 'Bearer abc' }, { cookie: 'session=abc' }] as Array<Record<string, string>>) {
      const got = await getGraphql({ query: STATS }, { ...PREFLIGHT, ...credentials });
      assert.equal(got.body.errors, undefined);
      assert.equal(got.headers.get('cache-control'), 'no-store', Object.keys(credentials)[0]);
    }
    assert.equal((await getGraphql({ query: '{ __typename }' })).headers.get('cache-control'), 'no-store');

    const noPreflight = await getGraphql({ query: STATS }, {});
    assert.equal(noPreflight.status, 400);
    assert.match(noPreflight.body.errors![0]!.message, /Cross-Site Request Forgery/);
    assert.equal(noPreflight.headers.get('cache-control'), 'no-store');
    for (const header of [{ 'content-type': 'application/json' }, { 'x-apollo-operation-name': 'Stats' }, PREFLIGHT] as Array<Record<string, string>>) {
      assert.equal((await getGraphql({ query: STATS }, header)).status, 200, JSON.stringify(header));
    }
  });

  test('an over-limit operation sent by hash is refused as its text is: measured with its own variables, nothing run', async () => {
    const query = PAGES;
    const huge = { q: 'storm', first: 5000 };
    const beforeRegistration = await getGraphql({ variables: huge, extensions: persisted(query) });
    assert.equal(codeOf(beforeRegistration), 'PERSISTED_QUERY_NOT_FOUND');
    const registered = await postGraphql({ query, variables: { q: 'storm', first: 2 }, extensions: persisted(query) });
    assert.equal(registered.body.errors, undefined);

    const calls = embedder.calls;
    const asText = await postGraphql({ query, variables: huge });
    const byHashGet = await getGraphql({ variables: huge, extensions: persisted(query) });
    const byHashPost = await postGraphql({ variables: huge, extensions: persisted(query) });
    for (const refused of [asText, byHashGet, byHashPost]) {
      assert.equal(refused.status, 400);
      assert.equal(codeOf(refused), 'OPERATION_TOO_EXPENSIVE');
      assert.equal(refused.body.errors![0]!.message, asText.body.errors![0]!.message);
      assert.equal(refused.body.data, undefined);
    }
    assert.equal(embedder.calls, calls, 'no search ran');
    const small = await getGraphql({ variables: { q: 'storm', first: 3 }, extensions: persisted(query) });
    assert.equal((small.body.data!.p9 as { edges: unknown[] }).edges.length, 3, 'the same hash within the limits runs');
  });

  test('br and gzip bodies when accepted, decoding to the same JSON; none when not', async () => {
    const url = getUrl(server, { query: SEARCH, variables: { q: 'storm', first: HEADLINES } });
    const raw = (encoding: string) =>
      new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        http
          .get(url, { headers: { ...PREFLIGHT, 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
            res.on('error', reject);
          })
          .on('error', reject);
      });
    const plain = await raw('identity');
    assert.equal(plain.encoding, undefined);
    const expected = JSON.parse(plain.body.toString('utf8')) as Answer['body'];
    assert.equal((expected.data!.search as { edges: unknown[] }).edges.length, HEADLINES);
    const br = await raw('br');
    assert.equal(br.encoding, 'br');
    assert.ok(br.body.length < plain.body.length);
    assert.deepEqual(JSON.parse(zlib.brotliDecompressSync(br.body).toString('utf8')), expected);
    const gzip = await raw('gzip');
    assert.equal(gzip.encoding, 'gzip');
    assert.deepEqual(JSON.parse(zlib.gunzipSync(gzip.body).toString('utf8')), expected);
  });

  test('Apollo Client with createPersistedQueryLink({ useGETForHashedQueries: true }): hash over GET, registration over POST, then GET again', async () => {
    const sent: Array<{ method: string; contentType: string | null; hasQuery: boolean }> = [];
    const recording: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      const url = new URL(String(input));
      sent.push({ method: init?.method ?? 'GET', contentType: headers.get('content-type'), hasQuery: url.searchParams.has('query') || String(init?.body ?? '').includes('"query"') });
      return fetch(input, init);
    };
    const link = createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(new HttpLink({ uri: `${server.url}/graphql`, fetch: recording }));
    const query = gql`
      query ClientStats {
        stats {
          headlines
        }
      }
    `;
    for (let i = 0; i < 2; i++) {
      const client = new ApolloClient({ link, cache: new InMemoryCache() });
      const result = await client.query<{ stats: { headlines: number } }>({ query, fetchPolicy: 'network-only' });
      assert.equal(result.data?.stats.headlines, HEADLINES);
    }
    assert.deepEqual(
      sent.map((s) => [s.method, s.hasQuery]),
      [['GET', false], ['POST', true], ['GET', false]],
    );
    assert.equal(sent[0]!.contentType, 'application/json', 'what lets its GETs past CSRF prevention');
  });
});

test("the persisted-query store: Apollo's lookup sees a registered text only where the limits pinned it", async () => {
  const store = new PersistedQueryStore(2 ** 20);
  const query = '{ stats { headlines } }';
  const hash = sha256(query);
  await store.apolloCache.set(hash, query);
  assert.equal(store.lookup(hash), query);
  assert.equal(await store.apolloCache.get(hash), undefined, 'registered, but not resolved by the limits for this request');
  const seen = await new Promise<Array<string | undefined>>((resolve) =>
    store.pin(hash, query, () => void Promise.all([store.apolloCache.get(hash), store.apolloCache.get(sha256('{ other }'))]).then(resolve)),
  );
  assert.deepEqual(seen, [query, undefined]);

  // Bounded by the bytes of what it holds: room for one of these, so the older goes.
  const other = '{ stats { model } }';
  const small = new PersistedQueryStore(2 * (query.length + hash.length) + 8);
  await small.apolloCache.set(hash, query);
  await small.apolloCache.set(sha256(other), other);
  assert.deepEqual([small.lookup(hash), small.lookup(sha256(other))], [undefined, other]);
});
