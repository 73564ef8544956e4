import { LRUCache } from 'lru-cache';
import { readDocument, type ReadDocument } from './check-operation-limits.ts';

type Read = ReturnType<ReadDocument>;

/** Upper estimate of a parsed document's memory per character of its source text. */
export const PARSED_BYTES_PER_CHARACTER = 128;

/**
 * readDocument with an LRU of its results by document text, so a client sending the same
 * few documents (a front end) is lexed and parsed once, not on every request. Charged as
 * boundedDocumentStore charges (128 bytes per source character) against `maxBytes`: a
 * stream of distinct documents only recycles the same memory.
 */
export function cachedDocumentReader(maxBytes: number): ReadDocument {
  // Keyed by text and token limit: the limit decides `tooLong`.
  const cache = new LRUCache<string, { read: Read }>({ maxSize: maxBytes, sizeCalculation: (_value, key) => Math.max(1, key.length * PARSED_BYTES_PER_CHARACTER) });
  return (query, maxTokens) => {
    const key = `${maxTokens}:${query}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = { read: readDocument(query, maxTokens) };
      cache.set(key, entry);
    }
    return entry.read;
  };
}
