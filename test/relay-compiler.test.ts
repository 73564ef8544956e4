import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { Kind, parse, print, visit, type TypeNode } from 'graphql';
import type { KyselyPlugin } from 'kysely';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { toGlobalId } from '../src/graphql/global-id.ts';
import { SearchService } from '../src/search/search-service.ts';
import { queryEmbedder, useFixtureServer } from './support/graphql-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';

/** The relay-compiler package's own binary for this platform (shipped in the package: no install script, no download). */
const RELAY_BINARY = createRequire(import.meta.url)('relay-compiler') as string | null;
const SCHEMA = fs.readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

/**
 * A small Relay app's documents, as a front end would write them: a card fragment on
 * Headline that refetches itself, and the two connections paged with @connection from
 * refetchable Query fragments (Relay's pagination fragments must be refetchable).
 */
const SOURCES: Record<string, string> = {
  'HeadlineCard.ts': `
    fragment HeadlineCard_headline on Headline @refetchable(queryName: "HeadlineCardRefetchQuery") {
      text
      publishedOn
    }`,
  'Results.ts': `
    fragment Results_query on Query
    @refetchable(queryName: "ResultsPaginationQuery")
    @argumentDefinitions(
      q: { type: "String!" }, mode: { type: "SearchMode", defaultValue: HYBRID }, filter: { type: "HeadlineFilter" },
      count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }
    ) {
      search(query: $q, mode: $mode, filter: $filter, first: $count, after: $cursor) @connection(key: "Results_search", filters: ["query", "mode", "filter"]) {
        edges { similarity node { id ...HeadlineCard_headline } }
      }
    }`,
  'Similar.ts': `
    fragment Similar_query on Query
    @refetchable(queryName: "SimilarPaginationQuery")
    @argumentDefinitions(id: { type: "ID!" }, count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
      similar(id: $id, first: $count, after: $cursor) @connection(key: "Similar_similar") {
        edges { similarity node { id ...HeadlineCard_headline } }
      }
    }`,
};
const ARTIFACTS = ['HeadlineCard_headline', 'HeadlineCardRefetchQuery', 'Results_query', 'ResultsPaginationQuery', 'Similar_query', 'SimilarPaginationQuery'];

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes the app and its config around `schema`, runs relay-compiler there; its exit status, output and folder. */
function compile(schema: string): { status: number | null; output: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-relay-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'schema.graphql'), schema);
  fs.writeFileSync(path.join(dir, 'relay.config.json'), JSON.stringify({ src: './src', schema: './schema.graphql', language: 'typescript', customScalarTypes: { Date: 'string' } }));
  for (const [file, document] of Object.entries(SOURCES)) {
    fs.writeFileSync(path.join(dir, 'src', file), `declare const graphql: (s: TemplateStringsArray) => unknown;\nexport default graphql\`${document}\n\`;\n`);
  }
  const run = spawnSync(RELAY_BINARY!, [], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, output: stripVTControlCharacters(`${run.stdout}${run.stderr}${run.error ?? ''}`), dir };
}

/** The operation text of a compiled query artifact: what Relay sends to the server. */
function operationText(dir: string, name: string): string {
  const artifact = fs.readFileSync(path.join(dir, 'src', '__generated__', `${name}.graphql.ts`), 'utf8');
  const literal = /"text": ("(?:[^"\\]|\\.)*")/.exec(artifact);
  assert.ok(literal, `${name} has its operation text`);
  return JSON.parse(literal[1]!) as string;
}

/** schema.graphql without the Node interface, its implementations and the fields that return it. */
function withoutNode(sdl: string): string {
  const named = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : named(type.type));
  const stripped = print(visit(parse(sdl), {
    InterfaceTypeDefinition: (node) => (node.name.value === 'Node' ? null : undefined),
    ObjectTypeDefinition: (node) => ({ ...node, interfaces: node.interfaces?.filter((i) => i.name.value !== 'Node') }),
    FieldDefinition: (node) => (named(node.type) === 'Node' ? null : undefined),
  }));
  assert.doesNotMatch(stripped, /interface Node|implements Node|\): \[?Node/);
  return stripped;
}

describe('relay-compiler against schema.graphql', { skip: RELAY_BINARY ? false : `relay-compiler ships no binary for ${process.platform}-${process.arch}` }, () => {
  test('compiles @connection on search and similar, @refetchable Query fragments, and a @refetchable fragment on Headline (refetched through node)', () => {
    const { status, output, dir } = compile(SCHEMA);
    assert.equal(status, 0, output);
    for (const name of ARTIFACTS) assert.ok(fs.existsSync(path.join(dir, 'src', '__generated__', `${name}.graphql.ts`)), `${name} emitted`);
    assert.match(operationText(dir, 'HeadlineCardRefetchQuery'), /node\(id: \$id\)/);
    assert.match(operationText(dir, 'ResultsPaginationQuery'), /search\(query: \$q, mode: \$mode, filter: \$filter, first: \$count, after: \$cursor\)/);
  });

  test('the same documents fail against the schema without Node: Relay cannot refetch a Headline', () => {
    const { status, output } = compile(withoutNode(SCHEMA));
    assert.notEqual(status, 0, output);
    assert.match(output, /Invalid use of @refetchable on fragment 'HeadlineCard_headline'/);
  });
});

let embedder: QueryEmbedder;
before(async () => {
  embedder = await queryEmbedder();
});
after(async () => {
  await embedder?.close();
});

