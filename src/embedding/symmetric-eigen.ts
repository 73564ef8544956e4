import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { startWorker } from '../worker/start-worker.ts';

/** Eigenpairs of a symmetric d × d matrix: values, and vectors as columns (row-major d × d). */
export interface Eigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

export type EigenFunction = (matrix: Float64Array, d: number) => Promise<Eigen>;

/** ml-matrix's symmetric solver (Householder tridiagonalisation + QL), in this thread. */
export async function symmetricEigen(matrix: Float64Array, d: number): Promise<Eigen> {
  const m = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, matrix[i * d + j]!);
  const eig = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const vectors = new Float64Array(d * d);
  const v = eig.eigenvectorMatrix;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vectors[i * d + j] = v.get(i, j);
  return { values: Float64Array.from(eig.realEigenvalues), vectors };
}

/**
 * The same solver on a worker thread. For 512 × 512 it takes about a second; run on the
 * main thread that second would stop an ingest from handing batches to its embedding
 * workers, which then sit idle.
 */
export const symmetricEigenInWorker: EigenFunction = (matrix, d) =>
  new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'eigen-worker', { matrix, d });
    worker.once('message', (message: Eigen | { error: string }) => {
      if ('error' in message) reject(new Error(`eigen-decomposition failed: ${message.error}`));
      else resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`eigen-decomposition worker exited with code ${code}`)));
  });
