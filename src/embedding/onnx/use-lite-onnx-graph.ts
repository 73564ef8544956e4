import { GraphBuilder } from './graph-builder.ts';
import { OnnxType, type OnnxGraph } from './onnx-model.ts';
import type { UseLiteWeights } from './use-lite-weights.ts';

const ENCODE = 'module_apply_default/Encoder_en/KonaTransformer/Encode';
const STACK = `${ENCODE}/TransformerStack`;
const VARS = 'module/Encoder_en/KonaTransformer/Encode';

export const USE_LITE_INPUTS = {
  tokenIds: 'token_ids',
  positions: 'positions',
  toPadded: 'to_padded',
  toPacked: 'to_packed',
  mask: 'mask',
} as const;
export const USE_LITE_OUTPUT = 'embedding';
/** TF's ClipToMaxLength: tokens from this position on are dropped; callers truncate to it. */
export const USE_LITE_MAX_TOKENS = 128;

/**
 * USE-lite (a 2-layer tensor2tensor transformer encoder) written as an ONNX graph from
 * the TensorFlow weights by name.
 *
 * Like the TF graph, it keeps tokens packed ([tokens, d], no padding) for everything
 * position-wise (embedding, layer norms, dense layers: nearly all the FLOPs) and moves
 * them into a padded [batch, time, d] layout only for attention and pooling. So a batch
 * of mixed lengths costs what its tokens cost, not batch × longest.
 *
 * Padding never reaches a real token: attention adds -1e9 to padded keys (whose exp() is
 * exactly 0 in float32), padded rows are zero when pooled, and results at padded query
 * positions are dropped on the way back to the packed layout.
 *
 * Inputs (K tokens over B texts, T the longest text):
 *   token_ids int32 [K]     vocabulary ids, text after text
 *   positions int32 [K]     each token's position within its text (the timing signal)
 *   to_padded int32 [B, T]  packed index of each padded slot; K for padding
 *   to_packed int32 [K]     flat padded slot (b·T + t) of each token
 *   mask      float [B, T]  1 for a token, 0 for padding
 * Output: embedding float [B, 512], unit length.
 */
