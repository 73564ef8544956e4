import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { PROJECTION_VERSION, type Projection } from './projection.ts';

/**
 * PCA fitted on a sample of corpus embeddings: centre on the sample mean, keep the top-k
 * principal directions. The covariance is accumulated here in float64 (one pass, no n×d
 * matrix in memory); the eigen-decomposition is ml-matrix's symmetric solver. Each
 * direction's sign is fixed (largest component positive) so refits are deterministic.
 */
export function fitPcaProjection(samples: readonly Float32Array[], dimensions: number): Projection {
  const n = samples.length;
  if (n < 2) throw new RangeError('PCA needs at least two sample vectors');
  const d = samples[0]!.length;
  if (dimensions < 1 || dimensions > d) throw new RangeError(`PCA dimensions must be within 1..${d}`);

  const mean = new Float64Array(d);
  for (const s of samples) for (let i = 0; i < d; i++) mean[i]! += s[i]!;
  for (let i = 0; i < d; i++) mean[i]! /= n;

  // Upper triangle of X_c^T X_c, row by row; centred copy reused per sample.
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const s of samples) {
    for (let i = 0; i < d; i++) centred[i] = s[i]! - mean[i]!;
    for (let i = 0; i < d; i++) {
      const ci = centred[i]!;
      const row = i * d;
      for (let j = i; j < d; j++) cov[row + j]! += ci * centred[j]!;
    }
  }
  const matrix = new Matrix(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j]! / (n - 1);
      matrix.set(i, j, v);
      matrix.set(j, i, v);
    }
  }

  const eig = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const total = values.reduce((a, v) => a + Math.max(v, 0), 0);
  let kept = 0;
  const basis = order.slice(0, dimensions).map((col) => {
    kept += Math.max(values[col]!, 0);
    const direction = Float32Array.from(vectors.getColumn(col));
    let peak = 0;
    for (let i = 1; i < d; i++) if (Math.abs(direction[i]!) > Math.abs(direction[peak]!)) peak = i;
    if (direction[peak]! < 0) for (let i = 0; i < d; i++) direction[i] = -direction[i]!;
    return direction;
  });

  return Object.freeze({
    kind: 'pca',
    inputDimensions: d,
    dimensions,
    mean: Float32Array.from(mean),
    basis,
    params: { sampleSize: n, explainedVariance: Number((kept / total).toFixed(6)) },
    version: PROJECTION_VERSION,
  });
}
