import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getIntrospectionQuery, parse } from 'graphql';
import { parseConfig } from '../src/config/parse-config.ts';
import { isAppError } from '../src/errors/app-error.ts';
import { checkOperationLimits } from '../src/graphql/check-operation-limits.ts';
import { countTokens } from '../src/graphql/count-tokens.ts';
import { measureOperation } from '../src/graphql/measure-operation.ts';
import { encodeCursor } from '../src/search/cursor.ts';
import { silentLogger } from '../src/logger.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { countingEmbedder, loadRandomHeadlines, type CountingEmbedder } from './support/api-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const limits = parseConfig({}).operationLimits;
const PAGE = 'edges { cursor similarity node { id text publishedOn } } pageInfo { hasNextPage endCursor }';
const SEARCH = `query Search($q: String!, $first: Int, $after: String, $filter: HeadlineFilter) { search(query: $q, first: $first, after: $after, filter: $filter) { ${PAGE} } }`;
const measure = (query: string, variables?: Record<string, unknown>, operationName?: string) => measureOperation(parse(query), operationName, variables);
const aliasBomb = (n: number, first = 100) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: search(query: "bushfire threatens homes", first: ${first}) { edges { node { id text } } }`).join(' ')} }`;

test('cost: search and similar count first (default 10, literal, variable, variable default) + 10; stats 10; headline 1', () => {
  assert.equal(measure(SEARCH, { q: 'x' }).cost, 20);
  assert.equal(measure(SEARCH, { q: 'x', first: 50 }).cost, 60);
  assert.equal(measure(SEARCH, { q: 'x', first: null }).cost, 20);
  assert.equal(measure('query($n: Int = 30) { similar(id: "1", first: $n) { edges { cursor } } }').cost, 40);
  assert.equal(measure('{ search(query: "x", first: 100) { edges { cursor } } stats { headlines } headline(id: "1") { id } __typename }').cost, 121);
  // Values the service refuses anyway are counted at the nearest bound.
  assert.equal(measure(SEARCH, { q: 'x', first: 5000 }).cost, 110);
  assert.equal(measure(SEARCH, { q: 'x', first: -3 }).cost, 11);
  // Values that are not an Int never reach a resolver: Apollo refuses them (below, over HTTP).
  assert.equal(measure(SEARCH, { q: 'x', first: 'ten' }).cost, 0);
  assert.equal(measure('{ search(query: "x", first: 2.5) { edges { cursor } } }').cost, 0);
});

