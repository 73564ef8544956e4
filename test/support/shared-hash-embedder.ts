import { after, before } from 'node:test';
import { parseConfig } from '../../src/config/parse-config.ts';
import { createEmbedder } from '../../src/embedding/create-embedder.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { silentLogger } from '../../src/logger.ts';

/**
 * For a test file: one hash-model embedder pool started before its tests and closed after.
 * The result is an ingest's `createEmbedder`: each ingest closes what it is given, so it is
 * given a view whose close leaves the shared pool running.
 */
export function useSharedHashEmbedder(): () => Promise<Embedder> {
  let embedder: Embedder | undefined;
  before(async () => {
    embedder = await createEmbedder(parseConfig({ EMBED_MODEL: 'hash' }), silentLogger, 'bulk');
  });
  after(async () => {
    await embedder?.close();
  });
  return async () => {
    const shared = embedder;
    if (!shared) throw new Error('shared embedder not started yet');
    return { ...shared, embed: (texts) => shared.embed(texts), close: async () => undefined };
  };
}
