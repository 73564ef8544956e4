import type { Config } from '../config/parse-config.ts';
import type { Database } from '../db/open-database.ts';
import { recordServedQuery } from '../db/search-queries-repository.ts';
import { configuredModelId, createEmbedder } from '../embedding/create-embedder.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { createQueryEmbedder } from '../embedding/query-embedder.ts';
import type { Logger } from '../logger.ts';
import { startQueryEmbeddingWorker } from '../search/query-embedding-worker.ts';
import { startApiServer } from '../server/start-api-server.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { apiConnectionOptions, openApiDatabase } from './open-api-database.ts';
import { openReadRouter } from './open-read-router.ts';
import { resolveEmbedModel } from './resolve-embed-model.ts';

export interface ApiOptions {
  readonly port: number;
  /** A database the caller opened and will close; otherwise the API opens and closes its own. */
  readonly database?: Database;
  /** The query model; the configured runtime's by default. */
  readonly createModel?: () => Promise<Embedder>;
}

export interface Api {
  readonly url: string;
  readonly port: number;
  readonly database: Database;
  /** Stops accepting, finishes in-flight requests, then closes the rest in reverse order of start. */
  close(): Promise<void>;
}

/** The API process: database, query model, HTTP server, and the search_queries embedder. */
export function createApi(environment: Config, logger: Logger, options: ApiOptions): Promise<Api> {
  return CleanupStack.build(async (stack) => {
    const database = options.database ?? (await stack.open(() => openApiDatabase(environment, logger), (d) => d.close()));
    // The model is read once, here (and by an ingest), not per search. A read that fails
    // leaves the configured model: the model check then says what is wrong, and /readyz too.
    const config = await resolveEmbedModel(environment, database.db).catch((error: Error) => {
      logger.warn(`the database's embedding model could not be read (${error.message}); using EMBED_MODEL's default`);
      return environment;
    });
    // Searches, lookups and stats read on the replicas; everything that writes, and the LISTEN worker, stays on `database`.
    const reads = await stack.open(() => openReadRouter(config, logger, database, apiConnectionOptions(config)), (r) => r.close());
    // Not awaited: the server listens while the model loads (/readyz says 503 until it is in).
    const model = (options.createModel ?? (() => createEmbedder(config, logger, 'server')))();
    const embedder = await stack.open(() => createQueryEmbedder(model, { cacheSize: config.queryCacheSize }), (e) => e.close());
    const onQuery = config.logQueries
      ? (text: string, embedding: Float32Array) => void recordServedQuery(database.db, text, embedding).catch((e: Error) => logger.warn(`LOG_QUERIES: ${e.message}`))
      : undefined;
    const server = await stack.open(
      () => startApiServer({ database, reads, embedder, modelId: configuredModelId(config), logger, port: options.port, onQuery, settings: config }),
      (s) => s.close(),
    );
    await stack.open(
      () => startQueryEmbeddingWorker({ database, embed: (texts) => Promise.all(texts.map((t) => embedder.embedQuery(t))), logger }),
      (w) => w.close(),
    );
    if (database.embedded) logger.info(`embedded database for psql: ${database.connectionString}`);
    return { url: server.url, port: server.port, database, close: () => stack.close() };
  });
}