test('cost: node 1; nodes 1 per id (literal list, variable, a single id coerced to a list), a list past 100 counted as 100', () => {
  assert.equal(measure('{ node(id: "x") { id } }').cost, 1);
  assert.equal(measure('{ nodes(ids: ["a", "b", "c"]) { id } }').cost, 3);
  assert.equal(measure('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 40 }, (_, i) => String(i)) }).cost, 40);
  assert.equal(measure('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: 'one' }).cost, 1);
  assert.equal(measure('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 5000 }, (_, i) => String(i)) }).cost, 100);
  // Eleven aliased lists of 100 are over the default budget of 1,000: refused before any work.
  const eleven = `{ ${Array.from({ length: 11 }, (_, i) => `n${i}: nodes(ids: [${Array.from({ length: 100 }, (_, j) => `"${j}"`).join(', ')}]) { id }`).join(' ')} }`;
  assert.equal(measure(eleven).cost, 1100);
  assert.throws(() => checkOperationLimits({ query: eleven }, { ...limits, maxTokens: 100_000, maxAliases: 100 }), (e: unknown) => isAppError(e) && /cost 1,100 \(limit 1,000\).*nodes: 1 per id/.test(e.message));
});

/** A cursor as the service writes it, continuing after `rank`. */
const cursorAt = (rank: number) => encodeCursor({ rank, score: 0.5, similarity: 0.5, id: '1' }, 'any-search');

test('cost follows the work: timeline top and bucket, collapse, and the depth a cursor continues from (docs/api-limits.md)', () => {
  const timeline = (args: string) => measure(`{ timeline(query: "x"${args}) { period count } }`).cost;
  assert.equal(timeline(''), 30, 'top 1000 by default');
  assert.equal(timeline(', top: 2000'), 90);
  assert.equal(timeline(', top: 5000'), 510);
  assert.equal(timeline(', top: 5000, bucket: DAY'), 560);
  assert.equal(timeline(', top: 50000'), 510, 'past the maximum: counted at the maximum');
  assert.equal(measure('query($t: Int) { similarTimeline(id: "1", top: $t, bucket: MONTH) { period } }', { t: 3000 }).cost, 190);
  const twelve = `{ ${Array.from({ length: 12 }, (_, i) => `t${i}: timeline(query: "x", top: 5000, bucket: DAY) { period count }`).join(' ')} }`;
  assert.equal(measure(twelve).cost, 12 * 560);
  assert.equal(measure('{ search(query: "x", collapse: true) { edges { cursor } } }').cost, 220);
  assert.equal(measure('{ search(query: "x", collapse: false) { edges { cursor } } }').cost, 20);
  assert.equal(measure(SEARCH, { q: 'x', after: cursorAt(10) }).cost, 21);
  assert.equal(measure(SEARCH, { q: 'x', first: 100, after: cursorAt(900) }).cost, 200);
  assert.equal(measure('query($a: String) { similar(id: "1", after: $a) { edges { cursor } } }', { a: cursorAt(995) }).cost, 120);
  assert.equal(measure(SEARCH, { q: 'x', after: cursorAt(10 ** 9) }).cost, 120, 'a forged depth counts at the deepest reachable');
  assert.equal(measure(SEARCH, { q: 'x', after: 'not a cursor' }).cost, 20, 'refused by the service before any work');
  assert.equal(measure('{ suggest(prefix: "gil", first: 20) { text headlines } }').cost, 2, 'an index range, whatever first');
});

test('aliases, depth and fields, fragments expanded; introspection is not depth', () => {
  const m = measure(`{ a: search(query: "x") { ...Page } b: search(query: "y") { ...Page } ... on Query { c: stats { headlines } } } fragment Page on SearchResults { e: edges { node { id } } }`);
  assert.deepEqual({ aliases: m.aliases, depth: m.depth, cost: m.cost }, { aliases: 5, depth: 4, cost: 50 });
  assert.equal(m.fields, 7, 'fields as written: the fragment once');
  assert.equal(measure(SEARCH).depth, 4);
  assert.equal(measure(getIntrospectionQuery()).depth, 0);
  assert.equal(measure(getIntrospectionQuery()).cost, 0);
  assert.equal(measure('{ __schema { a: types { name } b: types { name } } }').aliases, 2);
});

test('picks the operation Apollo would run, and copes with fragment cycles, unknown fragments and fragment fan-out', () => {
  const two = `query A { stats { headlines } } query B { search(query: "x", first: 100) { edges { cursor } } }`;
  assert.equal(measure(two, {}, 'A').cost, 10);
  assert.equal(measure(two, {}, 'B').cost, 110);
  assert.equal(measure(two, {}, 'B').label, 'B');
  assert.equal(measure(two).cost, 0, 'ambiguous: Apollo runs nothing');
  assert.equal(measure('{ stats { headlines } }').label, 'stats');
  assert.equal(measure('{ search(query: "x") { ...A } } fragment A on SearchResults { ...B } fragment B on SearchResults { ...A edges { cursor } }').depth, 3);
  assert.equal(measure('{ search(query: "x") { ...Missing } }').cost, 20);
  // Each fragment spreads the next twice: 2^40 expansions, measured in one pass per fragment.
  const fanOut = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
  const started = performance.now();
  const m = measure(`{ ...F0 } ${fanOut} fragment F40 on Query { s: search(query: "x") { edges { cursor } } }`);
  assert.equal(m.aliases, 2 ** 40);
  assert.ok(performance.now() - started < 1000);
});

test('checkOperationLimits names every limit exceeded, with the measured value', () => {
  const rejected = (query: string, variables?: Record<string, unknown>) => {
    try {
      checkOperationLimits({ query, variables }, limits);
    } catch (error) {
      assert.ok(isAppError(error, 'OPERATION_TOO_EXPENSIVE'));
      return error.message;
    }
    assert.fail(`accepted: ${query.slice(0, 80)}`);
  };
  const bomb = rejected(aliasBomb(500));
  for (const part of ['cost 55,000 (limit 1,000)', '500 aliases (limit 15)', '2,500 fields (limit 200)', 'more than 1,000 tokens (the limit)']) assert.ok(bomb.includes(part), bomb);
  assert.match(rejected(aliasBomb(10)), /cost 1,100 \(limit 1,000\)/);
  assert.match(rejected(aliasBomb(16, 1)), /16 aliases \(limit 15\)/);
  assert.match(rejected('{ search(query: "x") { edges { node { id } } } }'.replace('id', 'id '.repeat(250))), /fields \(limit 200\)/);
  const deep = '{ __typename ' + 'a { '.repeat(7) + 'b' + ' }'.repeat(7) + ' }';
  assert.match(rejected(deep), /depth 8 \(limit 6\)/);
  const unparseable = '{' + '{a'.repeat(20_000) + '}'.repeat(20_000) + '}';
  const tooDeep = rejected(unparseable);
  assert.match(tooDeep, /more than 1,000 tokens \(the limit\)/);
  assert.doesNotMatch(tooDeep, /aliases|fields|depth|cost \d/, 'over the token limit and not even parseable: reported by its length alone');
});

test('tokens are counted as graphql-js counts them: comments are not tokens', () => {
  assert.equal(countTokens('{ search(query: "x") { edges { cursor } } }'), 14);
  assert.equal(countTokens('# a comment\n{ stats { headlines } }'), countTokens('{ stats { headlines } }'));
  assert.equal(countTokens('{ a b c d e f }', 3), 4, 'stops once past the limit');
});

test('checkOperationLimits passes what is within limits, and leaves syntax errors to Apollo', () => {
  assert.equal(checkOperationLimits({ query: SEARCH, variables: { q: 'x', first: 100 } }, limits)?.cost, 110);
  const introspection = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
  assert.ok(checkOperationLimits({ query: introspection }, limits), 'GraphiQL and Sandbox introspection fits');
  assert.ok(checkOperationLimits({ query: aliasBomb(9) }, limits), '9 searches of 100 rows: cost 990');
  assert.equal(checkOperationLimits({ query: '{ search(query: "x" ' }, limits), null);
  assert.equal(checkOperationLimits({ query: '{ "unterminated }' }, limits), null);
});

// The attack: one POST of 500 aliased search(first: 100) fields.
describeEachDatabase('operation limits over HTTP', (get) => {
  let server: ApiServer;
  let embedder: CountingEmbedder;
  let queries = 0;

  before(async () => {
    await loadRandomHeadlines(get().database.db, 60);
    embedder = countingEmbedder();
    get().database.pool.on('acquire', () => queries++);
    server = await startApiServer({ database: get().database, embedder, modelId: 'test-model', logger: silentLogger, port: 0 });
  });
  after(async () => {
    await server?.close();
  });

  const post = async (body: unknown) => {
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  };

  test('refused before any work: no embedding, no database query; within limits works as before', async () => {
    const refused: Array<[unknown, string, RegExp]> = [
      [{ query: aliasBomb(500) }, 'OPERATION_TOO_EXPENSIVE', /cost 55,000 \(limit 1,000\).*500 aliases \(limit 15\)/],
      [{ query: aliasBomb(10) }, 'OPERATION_TOO_EXPENSIVE', /cost 1,100/],
      [{ query: aliasBomb(16, 1) }, 'OPERATION_TOO_EXPENSIVE', /16 aliases/],
      [[{ query: SEARCH, variables: { q: 'floods' } }, { query: SEARCH, variables: { q: 'fires' } }], 'BAD_REQUEST', /Batched/],
    ];
    const before = { embeds: embedder.calls, queries };
    for (const [body, code, message] of refused) {
      const { status, body: answer } = await post(body);
      assert.equal(status, 400);
      assert.equal(answer.errors?.[0]?.extensions?.code, code);
      assert.match(answer.errors![0]!.message, message);
      assert.equal(answer.data, undefined);
    }
    // A hash no one registered has no document to measure or run (test/http-caching.test.ts has registered ones).
    const persisted = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } }, variables: { q: 'floods' } });
    assert.equal(persisted.body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
    assert.deepEqual({ embeds: embedder.calls, queries }, before, 'no embedding and no database query for refused operations');

    const ok = await post({ query: SEARCH, variables: { q: 'floods', first: 100 } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.errors, undefined);
    assert.equal((ok.body.data!.search as { edges: unknown[] }).edges.length, 60);
    const nine = await post({ query: aliasBomb(9) });
    assert.equal(nine.body.errors, undefined, 'cost 990 is within the budget');
    assert.equal(embedder.calls, before.embeds + 10);
    assert.ok(queries > before.queries);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /headline_search_rejected_requests_total\{reason="too_expensive"\} 3\b/);
    assert.match(metrics, /headline_search_rejected_requests_total\{reason="batched"\} 1\b/);
  });

  test('the arguments that drive the work are charged before any work: twelve timelines of top 5000, collapse, a deep cursor', async () => {
    const before = { embeds: embedder.calls, queries };
    const twelve = `{ ${Array.from({ length: 12 }, (_, i) => `t${i}: timeline(query: "bushfire", top: 5000, bucket: DAY) { period count }`).join(' ')} }`;
    const collapsed = `{ ${Array.from({ length: 5 }, (_, i) => `c${i}: search(query: "bushfire", first: 10, collapse: true) { edges { cursor } }`).join(' ')} }`;
    const deep = `query($a: String) { ${Array.from({ length: 9 }, (_, i) => `d${i}: search(query: "bushfire", first: 10, after: $a) { edges { cursor } }`).join(' ')} }`;
    for (const [body, cost] of [[{ query: twelve }, '6,720'], [{ query: collapsed }, '1,100'], [{ query: deep, variables: { a: cursorAt(999) } }, '1,080']] as const) {
      const { status, body: answer } = await post(body);
      assert.equal(status, 400);
      assert.equal(answer.errors?.[0]?.extensions?.code, 'OPERATION_TOO_EXPENSIVE');
      assert.match(answer.errors![0]!.message, new RegExp(`cost ${cost} \\(limit 1,000\\)`));
    }
    const invalid = await post({ query: SEARCH, variables: { q: 'floods', first: 'ten' } });
    assert.equal(invalid.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', 'a value that is not an Int is refused by Apollo');
    assert.deepEqual({ embeds: embedder.calls, queries }, before, 'no embedding and no database query');
    const one = await post({ query: '{ timeline(query: "bushfire", top: 5000, bucket: DAY) { period count } }' });
    assert.equal(one.body.errors, undefined, 'one such timeline is within the budget');
  });
});
