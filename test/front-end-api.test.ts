import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { queryEmbedder, useFixtureServer } from './support/graphql-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';
import type { GraphqlEdge, GraphqlPage } from './support/graphql-page.ts';

type Edge = GraphqlEdge;
type Page = GraphqlPage;

const PAGE = 'edges { cursor similarity node { id text publishedOn } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const SEARCH = `query($q: String!, $first: Int, $after: String, $filter: HeadlineFilter, $mode: SearchMode) { search(query: $q, first: $first, after: $after, filter: $filter, mode: $mode) { ${PAGE} } }`;

let embedder: QueryEmbedder;
before(async () => {
  embedder = await queryEmbedder();
});
after(async () => {
  await embedder?.close();
});

describeEachDatabase('Front-end API: Relay paging, timeline, collapse', (get) => {
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

  test('Apollo Client: InMemoryCache with relayStylePagination([query, filter, mode]) merges fetchMore pages into one list', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${server().url}/graphql` }),
      cache: new InMemoryCache({ typePolicies: { Query: { fields: { search: relayStylePagination(['query', 'filter', 'mode']) } } } }),
    });
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
    } finally {
      client.stop();
    }
  });
});