export function buildUseLiteGraph(w: UseLiteWeights): OnnxGraph {
  const b = new GraphBuilder('use_lite');
  const { tokenIds, positions, toPadded, toPacked, mask } = USE_LITE_INPUTS;
  const maxLength = w.scalar('module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y');
  if (maxLength !== USE_LITE_MAX_TOKENS) throw new Error(`USE-lite clips at ${maxLength} tokens; this backend expects ${USE_LITE_MAX_TOKENS}`);
  const epsilon = w.scalar(`${STACK}/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`);
  const heads = w.scalar(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`);
  const paddingBias = w.scalar(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`);
  const axis = (...values: number[]) => b.int64s('axes', values);

  // Embedding, doubled, plus the sin/cos timing signal (TF adds the gathered embedding
  // back onto its scattered copy, hence 2×).
  const vocabulary = w.floats('module/Embeddings_en', [8002, 256]);
  const embedded = b.op('Gather', [b.floats('embeddings', [8002, 256], vocabulary), tokenIds], { axis: 0 });
  const timing = b.op('Gather', [b.floats('timing_signal', [maxLength, 256], timingSignal(w, maxLength)), positions], { axis: 0 });
  let x = b.op('Add', [b.op('Add', [embedded, embedded]), timing]);

  // Packed [K, d] → padded [B, T, d] (padding slots pick an appended zero row), and back.
  const zeroRow = b.int64s('pads', [0, 0, 1, 0]);
  const pad = (packed: string) => b.op('Gather', [b.op('Pad', [packed, zeroRow]), toPadded], { axis: 0 });
  const pack = (padded: string, width: number) => b.op('Gather', [b.op('Reshape', [padded, b.int64s('flat', [-1, width])]), toPacked], { axis: 0 });

  // Additive attention bias [batch, 1, 1, time]: 0 for tokens, -1e9 for padding.
  const one = b.scalar('one', 1);
  const attentionBias = b.op('Unsqueeze', [b.op('Mul', [b.op('Sub', [one, mask]), b.scalar('padding_bias', paddingBias)]), axis(1, 2)]);

  const layerNorm = (input: string, scope: string, dims: number) =>
    b.op('LayerNormalization', [
      input,
      b.floats('ln_scale', [dims], w.floats(`${scope}/layer_norm/layer_norm_scale/ConcatPartitions/concat`, [dims])),
      b.floats('ln_bias', [dims], w.floats(`${scope}/layer_norm/layer_norm_bias/ConcatPartitions/concat`, [dims])),
    ], { axis: -1, epsilon: { float: epsilon } });
  const dense = (input: string, kernel: Float32Array, bias: Float32Array, inDims: number, outDims: number) =>
    b.op('Add', [b.op('MatMul', [input, b.floats('kernel', [inDims, outDims], kernel)]), b.floats('bias', [outDims], bias)]);

  for (const [layer, inDims] of [[0, 256], [1, 512]] as const) {
    const vars = `${ENCODE}/Layer_${layer}/TransformerLayer`;
    const stack = `${STACK}/Layer_${layer}/TransformerLayer`;
    const split = w.ints(`${stack}/MultiheadAttention/Const`);
    const width = split[0]!;
    if (split.some((s) => s !== width)) throw new Error(`USE-lite layer ${layer}: unequal q/k/v split ${split.join(',')}`);
    const depth = w.scalar(`${stack}/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`);
    if (heads * depth !== width) throw new Error(`USE-lite layer ${layer}: ${heads} heads × ${depth} ≠ ${width}`);

    // Self-attention on the layer-normalised input; q/k/v come from one 1×1 convolution.
    const normed = layerNorm(x, `${vars}/layer_prepostprocess`, inDims);
    const qkv = dense(
      normed,
      w.floats(`${VARS}/Layer_${layer}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`, [1, 1, inDims, 3 * width]),
      w.floats(`${vars}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, [3 * width]),
      inDims,
      3 * width,
    );
    const headShape = b.int64s('head_shape', [0, 0, heads, depth]);
    const [q, k, v] = b.opN('Split', [pad(qkv), b.int64s('split', split)], 3, { axis: 2 }).map((part) =>
      b.op('Transpose', [b.op('Reshape', [part, headShape])], { perm: [0, 2, 1, 3] }),
    ) as [string, string, string];
    const scale = b.scalar('scale', w.scalar(`${stack}/MultiheadAttention/mul/y`));
    const logits = b.op('Add', [b.op('MatMul', [b.op('Mul', [q, scale]), b.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), attentionBias]);
    const attended = b.op('MatMul', [b.op('Softmax', [logits], { axis: -1 }), v]);
    const combined = pack(b.op('Transpose', [attended], { perm: [0, 2, 1, 3] }), width);
    const attention = dense(
      combined,
      w.floats(`${VARS}/Layer_${layer}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`, [1, 1, width, 512]),
      w.floats(`${vars}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, [512]),
      width,
      512,
    );
    // Layer 0 widens 256 → 512, so its residual goes through a dense layer (AdjustResidualInput).
    const residual =
      inDims === 512
        ? x
        : dense(x, w.floats(`${vars}/dense/kernel/ConcatPartitions/concat`, [inDims, 512]), w.floats(`${vars}/dense/bias/ConcatPartitions/concat`, [512]), inDims, 512);
    x = b.op('Add', [attention, residual]);

    // Position-wise feed-forward network, pre-normalised, with its own residual.
    const ffnIn = layerNorm(x, `${vars}/FFN/layer_prepostprocess`, 512);
    const hidden = b.op('Relu', [
      dense(ffnIn, w.floats(`${stack}/FFN/conv1/Tensordot/Reshape_1`, [512, 1536]), w.floats(`${vars}/FFN/conv1/bias/ConcatPartitions/concat`, [1536]), 512, 1536),
    ]);
    const ffn = dense(hidden, w.floats(`${stack}/FFN/conv2/Tensordot/Reshape_1`, [1536, 512]), w.floats(`${vars}/FFN/conv2/bias/ConcatPartitions/concat`, [512]), 1536, 512);
    x = b.op('Add', [ffn, x]);
  }

  // Mean over real tokens (padded rows are zero; length floored at 1), a tanh layer,
  // then L2 normalisation.
  const summed = b.op('ReduceSum', [pad(x), axis(1)], { keepdims: 0 });
  const lengths = b.op('Max', [b.op('ReduceSum', [mask, axis(1)], { keepdims: 1 }), one]);
  const pooled = b.op('Div', [summed, lengths]);
  const hiddenVars = 'module/Encoder_en/hidden_layers/tanh_layer_0';
  const tanh = b.op('Tanh', [dense(pooled, w.floats(`${hiddenVars}/weights`, [512, 512]), w.floats(`${hiddenVars}/bias`, [512]), 512, 512)]);
  const squaredNorm = b.op('ReduceSum', [b.op('Mul', [tanh, tanh]), axis(1)], { keepdims: 1 });
  const floor = b.scalar('l2_floor', w.scalar('module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y'));
  const normalised = b.op('Div', [tanh, b.op('Sqrt', [b.op('Max', [squaredNorm, floor])])]);
  b.rename(normalised, USE_LITE_OUTPUT);

  return b.build(
    [
      { name: tokenIds, type: OnnxType.INT32, shape: ['tokens'] },
      { name: positions, type: OnnxType.INT32, shape: ['tokens'] },
      { name: toPadded, type: OnnxType.INT32, shape: ['batch', 'time'] },
      { name: toPacked, type: OnnxType.INT32, shape: ['tokens'] },
      { name: mask, type: OnnxType.FLOAT, shape: ['batch', 'time'] },
    ],
    [{ name: USE_LITE_OUTPUT, type: OnnxType.FLOAT, shape: ['batch', 512] }],
  );
}

/** TF's timing signal for positions 0..maxLength-1: [sin(p·inv), cos(p·inv)], float32 products. */
function timingSignal(w: UseLiteWeights, maxLength: number): Float32Array {
  const inverse = w.floats(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`, [1, 128]);
  const channels = inverse.length;
  const table = new Float32Array(maxLength * channels * 2);
  for (let p = 0; p < maxLength; p++) {
    for (let i = 0; i < channels; i++) {
      const angle = Math.fround(p * inverse[i]!);
      table[p * channels * 2 + i] = Math.sin(angle);
      table[p * channels * 2 + channels + i] = Math.cos(angle);
    }
  }
  return table;
}
