import { seededNormal } from '../../src/projection/seeded-random.ts';
import { cosine } from '../../src/eval/correlation.ts';

/** Fixed pseudo-random unit vectors: the stand-in for model output in database tests. */
export function randomUnitVectors(count: number, dimensions: number, seed: number): Float32Array[] {
  const normal = seededNormal(seed);
  return Array.from({ length: count }, () => {
    const v = Float32Array.from({ length: dimensions }, () => normal());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}

/** Cosine similarity after rounding to half precision, as halfvec stores it. */
export function halfCosine(a: Float32Array, b: Float32Array): number {
  return cosine(toHalfPrecision(a), toHalfPrecision(b));
}

function toHalfPrecision(v: Float32Array): Float32Array {
  return Float32Array.from(v, (x) => {
    if (x === 0) return 0;
    const step = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(x))), -14) - 10);
    return Math.round(x / step) * step;
  });
}
