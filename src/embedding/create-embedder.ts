import path from 'node:path';
import { MODELS, type ModelName } from '../config/embed-backends.ts';
import type { Config } from '../config/parse-config.ts';
import type { Logger } from '../logger.ts';
import { createEmbedderPool } from './embedder-pool.ts';
import type { Embedder } from './embedder.ts';
import { createHashEmbedder, HASH_MODEL_ID } from './hash-embedder.ts';
import { createLocalEmbedder } from './local-embedder.ts';
import { USE_INT8_MODEL_ID, USE_MODEL_ID } from './use-model-files.ts';

export type EmbedderUse = 'query' | 'server' | 'bulk';

/** Generated models (the ONNX form of USE-lite) live with the rest of the local state. */
export function modelCacheDir(config: Config): string {
  return path.join(config.dataDir, 'models');
}

/**
 * `query`: the model in this thread, lowest latency for one text at a time.
 * `server`: one model on its own worker thread. An ONNX Runtime call blocks the thread that
 * makes it, and a server's event loop must stay free for health checks, refusals and I/O
 * while searches are embedded.
 * `bulk`: a worker pool of EMBED_WORKERS models for throughput.
 */
export async function createEmbedder(config: Config, logger: Logger, use: EmbedderUse): Promise<Embedder> {
  if (config.embedModel === 'hash') {
    logger.info('embedding: the hash model (EMBED_MODEL=hash): bag of words, no neural model');
    return createHashEmbedder();
  }
  const precision = config.embedModel === 'use-lite-int8' ? 'int8' : 'float32';
  const options = { backend: config.embedBackend, precision, modelId: configuredModelId(config), batchSize: config.embedBatchSize, modelCacheDir: modelCacheDir(config), logger } as const;
  const embedder =
    use === 'query'
      ? await createLocalEmbedder({ ...options, threads: config.embedQueryThreads })
      : use === 'server'
        ? await createEmbedderPool({ ...options, workers: 1, threads: config.embedQueryThreads })
        : await createEmbedderPool({ ...options, workers: config.embedWorkers });
  // Which runtime actually runs matters for speed by a factor of 5; say it once.
  const threads = embedder.backend === 'onnx' ? `, ${config.embedQueryThreads} threads` : '';
  const where = { query: `in-process${threads}`, server: `one worker thread${threads}`, bulk: `${config.embedWorkers} workers` }[use];
  logger.info(`embedding: USE-lite${precision === 'int8' ? ' int8' : ''} on ${embedder.backend} (${where})`);
  return embedder;
}

/** The id of the model `createEmbedder` makes for this configuration, known before it loads. */
export function configuredModelId(config: Pick<Config, 'embedModel'>): string {
  if (config.embedModel === 'hash') return HASH_MODEL_ID;
  return config.embedModel === 'use-lite-int8' ? USE_INT8_MODEL_ID : USE_MODEL_ID;
}

/** The EMBED_MODEL name of a stored model id; undefined for an id no current model has (an older int8, say). */
export function modelNameFor(modelId: string): ModelName | undefined {
  return MODELS.find((name) => configuredModelId({ embedModel: name }) === modelId);
}
