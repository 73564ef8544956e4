import { USE_DIMENSIONS, type Embedder } from './embedder.ts';
import { normalizeText } from './normalize-text.ts';

/** Never equal to a neural model's id, so its vectors can never share a database with those. */
export const HASH_MODEL_ID = 'hash-words-512-v1';

// Whole words carry the meaning; character trigrams make "bushfire" and "bushfires" close.
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.35;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function add(vector: Float32Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  // The top bit picks the sign, so that unrelated features cancel out on average.
  vector[hash % vector.length]! += hash & 0x80000000 ? -weight : weight;
}

/** One text's unit vector: its words and their character trigrams, hashed into 512 dimensions. */
function hashEmbed(text: string, dimensions: number = USE_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const word of normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? []) {
    add(vector, `w:${word}`, WORD_WEIGHT);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(vector, `t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  }
  let norm = Math.hypot(...vector);
  // No words at all (punctuation only): a fixed unit vector rather than a zero one, which has no cosine.
  if (norm === 0) {
    vector[0] = 1;
    norm = 1;
  }
  for (let i = 0; i < dimensions; i++) vector[i]! /= norm;
  return vector;
}

/**
 * A deterministic bag-of-words model (feature hashing, as in scikit-learn's HashingVectorizer):
 * texts sharing words are similar, nothing more. It needs no weights and starts at once, so the
 * fast test tier and quick demos can run the whole pipeline without the neural model.
 */
export function createHashEmbedder(): Embedder {
  return {
    modelId: HASH_MODEL_ID,
    dimensions: USE_DIMENSIONS,
    backend: 'hash',
    embed: async (texts) => texts.map((t) => hashEmbed(t)),
    close: async () => undefined,
  };
}
