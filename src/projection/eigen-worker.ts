import { parentPort, workerData } from 'node:worker_threads';
import { symmetricEigen } from './symmetric-eigen.ts';

const { matrix, d } = workerData as { matrix: Float64Array; d: number };
try {
  const { values, vectors } = await symmetricEigen(matrix, d);
  parentPort!.postMessage({ values, vectors }, [values.buffer as ArrayBuffer, vectors.buffer as ArrayBuffer]);
} catch (error) {
  parentPort!.postMessage({ error: (error as Error).message });
}
