import { PROJECTION_VERSION } from './projection.ts';
import type { Projection } from '../shared/projection-types.ts';
import { seededNormal } from './seeded-random.ts';

/** The classic Gaussian random projection: entries N(0, 1/k), reproducible from `seed`. */
export function gaussianProjection(inputDimensions: number, dimensions: number, seed: number): Projection {
  const normal = seededNormal(seed);
  const scale = 1 / Math.sqrt(dimensions);
  const basis = Array.from({ length: dimensions }, () => Float32Array.from({ length: inputDimensions }, () => normal() * scale));
  return Object.freeze({ kind: 'gaussian', inputDimensions, dimensions, mean: null, basis, params: { seed }, version: PROJECTION_VERSION });
}
