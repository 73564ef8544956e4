import type { Kysely } from 'kysely';
import { insertProjection } from '../../src/db/projection-repository.ts';
import type { DB } from '../../src/db/schema.ts';
import { toVectorLiteral } from '../../src/db/vector-literal.ts';
import { gaussianProjection } from '../../src/projection/projection-gaussian.ts';
import { project } from '../../src/projection/projection.ts';
import type { QueryEmbedder } from '../../src/embedding/query-embedder.ts';
import { randomUnitVectors } from './random-vectors.ts';

export interface CountingEmbedder extends QueryEmbedder {
  /** embedQuery calls so far. */
  readonly calls: number;
  /** While set, embedQuery waits for it: a way to hold searches in flight. */
  gate: Promise<void> | null;
}

/** A stand-in for the query model: fixed pseudo-random vectors, counted calls, no model load. */
export function countingEmbedder(): CountingEmbedder {
  const vectors = randomUnitVectors(16, 512, 99);
  const embedder = {
    calls: 0,
    gate: null as Promise<void> | null,
    model: { state: 'ready' } as const,
    cacheSize: 0,
    async embedQuery(text: string): Promise<Float32Array> {
      embedder.calls++;
      if (embedder.gate) await embedder.gate;
      return vectors[text.length % vectors.length]!;
    },
    close: async () => undefined,
  };
  return embedder;
}

/** `n` headlines with random vectors and a stored projection: enough for real searches without the model. */
export async function loadRandomHeadlines(db: Kysely<DB>, n: number): Promise<void> {
  const projection = gaussianProjection(512, 16, 5);
  await insertProjection(db, 'test-model', projection);
  const vectors = randomUnitVectors(n, 512, 7);
  await db
    .insertInto('headlines')
    .values(vectors.map((v, i) => ({ published_on: `2010-02-${String((i % 28) + 1).padStart(2, '0')}`, text: `headline ${i}`, embedding: toVectorLiteral(v), embedding_reduced: toVectorLiteral(project(projection, v)) })))
    .execute();
}
