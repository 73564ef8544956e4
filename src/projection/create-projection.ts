import { gaussianProjection } from './projection-gaussian.ts';
import { fitPcaProjection } from './projection-pca.ts';
import { identityProjection } from './projection.ts';
import type { Projection, ProjectionKind } from '../shared/projection-types.ts';

export interface ProjectionRequest {
  readonly kind: ProjectionKind;
  readonly dimensions: number;
  /** Gaussian only. */
  readonly seed?: number;
}

export const DEFAULT_PROJECTION: ProjectionRequest = Object.freeze({ kind: 'pca', dimensions: 64, seed: 42 });

/** How many corpus embeddings PCA is fitted on (the first ones ingested). */
export const PCA_SAMPLE_SIZE = 10_000;

export async function createProjection(request: ProjectionRequest, samples: readonly Float32Array[], inputDimensions: number): Promise<Projection> {
  switch (request.kind) {
    case 'none':
      return identityProjection(inputDimensions);
    case 'gaussian':
      return gaussianProjection(inputDimensions, request.dimensions, request.seed ?? DEFAULT_PROJECTION.seed!);
    case 'pca':
      return fitPcaProjection(samples.slice(0, PCA_SAMPLE_SIZE), request.dimensions);
  }
}
