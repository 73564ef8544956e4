import type { Config } from '../config/parse-config.ts';
import { connectPool, type Database, type OpenDatabaseOptions } from '../db/open-database.ts';
import { createReadRouter, type ReadRouter } from '../db/read-router.ts';
import type { Logger } from '../logger.ts';

/**
 * Reads for `database`: through DATABASE_READ_URLS' replicas when there are any, else on
 * `database` itself. Replicas are checked once before this resolves, so the first requests
 * already know which are in rotation; one that is down does not stop the start.
 */
export async function openReadRouter(config: Config, logger: Logger, database: Database, options: OpenDatabaseOptions = {}): Promise<ReadRouter> {
  const replicas = config.databaseReadUrls.map((url) => connectPool(url, config, logger, options));
  const router = createReadRouter({
    primary: database,
    replicas,
    maxLagMs: config.maxReplicaLagMs,
    checkIntervalMs: config.replicaCheckIntervalMs,
    logger,
  });
  if (replicas.length > 0) {
    await router.check();
    for (const pool of router.status()) logger.info(`read pool ${pool.name}: ${pool.state}${pool.lagMs === null ? '' : `, ${Math.round(pool.lagMs)} ms behind`}`);
  }
  return router;
}
