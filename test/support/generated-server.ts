import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { parseConfig } from '../../src/config/parse-config.ts';
import { DEFAULT_HNSW_PARAMS } from '../../src/db/hnsw-index.ts';
import { createEmbedder } from '../../src/embedding/create-embedder.ts';
import { HASH_MODEL_ID } from '../../src/embedding/hash-embedder.ts';
import { createQueryEmbedder, type QueryEmbedder } from '../../src/embedding/query-embedder.ts';
import { ingest } from '../../src/ingest/ingest.ts';
import { silentLogger } from '../../src/logger.ts';
import { startApiServer, type ApiServer } from '../../src/server/start-api-server.ts';
import { csvOf, generatedRows } from './random-rows.ts';
import type { TestDatabase } from './test-databases.ts';

export interface GraphqlAnswer {
  readonly status: number;
  readonly body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } | null;
}

/** One operation over HTTP, as a client sends it; a body that is not JSON comes back as null. */
export async function postGraphql(url: string, query: string, variables: Record<string, unknown>): Promise<GraphqlAnswer> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as GraphqlAnswer['body'] };
  } catch {
    return { status: res.status, body: null };
  }
}

/**
 * For a suite: `rows` generated headlines loaded through the real ingest (hash model, PCA,
 * HNSW index) and served over HTTP on an ephemeral port; the getter gives the server.
 */
export function useGeneratedServer(get: () => TestDatabase, rows = 400): () => ApiServer {
  let server: ApiServer | undefined;
  let embedder: QueryEmbedder | undefined;
  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-generated-'));
    const config = parseConfig({ EMBED_MODEL: 'hash' });
    try {
      fs.writeFileSync(path.join(dir, 'generated.csv'), csvOf(generatedRows(rows)));
      await ingest(
        { source: path.join(dir, 'generated.csv'), rejectsFile: () => path.join(dir, 'rejects.tsv'), maxTextLength: 1000, batchSize: 500, hnsw: DEFAULT_HNSW_PARAMS },
        { database: get().database, modelId: HASH_MODEL_ID, createEmbedder: () => createEmbedder(config, silentLogger, 'bulk') },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    embedder = createQueryEmbedder(await createEmbedder(config, silentLogger, 'query'), { cacheSize: 100 });
    server = await startApiServer({ database: get().database, embedder, modelId: HASH_MODEL_ID, logger: silentLogger, port: 0, settings: parseConfig({ RATE_LIMIT_PER_MINUTE: '0' }) });
  });
  after(async () => {
    await server?.close();
    await embedder?.close();
  });
  return () => {
    if (!server) throw new Error('generated server not started yet');
    return server;
  };
}
