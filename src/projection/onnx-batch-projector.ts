import { jsBatchProjector, type BatchProjector, type BatchProjectorFactory } from './batch-projector.ts';
import { createSmallSession } from '../embedding/onnx/create-small-session.ts';
import { GraphBuilder } from '../embedding/onnx/graph-builder.ts';
import { OnnxType } from '../embedding/onnx/onnx-model.ts';

/**
 * (X − mean)·Bᵀ for a whole batch as one sgemm on ONNX Runtime: per-row JavaScript dot
 * products (512 × 64 each) take CPU away from embedding, which an ingest is bound by.
 */
export const onnxBatchProjector: BatchProjectorFactory = async (projection) => {
  if (projection.kind === 'none') return jsBatchProjector(projection);
  const { inputDimensions: d, dimensions: k } = projection;
  const transposed = new Float32Array(d * k);
  projection.basis.forEach((row, c) => row.forEach((v, i) => (transposed[i * k + c] = v)));
  const b = new GraphBuilder('projection');
  const centred = projection.mean ? b.op('Sub', ['x', b.floats('mean', [d], projection.mean)]) : 'x';
  b.rename(b.op('MatMul', [centred, b.floats('basis_t', [d, k], transposed)]), 'reduced');
  const graph = b.build([{ name: 'x', type: OnnxType.FLOAT, shape: ['rows', d] }], [{ name: 'reduced', type: OnnxType.FLOAT, shape: ['rows', k] }]);
  const { ort, session } = await createSmallSession(graph);
  const run: BatchProjector = async (vectors) => {
    if (vectors.length === 0) return [];
    const flat = new Float32Array(vectors.length * d);
    vectors.forEach((v, r) => {
      if (v.length !== d) throw new RangeError(`expected a ${d}-d vector, got ${v.length}-d`);
      flat.set(v, r * d);
    });
    const result = await session.run({ x: new ort.Tensor('float32', flat, [vectors.length, d]) });
    const out = result.reduced!.data as Float32Array;
    return vectors.map((_, r) => out.subarray(r * k, (r + 1) * k));
  };
  return run;
};
