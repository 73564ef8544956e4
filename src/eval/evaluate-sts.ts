import { createProjection } from '../projection/create-projection.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { project } from '../projection/projection.ts';
import type { Projection } from '../shared/projection-types.ts';
import { cosine, pearson, spearman } from './correlation.ts';
import type { StsPair } from './read-sts-pairs.ts';

export interface StsRow {
  readonly space: string;
  readonly dimensions: number;
  readonly spearman: number;
  readonly pearson: number;
}

export interface StsResult {
  readonly rows: StsRow[];
  /** The embedding of every distinct sentence, for comparing runtimes. */
  readonly vectors: ReadonlyMap<string, Float32Array>;
}

export interface StsOptions {
  readonly dimensions: number;
  readonly seed: number;
  /** Corpus texts the PCA basis is fitted on (the pairs themselves if empty). */
  readonly corpus: readonly string[];
}

/**
 * Correlation between human similarity scores and cosine similarity, for the full vectors
 * and for each reduction, so the price of a projection is measured, not assumed.
 */
export async function evaluateSts(pairs: readonly StsPair[], embedder: Embedder, options: StsOptions): Promise<StsResult> {
  const sentences = [...new Set(pairs.flatMap((p) => [p.sentence1, p.sentence2]))];
  const vectors = await embedder.embed(sentences);
  const byText = new Map(sentences.map((s, i) => [s, vectors[i]!]));
  const gold = pairs.map((p) => p.score);

  const score = (space: string, dims: number, map: (v: Float32Array) => Float32Array): StsRow => {
    const predicted = pairs.map((p) => cosine(map(byText.get(p.sentence1)!), map(byText.get(p.sentence2)!)));
    return { space, dimensions: dims, spearman: spearman(gold, predicted), pearson: pearson(gold, predicted) };
  };

  const fitOn = options.corpus.length > 0 ? await embedder.embed(options.corpus) : vectors;
  const pca = await createProjection({ kind: 'pca', dimensions: options.dimensions }, fitOn, embedder.dimensions);
  const gaussian = await createProjection({ kind: 'gaussian', dimensions: options.dimensions, seed: options.seed }, [], embedder.dimensions);
  const by = (p: Projection) => (v: Float32Array) => project(p, v);
  const rows = [
    score('full', embedder.dimensions, (v) => v),
    score('pca', options.dimensions, by(pca)),
    score('gaussian', options.dimensions, by(gaussian)),
  ];
  return { rows, vectors: byText };
}

export interface Agreement {
  readonly sentences: number;
  readonly minimum: number;
  readonly mean: number;
  /** The sentence with the lowest cosine, to look at when it is too low. */
  readonly worst: string;
}

/** Cosine between two runtimes' vectors of the same sentences. */
export function agreement(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): Agreement {
  let minimum = Infinity;
  let total = 0;
  let worst = '';
  for (const [text, va] of a) {
    const vb = b.get(text);
    if (!vb) throw new Error(`sentence missing from the second runtime: ${text}`);
    const c = cosine(va, vb);
    total += c;
    if (c < minimum) [minimum, worst] = [c, text];
  }
  return { sentences: a.size, minimum, mean: total / a.size, worst };
}
