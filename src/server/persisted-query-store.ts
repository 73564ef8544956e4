import { AsyncLocalStorage } from 'node:async_hooks';
import { PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { LRUCache } from 'lru-cache';

interface Pinned {
  readonly hash: string;
  readonly query: string;
}

/**
 * Automatic persisted queries (APQ) whose documents are measured like any other. Apollo
 * stores each registered document here (query text by its SHA-256), in an LRU bounded by
 * `maxBytes`. A hash-only request is resolved once, by the operation limits, which measure
 * the text with the request's own variables and then pin it for the rest of the request:
 * Apollo's lookup finds only that pinned text. So what runs is always what was measured,
 * and a hash the limits did not find (unknown, evicted, or registered by another request
 * in between) is PERSISTED_QUERY_NOT_FOUND from Apollo, never an unmeasured document.
 */
export class PersistedQueryStore {
  private readonly texts: LRUCache<string, string>;
  private readonly pinned = new AsyncLocalStorage<Pinned>();
  /** Apollo's `persistedQueries.cache`: writes register, reads see only the pinned text. */
  readonly apolloCache: KeyValueCache<string>;

  constructor(maxBytes: number) {
    // JavaScript strings hold two bytes a character.
    this.texts = new LRUCache<string, string>({ maxSize: maxBytes, sizeCalculation: (query, hash) => 2 * (query.length + hash.length) });
    // Apollo would prefix keys with "apq:"; the store is APQ's alone, so hashes stay as they are.
    this.apolloCache = PrefixingKeyValueCache.cacheDangerouslyDoesNotNeedPrefixesForIsolation<string>({
      get: async (hash) => {
        const pinned = this.pinned.getStore();
        return pinned?.hash === hash ? pinned.query : undefined;
      },
      set: async (hash, query) => {
        this.texts.set(hash, query);
      },
      delete: async (hash) => this.texts.delete(hash),
    });
  }

  /** The registered text of `hash`, if it is still held. */
  lookup(hash: string): string | undefined {
    return this.texts.get(hash);
  }

  /** Runs `next` (the rest of the request) with `query` as what Apollo finds under `hash`. */
  pin(hash: string, query: string, next: () => void): void {
    this.pinned.run({ hash, query }, next);
  }
}
