import { resolveBackend } from '../embedding/activate-backend.ts';
import { jsBatchProjector, type BatchProjectorFactory } from './batch-projector.ts';
import type { BackendRequest } from '../config/embed-backends.ts';
import { onnxBatchProjector } from './onnx-batch-projector.ts';

/** Batch projection on ONNX Runtime when embedding runs there, else plain JavaScript. */
export function createBatchProjector(request: BackendRequest, warn: (message: string) => void): BatchProjectorFactory {
  return async (projection) => ((await resolveBackend(request, warn)) === 'onnx' ? onnxBatchProjector(projection) : jsBatchProjector(projection));
}
