import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { createLogger } from '../src/logger.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { loadFixture, queryEmbedder } from './support/graphql-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';

describeEachDatabase('a server whose model is not the database\'s', (get) => {
  let embedder: QueryEmbedder;
  let server: ApiServer;
  const logged: string[] = [];

  before(async () => {
    await loadFixture(get().database);
    embedder = await queryEmbedder();
    // The fixture is embedded with the hash model; this server claims another.
    server = await startApiServer({ database: get().database, embedder, modelId: 'universal-sentence-encoder-lite/int8-dynamic-v1', logger: createLogger('error', (line) => logged.push(line)), port: 0 });
  });

  after(async () => {
    await server?.close();
    await embedder?.close();
  });

  test('searches are refused with SERVICE_UNAVAILABLE naming both models, and the operator is told in the log', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ search(query: "bushfire threatens homes", first: 3) { edges { node { id } } } }' }),
    });
    const body = (await response.json()) as { data: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.errors.length, 1);
    assert.equal(body.errors[0]!.extensions.code, 'SERVICE_UNAVAILABLE');
    assert.match(body.errors[0]!.message, /Model mismatch: the database was embedded with model hash.* this program uses universal-sentence-encoder-lite\/int8-dynamic-v1/);
    assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+|select /i, 'no stack trace or SQL');
    assert.match(logged.join('\n'), /Model mismatch/);
  });

  const post = async (query: string) => {
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return (await response.json()) as { data: Record<string, unknown> | null; errors?: Array<{ message: string; extensions: { code: string } }> };
  };

  test('timeline, similarTimeline and similar are refused as search is; headline and stats still answer', async () => {
    const { rows } = await sql<{ id: string }>`select min(id)::text as id from headlines`.execute(get().database.db);
    const id = rows[0]!.id;
    for (const query of [
      '{ timeline(query: "bushfire threatens homes", top: 50) { period count } }',
      `{ similarTimeline(id: "${id}", top: 50) { period count } }`,
      `{ similar(id: "${id}", first: 3) { edges { node { id } } } }`,
    ]) {
      const body = await post(query);
      assert.equal(body.errors?.length, 1, query);
      assert.equal(body.errors![0]!.extensions.code, 'SERVICE_UNAVAILABLE', query);
      assert.match(body.errors![0]!.message, /Model mismatch/, query);
      assert.equal(body.data, null, `${query}: no numbers ranked by noise`);
    }
    const fine = await post(`{ stats { model } headline(id: "${id}") { id } }`);
    assert.equal(fine.errors, undefined);
  });

  test('/readyz is 503 and names the mismatch in its details', async () => {
    const response = await fetch(`${server.url}/readyz`);
    assert.equal(response.status, 503);
    const body = (await response.json()) as { ready: boolean; checks: { model: string; database: string } };
    assert.equal(body.ready, false);
    assert.equal(body.checks.database, 'ok');
    assert.match(body.checks.model, /^mismatch: .*embedded with model hash.*universal-sentence-encoder-lite\/int8-dynamic-v1/);
  });
});
