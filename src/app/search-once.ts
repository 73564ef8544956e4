import type { Config } from '../config/parse-config.ts';
import { configuredModelId, createEmbedder } from '../embedding/create-embedder.ts';
import { createQueryEmbedder } from '../embedding/query-embedder.ts';
import type { Logger } from '../logger.ts';
import { SearchService, type PageRequest } from '../search/search-service.ts';
import type { SearchPage } from '../shared/search-types.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { openMigratedDatabase } from './with-database.ts';

/** `headlines search`: one page from the same service as the API, then everything closed. */
export async function searchOnce(config: Config, logger: Logger, text: string, page: PageRequest): Promise<SearchPage> {
  const stack = new CleanupStack();
  try {
    const database = await stack.open(() => openMigratedDatabase(config, logger), (d) => d.close());
    const embedder = await stack.open(async () => createQueryEmbedder(await createEmbedder(config, logger, 'query'), { cacheSize: 0 }), (e) => e.close());
    return await new SearchService({ db: database.db, embedder, modelId: configuredModelId(config) }).search(text, page);
  } finally {
    await stack.close();
  }
}
