import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_HNSW_PARAMS } from '../src/db/hnsw-index.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { tempDir } from './support/ingest-fixtures.ts';
import { csvOf, generatedRows } from './support/random-rows.ts';
import { withinOrHung } from './support/hang-guard.ts';
import { describeEachDatabase } from './support/test-databases.ts';
import { useSharedHashEmbedder } from './support/shared-hash-embedder.ts';

const dir = tempDir('hs-ingest-setup-');
const sharedEmbedder = useSharedHashEmbedder();
after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describeEachDatabase('ingest setup failures', (get) => {
  test("a setup step that throws (the gram) releases the loader's pooled client", async () => {
    const { database, mode } = get();
    const file = path.join(dir, `setup-${mode}.csv`);
    fs.writeFileSync(file, csvOf(generatedRows(200, 6)));
    // A fresh database fits PCA, so the gram is made after the loader has its client.
    const failing = ingest(
      { source: file, rejectsFile: () => path.join(dir, `rejects-${mode}.tsv`), maxTextLength: 1000, batchSize: 50, hnsw: DEFAULT_HNSW_PARAMS },
      {
        database,
        modelId: HASH_MODEL_ID,
        createEmbedder: sharedEmbedder,
        createGram: async () => {
          throw new Error('gram unavailable');
        },
      },
    );
    await assert.rejects(withinOrHung(failing, 20_000, 'failed ingest'), /gram unavailable/);
    // A client left checked out would keep the pool, and so the process, from ever closing.
    assert.equal(database.pool.totalCount - database.pool.idleCount, 0, 'no pooled client is left checked out');
  });
});
