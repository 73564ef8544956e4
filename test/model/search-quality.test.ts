import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { QueryEmbedder } from '../../src/embedding/query-embedder.ts';
import { USE_MODEL_ID } from '../../src/embedding/use-model-files.ts';
import { silentLogger } from '../../src/logger.ts';
import { startApiServer, type ApiServer } from '../../src/server/start-api-server.ts';
import { fixtureCsvFrom, loadFixture, queryEmbedder } from '../support/graphql-fixture.ts';
import { referenceFile, requiredPath } from '../support/reference-data.ts';
import { describeEachDatabase } from '../support/test-databases.ts';

// End to end with the real model: ~3,000 real headlines ingested, searched through GraphQL.
const SAMPLE = referenceFile('HEADLINES_SAMPLE_CSV');
let embedder: QueryEmbedder;
before(async () => {
  embedder = await queryEmbedder(100, 'use-lite');
});
after(async () => {
  await embedder?.close();
});

describeEachDatabase('search quality with USE-lite', (get) => {
  let server: ApiServer;
  before(async () => {
    await loadFixture(get().database, 'use-lite', fixtureCsvFrom(requiredPath(SAMPLE)));
    server = await startApiServer({ database: get().database, embedder, modelId: USE_MODEL_ID, logger: silentLogger, port: 0 });
  });
  after(async () => {
    await server?.close();
  });

  test('topical queries return topical headlines first, including ones that share no word with the query', async () => {
    const topics: Array<[string, RegExp]> = [
      ['bushfire threatens homes', /fire|blaze|burn|flame/],
      ['drought hits farmers', /drought|dry|farm|rain|water|crop/],
      ['war in iraq', /iraq|war|troops|saddam|baghdad|military|us /],
      ['cricket test match', /cricket|test|wicket|ashes|bat|bowl|innings|odi/],
    ];
    let withoutSharedWord = 0;
    for (const [query, words] of topics) {
      const response = await server.apollo.executeOperation(
        { query: 'query($q: String!) { search(query: $q, first: 5, mode: SEMANTIC) { edges { similarity node { text } } } }', variables: { q: query } },
        { contextValue: server.contextValue },
      );
      assert.equal(response.body.kind, 'single');
      const result = response.body.kind === 'single' ? response.body.singleResult : null;
      assert.equal(result?.errors, undefined);
      const edges = (result!.data as { search: { edges: Array<{ similarity: number; node: { text: string } }> } }).search.edges;
      assert.equal(edges.length, 5);
      const hits = edges.filter((e) => words.test(e.node.text)).length;
      assert.ok(hits >= 3, `${query}: ${edges.map((e) => e.node.text).join(' | ')}`);
      for (let i = 1; i < edges.length; i++) assert.ok(edges[i - 1]!.similarity >= edges[i]!.similarity);
      const queryWords = new Set(query.split(' '));
      withoutSharedWord += edges.filter((e) => !e.node.text.split(' ').some((w) => queryWords.has(w))).length;
    }
    // Meaning, not words: what the bag-of-words model of the fast tier cannot do.
    assert.ok(withoutSharedWord >= 4, `only ${withoutSharedWord} of 20 results share no word with their query`);
  });
}, { skip: SAMPLE.skip });
