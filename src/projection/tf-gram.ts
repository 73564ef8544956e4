import * as tf from '@tensorflow/tfjs-core';
import { activateTfBackend } from '../embedding/activate-backend.ts';
import type { TfBackendName } from '../config/embed-backends.ts';
import type { GramFunction } from './projection-pca.ts';

/**
 * XᵀX on the tfjs backend already used for embedding, much faster than the plain
 * JavaScript loop, which matters because the first ingest fits PCA while the embedding
 * workers need every CPU cycle.
 */
export async function createTfGram(backend: TfBackendName): Promise<GramFunction> {
  await activateTfBackend(backend);
  return async (flat, rows, d) => {
    const product = tf.tidy(() => {
      const x = tf.tensor2d(flat, [rows, d]);
      // An explicit transpose: matMul's transposeA path is far slower on the wasm backend.
      return tf.matMul(tf.transpose(x), x);
    });
    try {
      return product.dataSync() as Float32Array;
    } finally {
      product.dispose();
    }
  };
}
