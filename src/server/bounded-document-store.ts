import type { DocumentStore } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { PARSED_BYTES_PER_CHARACTER } from '../graphql/cached-document-reader.ts';

/**
 * Parsed documents keep every token through their locations, so one holds about 4× the
 * size of its JSON, which is what Apollo's default store (30 MB) counts: clients sending
 * distinct documents could pin about 125 MB. This store charges an upper estimate of the
 * real size (128 bytes per source character) against `maxBytes`. A front end's handful of
 * documents still stays cached; a stream of distinct ones only recycles the same memory.
 */
export function boundedDocumentStore(maxBytes: number): DocumentStore {
  const cache = new LRUCache<string, DocumentNode>({ maxSize: maxBytes, sizeCalculation: (doc) => Math.max(1, (doc.loc?.source.body.length ?? 1000) * PARSED_BYTES_PER_CHARACTER) });
  return {
    get: async (key) => cache.get(key),
    set: async (key, value) => {
      cache.set(key, value);
    },
    delete: async (key) => cache.delete(key),
  };
}
