import type { Config } from '../config/parse-config.ts';
import { createEmbedder } from '../embedding/create-embedder.ts';
import type { Logger } from '../logger.ts';
import { startQueryEmbeddingWorker, type QueryEmbeddingWorker } from '../search/query-embedding-worker.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { resolveEmbedModel } from './resolve-embed-model.ts';
import { openMigratedDatabase } from './with-database.ts';

/** `headlines embed-queries`: the search_queries embedder without the API. */
export function createQueryWorker(environment: Config, logger: Logger): Promise<QueryEmbeddingWorker> {
  return CleanupStack.build(async (stack) => {
    const database = await stack.open(() => openMigratedDatabase(environment, logger), (d) => d.close());
    const config = await resolveEmbedModel(environment, database.db);
    const embedder = await stack.open(() => createEmbedder(config, logger, 'server'), (e) => e.close());
    const worker = await stack.open(() => startQueryEmbeddingWorker({ database, embed: (texts) => embedder.embed(texts), logger }), (w) => w.close());
    return { drain: () => worker.drain(), close: () => stack.close() };
  });
}
