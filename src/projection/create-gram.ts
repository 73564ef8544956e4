import { resolveBackend } from '../embedding/activate-backend.ts';
import type { BackendRequest } from '../config/embed-backends.ts';
import { createOnnxGram } from './onnx-gram.ts';
import type { GramFunction } from './projection-pca.ts';

/** XᵀX for the PCA fit on the same runtime the embeddings come from. */
export async function createGram(request: BackendRequest, warn: (message: string) => void): Promise<GramFunction> {
  const backend = await resolveBackend(request, warn);
  if (backend === 'onnx') return createOnnxGram();
  const { createTfGram } = await import('./tf-gram.ts');
  return createTfGram(backend);
}
