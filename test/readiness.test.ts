import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Embedder } from '../src/embedding/embedder.ts';
import { createQueryEmbedder } from '../src/embedding/query-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { startApiServer } from '../src/server/start-api-server.ts';
import { describeEachDatabase } from './support/test-databases.ts';
import { fixedEmbedder } from './support/fixed-embedder.ts';


describeEachDatabase('readiness', (get) => {
  test('/readyz is 503 while the model loads and 200 once it has; /healthz is 200 throughout', async () => {
    let finishLoading!: (model: Embedder) => void;
    const embedder = createQueryEmbedder(new Promise<Embedder>((resolve) => (finishLoading = resolve)), { cacheSize: 0 });
    const server = await startApiServer({ database: get().database, embedder, modelId: 'fake', logger: silentLogger, port: 0 });
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const loading = await fetch(`${server.url}/readyz`);
      assert.equal(loading.status, 503);
      assert.deepEqual(((await loading.json()) as { checks: unknown }).checks, { database: 'ok', model: 'loading', migrations: 'ok' });
      finishLoading(fixedEmbedder);
      await embedder.embedQuery('anything');
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    } finally {
      await server.close();
    }
  });
});

describeEachDatabase(
  'readiness before migrating',
  (get) => {
    test('/readyz names the pending migrations', async () => {
      const server = await startApiServer({ database: get().database, embedder: createQueryEmbedder(fixedEmbedder, { cacheSize: 0 }), modelId: 'fake', logger: silentLogger, port: 0 });
      try {
        const res = await fetch(`${server.url}/readyz`);
        assert.equal(res.status, 503);
        const body = (await res.json()) as { checks: { migrations: string; model: string } };
        assert.match(body.checks.migrations, /^pending: 0001_vector_extension, 0002_headlines/);
        assert.equal(body.checks.model, 'ok');
      } finally {
        await server.close();
      }
    });
  },
  { migrate: false },
);
