import type { InferenceSession } from 'onnxruntime-node';
import { encodeOnnxModel, type OnnxGraph } from './onnx-model.ts';

/**
 * A session for a small helper graph (XᵀX, a projection): one thread, because the
 * embedding workers are using the others while it runs.
 */
export async function createSmallSession(graph: OnnxGraph): Promise<{ ort: typeof import('onnxruntime-node'); session: InferenceSession }> {
  const ort = await import('onnxruntime-node');
  return { ort, session: await ort.InferenceSession.create(encodeOnnxModel(graph), { intraOpNumThreads: 1 }) };
}
