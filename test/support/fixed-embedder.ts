import type { Embedder } from '../../src/embedding/embedder.ts';

/** The same unit vector for every text: for suites about the server, not about the model. */
export const fixedEmbedder: Embedder = {
  modelId: 'fake',
  dimensions: 512,
  backend: 'fake',
  embed: async (texts) => texts.map(() => new Float32Array(512).fill(1 / Math.sqrt(512))),
  close: async () => undefined,
};
