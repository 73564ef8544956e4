import type { GramFunction } from './projection-pca.ts';
import { createSmallSession } from '../embedding/onnx/create-small-session.ts';
import { GraphBuilder } from '../embedding/onnx/graph-builder.ts';
import { OnnxType } from '../embedding/onnx/onnx-model.ts';

/** XᵀX on ONNX Runtime's sgemm, for the PCA fit when embedding already runs there. */
export async function createOnnxGram(): Promise<GramFunction> {
  const b = new GraphBuilder('gram');
  b.rename(b.op('MatMul', [b.op('Transpose', ['x'], { perm: [1, 0] }), 'x']), 'gram');
  const graph = b.build([{ name: 'x', type: OnnxType.FLOAT, shape: ['rows', 'dims'] }], [{ name: 'gram', type: OnnxType.FLOAT, shape: ['dims', 'dims'] }]);
  const { ort, session } = await createSmallSession(graph);
  return async (flat, rows, d) => {
    const result = await session.run({ x: new ort.Tensor('float32', flat, [rows, d]) });
    return result.gram!.data as Float32Array;
  };
}
