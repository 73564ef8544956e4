import type { GramFunction } from '../projection-pca.ts';
import { GraphBuilder } from './graph-builder.ts';
import { encodeOnnxModel, OnnxType } from './onnx-model.ts';

/**
 * XᵀX on ONNX Runtime's sgemm, for the PCA fit when embedding already runs there. One
 * thread: the embedding workers are using the others while the fit runs.
 */
export async function createOnnxGram(): Promise<GramFunction> {
  const ort = await import('onnxruntime-node');
  const b = new GraphBuilder('gram');
  b.rename(b.op('MatMul', [b.op('Transpose', ['x'], { perm: [1, 0] }), 'x']), 'gram');
  const graph = b.build([{ name: 'x', type: OnnxType.FLOAT, shape: ['rows', 'dims'] }], [{ name: 'gram', type: OnnxType.FLOAT, shape: ['dims', 'dims'] }]);
  const session = await ort.InferenceSession.create(encodeOnnxModel(graph, 'headline-search'), { intraOpNumThreads: 1 });
  return async (flat, rows, d) => {
    const result = await session.run({ x: new ort.Tensor('float32', flat, [rows, d]) });
    return result.gram!.data as Float32Array;
  };
}
