import type { Config } from '../config/parse-config.ts';
import type { Logger } from '../logger.ts';
import { createEmbedderPool } from './embedder-pool.ts';
import type { Embedder } from './embedder.ts';
import { createLocalEmbedder } from './local-embedder.ts';

/**
 * `query`: the model in this thread, lowest latency for one text at a time.
 * `bulk`: a worker pool of EMBED_WORKERS models for throughput.
 */
export function createEmbedder(config: Config, logger: Logger, use: 'query' | 'bulk'): Promise<Embedder> {
  const options = { backend: config.embedBackend, batchSize: config.embedBatchSize, logger };
  return use === 'query' ? createLocalEmbedder(options) : createEmbedderPool({ ...options, workers: config.embedWorkers });
}
