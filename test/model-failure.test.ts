import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createQueryEmbedder } from '../src/embedding/query-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { startQueryEmbeddingWorker } from '../src/search/query-embedding-worker.ts';
import { startApiServer } from '../src/server/start-api-server.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const brokenModel = () => createQueryEmbedder(Promise.reject(new Error('model weights not found')), { cacheSize: 0 });

describeEachDatabase('a query model that fails to load', (get) => {
  test('/readyz says model failed with the reason (503); searches fail fast with SERVICE_UNAVAILABLE', async () => {
    const embedder = brokenModel();
    const server = await startApiServer({ database: get().database, embedder, modelId: 'broken', logger: silentLogger, port: 0 });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { database: 'ok', model: 'failed: model weights not found', migrations: 'ok' });
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ search(query: "floods") { edges { similarity } } }' }),
      });
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.errors[0]!.extensions.code, 'SERVICE_UNAVAILABLE');
      assert.match(body.errors[0]!.message, /query model is not available on this server/);
      assert.doesNotMatch(body.errors[0]!.message, /model weights not found/, 'the reason is for the log and /readyz');
    } finally {
      await server.close();
    }
  });

  test('pending search_queries rows are left untouched, not marked as errors', async () => {
    const { db } = get().database;
    await sql`insert into search_queries (text) values ('floods in queensland'), ('bushfires')`.execute(db);
    const embedder = brokenModel();
    const worker = await startQueryEmbeddingWorker({ database: get().database, embed: (texts) => Promise.all(texts.map((t) => embedder.embedQuery(t))), logger: silentLogger, pollMs: 60_000 });
    try {
      await assert.rejects(worker.drain(), /embedding model failed to load/);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from search_queries where embedded_at is null and error is null and embedding is null`.execute(db);
      assert.equal(rows[0]!.n, 2);
    } finally {
      await worker.close();
    }
  });
});
