export const PROJECTION_KINDS = ['pca', 'gaussian', 'none'] as const;
export type ProjectionKind = (typeof PROJECTION_KINDS)[number];

/** Bumped whenever how a projection is fitted or applied changes. */
export const PROJECTION_VERSION = 1;

/**
 * A linear map from the full embedding to the reduced one:
 * reduced[c] = (x - mean) · basis[c]. `none` has no basis and returns x unchanged.
 */
export interface Projection {
  readonly kind: ProjectionKind;
  readonly inputDimensions: number;
  readonly dimensions: number;
  readonly mean: Float32Array | null;
  readonly basis: readonly Float32Array[];
  /** Kind-specific facts worth keeping (seed, sample size, explained variance). */
  readonly params: Readonly<Record<string, number | string>>;
  readonly version: number;
}

export function project(projection: Projection, vector: Float32Array): Float32Array {
  if (vector.length !== projection.inputDimensions) {
    throw new RangeError(`expected a ${projection.inputDimensions}-d vector, got ${vector.length}-d`);
  }
  if (projection.kind === 'none') return vector;
  const { mean, basis } = projection;
  const out = new Float32Array(projection.dimensions);
  for (let c = 0; c < basis.length; c++) {
    const direction = basis[c]!;
    let sum = 0;
    for (let i = 0; i < vector.length; i++) sum += (vector[i]! - (mean ? mean[i]! : 0)) * direction[i]!;
    out[c] = sum;
  }
  return out;
}

export function identityProjection(dimensions: number): Projection {
  return Object.freeze({ kind: 'none', inputDimensions: dimensions, dimensions, mean: null, basis: [], params: {}, version: PROJECTION_VERSION });
}
