import type { Config } from '../config/parse-config.ts';
import { configuredModelId, createEmbedder } from '../embedding/create-embedder.ts';
import { createQueryEmbedder } from '../embedding/query-embedder.ts';
import type { Logger } from '../logger.ts';
import { SearchService, type PageRequest } from '../search/search-service.ts';
import type { SearchPage } from '../shared/search-types.ts';
import { validateQuery } from '../search/validate-search-input.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { openReadRouter } from './open-read-router.ts';
import { resolveEmbedModel } from './resolve-embed-model.ts';
import { openMigratedDatabase } from './with-database.ts';

/** `headlines search`: one page from the same service as the API (on a read replica when there are any), then everything closed. */
export async function searchOnce(environment: Config, logger: Logger, text: string, page: PageRequest): Promise<SearchPage> {
  // Text no search could take is refused before a database or a model is opened.
  validateQuery(text);
  const stack = new CleanupStack();
  try {
    const database = await stack.open(() => openMigratedDatabase(environment, logger), (d) => d.close());
    const config = await resolveEmbedModel(environment, database.db);
    const embedder = await stack.open(async () => createQueryEmbedder(await createEmbedder(config, logger, 'query'), { cacheSize: 0 }), (e) => e.close());
    const reads = await stack.open(() => openReadRouter(config, logger, database), (r) => r.close());
    return await new SearchService({ db: reads.db, embedder, modelId: configuredModelId(config) }).search(text, page);
  } finally {
    await stack.close();
  }
}
