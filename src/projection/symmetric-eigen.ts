import { startWorker } from '../worker/start-worker.ts';
import { tridiagonalQl } from './tridiagonal-ql.ts';

/** Eigenpairs of a symmetric d × d matrix: values ascending, and row i of `vectors` (d × d) the unit vector of value i. */
export interface Eigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

export type EigenFunction = (matrix: Float64Array, d: number) => Promise<Eigen>;

/** Householder tridiagonalisation + QL, in this thread. */
export async function symmetricEigen(matrix: Float64Array, d: number): Promise<Eigen> {
  if (matrix.length !== d * d) throw new RangeError(`expected a ${d} × ${d} matrix, got ${matrix.length} values`);
  const vectors = Float64Array.from(matrix);
  return { values: tridiagonalQl(vectors, d), vectors };
}

/**
 * The same solver on a worker thread. For 512 × 512 it is a noticeable pause; run on the
 * main thread, it would stop an ingest from handing batches to its embedding workers,
 * which then sit idle.
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
