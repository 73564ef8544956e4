import type { Logger } from '../logger.ts';
import { resolveBackend } from './activate-backend.ts';
import type { BackendRequest } from '../config/embed-backends.ts';
import { USE_DIMENSIONS, type Embedder } from './embedder.ts';
import { lengthBatches } from './length-batches.ts';
import { loadSentenceEncoder } from './load-sentence-encoder.ts';
import type { UseLitePrecision } from './onnx/use-lite-onnx-graph.ts';

export interface LocalEmbedderOptions {
  readonly backend: BackendRequest;
  readonly precision: UseLitePrecision;
  /** Stored with the vectors: tells float from int8 ones. */
  readonly modelId: string;
  readonly batchSize: number;
  readonly modelCacheDir: string;
  /** ONNX Runtime intra-op threads for this model. */
  readonly threads: number;
  readonly logger: Logger;
}

/**
 * The model in this thread: no worker hop, so a single query costs one model call.
 * Calls are serialised: one tfjs graph runs one execution at a time, and an ONNX
 * session already spreads one call over its own threads.
 */
export async function createLocalEmbedder(options: LocalEmbedderOptions): Promise<Embedder> {
  const warn = (m: string) => options.logger.warn(m);
  const backend = await resolveBackend(options.backend, warn);
  const encoder = await loadSentenceEncoder({ backend, precision: options.precision, modelCacheDir: options.modelCacheDir, threads: options.threads, warn });
  let tail: Promise<unknown> = Promise.resolve();

  const run = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const encodings = texts.map((t) => encoder.tokenize(t));
    const out = new Array<Float32Array>(texts.length);
    for (const batch of lengthBatches(encodings.map((e) => e.length), options.batchSize)) {
      const flat = await encoder.embedTokens(batch.map((i) => encodings[i]!));
      batch.forEach((index, row) => (out[index] = flat.slice(row * USE_DIMENSIONS, (row + 1) * USE_DIMENSIONS)));
    }
    return out;
  };

  return {
    modelId: options.modelId,
    dimensions: USE_DIMENSIONS,
    backend,
    embed: (texts) => {
      const result = tail.then(() => run(texts));
      tail = result.catch(() => undefined);
      return result;
    },
    close: async () => {
      await tail;
    },
  };
}
