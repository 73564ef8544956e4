import { seededNormal } from '../../src/embedding/seeded-random.ts';

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
  const ha = toHalf(a);
  const hb = toHalf(b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < ha.length; i++) {
    dot += ha[i]! * hb[i]!;
    na += ha[i]! * ha[i]!;
    nb += hb[i]! * hb[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function toHalf(v: Float32Array): Float64Array {
  return Float64Array.from(v, (x) => {
    if (x === 0) return 0;
    const e = Math.floor(Math.log2(Math.abs(x)));
    const step = 2 ** (Math.max(e, -14) - 10);
    return Math.round(x / step) * step;
  });
}