interface Card {
  id: string;
  text: string;
  publishedOn: string;
}
interface RelayPage {
  edges: Array<{ cursor: string; node: Card & { __typename: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describeEachDatabase('Relay against a running server: node, nodes and the compiled pagination queries', (get) => {
  const server = useFixtureServer(get, () => embedder);
  let dir: string;
  before(() => {
    if (!RELAY_BINARY) return;
    const compiled = compile(SCHEMA);
    assert.equal(compiled.status, 0, compiled.output);
    dir = compiled.dir;
  });

  /** POST /graphql, as a Relay network layer sends it. */
  async function post<T>(query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
    const response = await fetch(`${server().url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  }
  async function data<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const result = await post<T>(query, variables);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!;
  }
  const CARDS = 'query($q: String!, $first: Int) { search(query: $q, first: $first, mode: SEMANTIC) { edges { node { id text publishedOn } } } }';
  const cards = async (q: string, first: number) => (await data<{ search: { edges: Array<{ node: Card }> } }>(CARDS, { q, first })).search.edges.map((e) => e.node);

  test("Relay's refetch query for HeadlineCard (node(id:)) returns the same headline as the search that listed it; headline(id) takes the same id", { skip: !RELAY_BINARY }, async () => {
    const listed = await cards('council rejects development plan', 3);
    assert.equal(listed.length, 3);
    const refetch = operationText(dir, 'HeadlineCardRefetchQuery');
    for (const card of listed) {
      const { node } = await data<{ node: Card & { __typename: string } }>(refetch, { id: card.id });
      assert.deepEqual({ ...node }, { __typename: 'Headline', ...card });
      const { headline } = await data<{ headline: Card }>('query($id: ID!) { headline(id: $id) { id text publishedOn } }', { id: card.id });
      assert.deepEqual({ ...headline }, card);
    }
    // Ids are opaque and say their type, not a bare row number.
    assert.ok(listed.every((c) => !/^\d+$/.test(c.id) && Buffer.from(c.id, 'base64url').toString().startsWith('Headline:')));
  });

  test("Relay's compiled pagination queries page search and similar: two pages of 3 are one page of 6", { skip: !RELAY_BINARY }, async () => {
    const seed = (await cards('flood warning for river towns', 1))[0]!;
    for (const [name, field, variables] of [
      ['ResultsPaginationQuery', 'search', { q: 'flood warning for river towns', mode: 'SEMANTIC', filter: { from: '2005-01-01' } }],
      ['SimilarPaginationQuery', 'similar', { id: seed.id }],
    ] as const) {
      const text = operationText(dir, name);
      const page = async (count: number, cursor: string | null) => (await data<Record<string, RelayPage>>(text, { ...variables, count, cursor }))[field]!;
      const one = await page(3, null);
      const two = await page(3, one.pageInfo.endCursor);
      const whole = await page(6, null);
      assert.equal(whole.edges.length, 6, name);
      assert.deepEqual([...one.edges, ...two.edges].map((e) => e.node.id), whole.edges.map((e) => e.node.id), name);
      assert.equal(two.pageInfo.endCursor, whole.pageInfo.endCursor, name);
      if (field === 'similar') assert.ok(!whole.edges.some((e) => e.node.id === seed.id), 'similar leaves its own headline out');
    }
  });

  test('nodes(ids) answers in the order asked, null for unknown, malformed, other-type and bare numeric ids; node(id) likewise null, never an error', async () => {
    const [a, b] = await cards('police investigate crash', 2);
    const unknown = toGlobalId('Headline', '999999999');
    const otherType = Buffer.from('SearchEdge:1').toString('base64url');
    const badKey = Buffer.from('Headline:12abc').toString('base64url');
    const ids = [a!.id, unknown, 'not an id', b!.id, otherType, badKey, '1', `${a!.id}==`, '', a!.id];
    const { nodes } = await data<{ nodes: Array<(Card & { __typename: string }) | null> }>('query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Headline { text publishedOn } } }', { ids });
    const expected = (card: Card) => ({ __typename: 'Headline', ...card });
    assert.deepEqual(nodes.map((n) => (n ? { ...n } : null)), [expected(a!), null, null, expected(b!), null, null, null, null, null, expected(a!)]);
    for (const id of [unknown, 'not an id', otherType, badKey, '']) {
      assert.deepEqual(await post('query($id: ID!) { node(id: $id) { id } }', { id }), { data: { node: null } }, id);
    }
  });

  test('nodes fetches every id in one SQL statement, and refuses more than 100 ids with BAD_USER_INPUT before any', async () => {
    const statements: string[] = [];
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const search = new SearchService({ db: get().database.db.withPlugin(counting), embedder, modelId: HASH_MODEL_ID });
    const listed = await cards('bushfire threatens homes', 20);
    const run = (ids: string[]) => server().apollo.executeOperation({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids } }, { contextValue: { ...server().contextValue, search } });
    const response = await run([...listed.map((c) => c.id), 'junk', toGlobalId('Headline', '999999999')]);
    assert.ok(response.body.kind === 'single');
    assert.equal(response.body.singleResult.errors, undefined);
    assert.deepEqual((response.body.singleResult.data as { nodes: Array<{ id: string } | null> }).nodes.map((n) => n?.id ?? null), [...listed.map((c) => c.id), null, null]);
    assert.deepEqual(statements, ['SelectQueryNode'], 'one statement for 22 ids');
    statements.length = 0;
    const tooMany = await run(Array.from({ length: 101 }, () => listed[0]!.id));
    assert.ok(tooMany.body.kind === 'single');
    assert.equal(tooMany.body.singleResult.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(tooMany.body.singleResult.errors![0]!.message, /`ids` holds 101 ids; the limit is 100/);
    assert.deepEqual(statements, []);
  });
});
