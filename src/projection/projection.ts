import type { Projection } from '../shared/projection-types.ts';

/** Bumped whenever how a projection is fitted or applied changes. */
export const PROJECTION_VERSION = 1;

export function project(projection: Projection, vector: Float32Array): Float32Array {
  if (vector.length !== projection.inputDimensions) {
    throw new RangeError(`expected a ${projection.inputDimensions}-d vector, got ${vector.length}-d`);
  }
  if (projection.kind === 'none') return vector;
  const { mean, basis } = projection;
  const n = vector.length;
  const centred = new Float64Array(n);
  for (let i = 0; i < n; i++) centred[i] = vector[i]! - (mean ? mean[i]! : 0);
  const out = new Float32Array(projection.dimensions);
  for (let c = 0; c < basis.length; c++) out[c] = dot(centred, basis[c]!);
  return out;
}

/** Four accumulators: measured several times faster than a single running sum here. */
function dot(a: Float64Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length - (a.length % 4);
  let i = 0;
  for (; i < n; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < a.length; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}

export function identityProjection(dimensions: number): Projection {
  return Object.freeze({ kind: 'none', inputDimensions: dimensions, dimensions, mean: null, basis: [], params: {}, version: PROJECTION_VERSION });
}
