import type { Projection } from '../shared/projection-types.ts';

const sameVector = (a: Float32Array | null, b: Float32Array | null) =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]));

/** The very same reduction (not just the same kind and size): only then may reduced vectors mix. */
export function sameProjection(a: Projection, b: Projection): boolean {
  return (
    a.kind === b.kind &&
    a.inputDimensions === b.inputDimensions &&
    a.dimensions === b.dimensions &&
    a.version === b.version &&
    sameVector(a.mean, b.mean) &&
    a.basis.length === b.basis.length &&
    a.basis.every((d, i) => sameVector(d, b.basis[i]!))
  );
}
