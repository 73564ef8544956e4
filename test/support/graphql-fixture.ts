import fs from 'node:fs';
import { after, before } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/parse-config.ts';
import { DEFAULT_HNSW_PARAMS } from '../../src/db/hnsw-index.ts';
import type { Database } from '../../src/db/open-database.ts';
import type { ModelName } from '../../src/config/embed-backends.ts';
import { configuredModelId, createEmbedder } from '../../src/embedding/create-embedder.ts';
import { createQueryEmbedder, type QueryEmbedder } from '../../src/embedding/query-embedder.ts';
import { HASH_MODEL_ID } from '../../src/embedding/hash-embedder.ts';
import { ingest } from '../../src/ingest/ingest.ts';
import { startApiServer, type ApiServer } from '../../src/server/start-api-server.ts';
import type { TestDatabase } from './test-databases.ts';
import { silentLogger } from '../../src/logger.ts';
import { generatedCsv, NOMINAL_ROWS, range } from './generated-headlines.ts';

export const FIXTURE_ROWS = 3000;
const STRIDE = NOMINAL_ROWS / FIXTURE_ROWS;

/** 3,000 rows spread evenly over the generated corpus, 2003–2021. */
export function fixtureCsv(): string {
  return generatedCsv(range(0, FIXTURE_ROWS, STRIDE));
}

/** The same spread from a real Kaggle-format file (for the model tier's quality checks). */
export function fixtureCsvFrom(file: string): string {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const picked = lines.slice(1).filter((_, i) => i % Math.floor(STRIDE) === 0).slice(0, FIXTURE_ROWS);
  return [lines[0], ...picked].join('\n') + '\n';
}

/** The fast tier's model: words hashed into vectors, no neural model to load. */
export const FAST_MODEL: ModelName = 'hash';

/** Loads the fixture through the real ingest path (PCA-64, HNSW index built). */
export async function loadFixture(database: Database, model: ModelName = FAST_MODEL, csv = fixtureCsv()): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-fixture-'));
  const file = path.join(dir, 'fixture.csv');
  fs.writeFileSync(file, csv);
  const config = parseConfig({ EMBED_MODEL: model });
  try {
    await ingest(
      { source: file, rejectsFile: () => path.join(dir, 'rejects.tsv'), maxTextLength: 1000, batchSize: 1000, hnsw: DEFAULT_HNSW_PARAMS },
      { database, modelId: configuredModelId(config), createEmbedder: () => createEmbedder(config, silentLogger, 'bulk') },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function queryEmbedder(cacheSize = 100, model: ModelName = FAST_MODEL): Promise<QueryEmbedder> {
  return createQueryEmbedder(await createEmbedder(parseConfig({ EMBED_MODEL: model }), silentLogger, 'query'), { cacheSize });
}

/** For a suite: the fixture loaded (hash model) and served in-process; the getter gives the server. */
export function useFixtureServer(get: () => TestDatabase, embedder: () => QueryEmbedder): () => ApiServer {
  let server: ApiServer | undefined;
  before(async () => {
    await loadFixture(get().database);
    // Suites send hundreds of requests from one address; the rate limit has its own tests.
    server = await startApiServer({ database: get().database, embedder: embedder(), modelId: HASH_MODEL_ID, logger: silentLogger, port: 0, settings: parseConfig({ RATE_LIMIT_PER_MINUTE: '0' }) });
  });
  after(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('fixture server not started yet');
    return server;
  };
}
