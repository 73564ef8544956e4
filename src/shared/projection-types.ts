export const PROJECTION_KINDS = ['pca', 'gaussian', 'none'] as const;
export type ProjectionKind = (typeof PROJECTION_KINDS)[number];

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

