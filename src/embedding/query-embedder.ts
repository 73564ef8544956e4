import { LRUCache } from 'lru-cache';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { Embedder } from './embedder.ts';
import { normalizeText } from './normalize-text.ts';

export type ModelState = { readonly state: 'loading' | 'ready' } | { readonly state: 'failed'; readonly reason: string };

export interface QueryEmbedder {
  /**
   * One query's vector; repeated (normalised) queries come from the cache. Waits while the
   * model loads; fails with SERVICE_UNAVAILABLE if it could not be loaded.
   */
  embedQuery(text: string): Promise<Float32Array>;
  readonly model: ModelState;
  readonly cacheSize: number;
  close(): Promise<void>;
}

export interface QueryEmbedderOptions {
  /** Entries in the LRU cache of normalised query → vector; 0 disables it. */
  readonly cacheSize: number;
  /** Most queries merged into one model call. */
  readonly maxBatch?: number;
}

/**
 * Query embedding in the calling thread. A lone query goes straight to the model; queries
 * that arrive while the model is busy are merged into the next call, which roughly
 * doubles throughput under load (one batched call costs little more than one query).
 */
export function createQueryEmbedder(model: Embedder | Promise<Embedder>, options: QueryEmbedderOptions): QueryEmbedder {
  let loaded: Embedder | null = null;
  let state: ModelState = { state: 'loading' };
  let failure: AppError | null = null;
  // A model that cannot load stays failed: every caller, and /readyz, is told why at once.
  const loading = Promise.resolve(model).then(
    (m) => {
      state = { state: 'ready' };
      return (loaded = m);
    },
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      state = { state: 'failed', reason };
      throw (failure = new AppError(ErrorCode.SERVICE_UNAVAILABLE, `The embedding model failed to load: ${reason}`, { cause: error }));
    },
  );
  loading.catch(() => undefined); // surfaced to callers of embedQuery
  const cache = options.cacheSize > 0 ? new LRUCache<string, Float32Array>({ max: options.cacheSize }) : null;
  const maxBatch = options.maxBatch ?? 32;
  const waiting = new Map<string, Array<{ resolve: (v: Float32Array) => void; reject: (e: unknown) => void }>>();
  let running = false;

  const drain = async () => {
    if (running || waiting.size === 0) return;
    running = true;
    const texts = [...waiting.keys()].slice(0, maxBatch);
    const callers = texts.map((t) => {
      const c = waiting.get(t)!;
      waiting.delete(t);
      return c;
    });
    const settle = (i: number, vector: Float32Array) => {
      cache?.set(texts[i]!, vector);
      for (const c of callers[i]!) c.resolve(vector);
    };
    try {
      const embedder = loaded ?? (await loading);
      try {
        const vectors = await embedder.embed(texts);
        texts.forEach((_, i) => settle(i, vectors[i]!));
      } catch (error) {
        if (texts.length === 1) throw error;
        // Merging is this module's choice, not the callers': one text the model refuses must
        // fail only the callers who sent it, so each text of a failed batch is tried alone.
        await Promise.all(
          texts.map((t, i) =>
            embedder.embed([t]).then(
              ([vector]) => settle(i, vector!),
              (alone: unknown) => callers[i]!.forEach((c) => c.reject(alone)),
            ),
          ),
        );
      }
    } catch (error) {
      for (const group of callers) for (const c of group) c.reject(error);
    } finally {
      running = false;
      void drain();
    }
  };

  return {
    cacheSize: options.cacheSize,
    get model() {
      return state;
    },
    embedQuery(text) {
      if (failure) return Promise.reject(failure);
      const key = normalizeText(text);
      const hit = cache?.get(key);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const group = waiting.get(key);
        if (group) group.push({ resolve, reject });
        else waiting.set(key, [{ resolve, reject }]);
        void drain();
      });
    },
    close: async () => (await loading.catch(() => null))?.close(),
  };
}
