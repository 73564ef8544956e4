import { GraphBuilder } from './graph-builder.ts';
import { CONTRIB_DOMAIN, OnnxType, type OnnxGraph } from './onnx-model.ts';
import { quantizeColumns } from './quantize-columns.ts';
import type { UseLiteWeights } from './use-lite-weights.ts';

const ENCODE = 'module_apply_default/Encoder_en/KonaTransformer/Encode';
const STACK = `${ENCODE}/TransformerStack`;
const VARS = 'module/Encoder_en/KonaTransformer/Encode';

export const USE_LITE_INPUTS = {
  tokenIds: 'token_ids',
  positions: 'positions',
  toPadded: 'to_padded',
  toPacked: 'to_packed',
  lengths: 'lengths',
} as const;
export const USE_LITE_OUTPUT = 'embedding';
/** TF's ClipToMaxLength: tokens from this position on are dropped; callers truncate to it. */
export const USE_LITE_MAX_TOKENS = 128;

/** The weights' numeric form: float32 as shipped, or int8 for the token-wise dense layers. */
export type UseLitePrecision = 'float32' | 'int8';

/**
 * USE-lite (a 2-layer tensor2tensor transformer encoder) written as an ONNX graph from
 * the TensorFlow weights by name.
 *
 * Like the TF graph, it keeps tokens packed ([tokens, d], no padding) for everything
 * position-wise (embedding, layer norms, dense layers: nearly all the FLOPs) and moves
 * them into a padded [batch, time, d] layout only for attention and pooling. So a batch
 * of mixed lengths costs what its tokens cost, not batch × longest.
 *
 * Attention is ONNX Runtime's fused MultiHeadAttention with a key padding mask (lengths),
 * dense layers are MatMul + Add (which the optimiser turns into Gemm, with the ReLU fused),
 * and layer norms are LayerNormalization. It computes the same function as
 * the TF graph in fewer FLOPs: the last feed-forward layer is linear after its ReLU and
 * so is mean pooling, so its second projection runs once per text on the pooled hidden
 * state instead of once per token (a sixth of the model's FLOPs).
 *
 * Padding never reaches a real token: attention masks padded keys (the padding bias, whose
 * exp() is exactly 0 in float32), padded rows are zero when pooled, and results at padded
 * query positions are dropped on the way back to the packed layout.
 *
 * `int8`: the token-wise dense layers become DynamicQuantizeMatMul (int8 weights with a
 * scale per output column, activations quantised per call); the per-text layers after
 * pooling stay float. Its vectors differ slightly from float ones (a different model id).
 *
 * Inputs (K tokens over B texts, T the longest text):
 *   token_ids int32 [K]     vocabulary ids, text after text
 *   positions int32 [K]     each token's position within its text (the timing signal)
 *   to_padded int32 [B, T]  packed index of each padded slot; K for padding
 *   to_packed int32 [K]     flat padded slot (b·T + t) of each token
 *   lengths   int32 [B]     tokens in each text (at least 1)
 * Output: embedding float [B, 512], unit length.
 */
export function buildUseLiteGraph(w: UseLiteWeights, precision: UseLitePrecision = 'float32'): OnnxGraph {
  const b = new GraphBuilder('use_lite');
  const { tokenIds, positions, toPadded, toPacked, lengths } = USE_LITE_INPUTS;
  const maxLength = w.scalar('module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y');
  if (maxLength !== USE_LITE_MAX_TOKENS) throw new Error(`USE-lite clips at ${maxLength} tokens; this backend expects ${USE_LITE_MAX_TOKENS}`);
  const epsilon = w.scalar(`${STACK}/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`);
  const heads = w.scalar(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`);
  const paddingBias = w.scalar(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`);
  const axis = (...values: number[]) => b.int64s('axes', values);

  // Embedding, doubled (TF adds the gathered embedding back onto its scattered copy; ×2 is
  // exact in float, so the table is stored doubled), plus the sin/cos timing signal.
  const vocabulary = w.floats('module/Embeddings_en', [8002, 256]).map((v) => 2 * v);
  const embedded = b.op('Gather', [b.floats('embeddings_x2', [8002, 256], vocabulary), tokenIds], { axis: 0 });
  const timing = b.op('Gather', [b.floats('timing_signal', [maxLength, 256], timingSignal(w, maxLength)), positions], { axis: 0 });
  let x = b.op('Add', [embedded, timing]);

  // Packed [K, d] → padded [B, T, d] (padding slots pick an appended zero row), and back.
  const zeroRow = b.int64s('pads', [0, 0, 1, 0]);
  const pad = (packed: string) => b.op('Gather', [b.op('Pad', [packed, zeroRow]), toPadded], { axis: 0 });
  const pack = (padded: string, width: number) => b.op('Gather', [b.op('Reshape', [padded, b.int64s('flat', [-1, width])]), toPacked], { axis: 0 });

  const lnParams = (scope: string, dims: number) => [
    b.floats('ln_scale', [dims], w.floats(`${scope}/layer_norm/layer_norm_scale/ConcatPartitions/concat`, [dims])),
    b.floats('ln_bias', [dims], w.floats(`${scope}/layer_norm/layer_norm_bias/ConcatPartitions/concat`, [dims])),
  ];
  const layerNorm = (input: string, scope: string, dims: number) =>
    b.op('LayerNormalization', [input, ...lnParams(scope, dims)], { axis: -1, epsilon: { float: epsilon } });
  // LayerNorm(input + bias + skip) and that sum (the next residual). Written as Add and
  // LayerNormalization rather than the contrib SkipLayerNormalization, which ran slower
  // on the CPU when asked for the sum as well (see the README).
  const addNorm = (input: string, skip: string, bias: string, scope: string, dims: number): [normed: string, sum: string] => {
    const sum = b.op('Add', [b.op('Add', [input, bias]), skip]);
    return [layerNorm(sum, scope, dims), sum];
  };
  // Token-wise x·W (+ bias): the layers int8 applies to.
  const tokenDense = (input: string, kernel: Float32Array, inDims: number, outDims: number, bias?: Float32Array) => {
    const biasName = bias ? b.floats('bias', [outDims], bias) : undefined;
    if (precision === 'int8') {
      const { values, scales } = quantizeColumns(kernel, inDims, outDims);
      const inputs = [input, b.int8s('kernel_int8', [inDims, outDims], values), b.floats('kernel_scale', [outDims], scales)];
      return b.op('DynamicQuantizeMatMul', biasName ? [...inputs, '', biasName] : inputs, undefined, CONTRIB_DOMAIN);
    }
    const product = b.op('MatMul', [input, b.floats('kernel', [inDims, outDims], kernel)]);
    return biasName ? b.op('Add', [product, biasName]) : product;
  };
  const floatDense = (input: string, kernel: Float32Array, bias: Float32Array, inDims: number, outDims: number) =>
    b.op('Add', [b.op('MatMul', [input, b.floats('kernel', [inDims, outDims], kernel)]), b.floats('bias', [outDims], bias)]);

  // Each layer's input arrives as a sum still to be taken (the previous feed-forward output,
  // its bias and the residual) right before the layer norm that reads it.
  let pendingFfn: { output: string; bias: string } | undefined;
  let hidden = '';
  let lastFfn2: { kernel: Float32Array; bias: Float32Array } | undefined;
  const layers = [[0, 256], [1, 512]] as const;
  for (const [layer, inDims] of layers) {
    const vars = `${ENCODE}/Layer_${layer}/TransformerLayer`;
    const stack = `${STACK}/Layer_${layer}/TransformerLayer`;
    const split = w.ints(`${stack}/MultiheadAttention/Const`);
    const width = split[0]!;
    if (split.some((s) => s !== width)) throw new Error(`USE-lite layer ${layer}: unequal q/k/v split ${split.join(',')}`);
    const depth = w.scalar(`${stack}/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`);
    if (heads * depth !== width) throw new Error(`USE-lite layer ${layer}: ${heads} heads × ${depth} ≠ ${width}`);

    // Self-attention on the layer-normalised input; q/k/v come from one 1×1 convolution.
    let normed: string;
    if (pendingFfn) [normed, x] = addNorm(pendingFfn.output, x, pendingFfn.bias, `${vars}/layer_prepostprocess`, inDims);
    else normed = layerNorm(x, `${vars}/layer_prepostprocess`, inDims);
    const qkv = tokenDense(
      normed,
      w.floats(`${VARS}/Layer_${layer}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`, [1, 1, inDims, 3 * width]),
      inDims,
      3 * width,
      w.floats(`${vars}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, [3 * width]),
    );
    const [q, k, v] = b.opN('Split', [pad(qkv), b.int64s('split', split)], 3, { axis: 2 });
    const attended = b.op('MultiHeadAttention', [q!, k!, v!, '', lengths], {
      num_heads: heads,
      scale: { float: w.scalar(`${stack}/MultiheadAttention/mul/y`) },
      mask_filter_value: { float: paddingBias },
    }, CONTRIB_DOMAIN);
    const attention = tokenDense(
      pack(attended, width),
      w.floats(`${VARS}/Layer_${layer}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`, [1, 1, width, 512]),
      width,
      512,
    );
    // Layer 0 widens 256 → 512, so its residual goes through a dense layer (AdjustResidualInput).
    const residual =
      inDims === 512
        ? x
        : tokenDense(x, w.floats(`${vars}/dense/kernel/ConcatPartitions/concat`, [inDims, 512]), inDims, 512, w.floats(`${vars}/dense/bias/ConcatPartitions/concat`, [512]));
    const attentionBias = b.floats('bias', [512], w.floats(`${vars}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, [512]));
    const [ffnIn, sum] = addNorm(attention, residual, attentionBias, `${vars}/FFN/layer_prepostprocess`, 512);
    x = sum;

    // Position-wise feed-forward network, pre-normalised, with its own residual.
    hidden = b.op('Relu', [
      tokenDense(ffnIn, w.floats(`${stack}/FFN/conv1/Tensordot/Reshape_1`, [512, 1536]), 512, 1536, w.floats(`${vars}/FFN/conv1/bias/ConcatPartitions/concat`, [1536])),
    ]);
    const ffn2 = { kernel: w.floats(`${stack}/FFN/conv2/Tensordot/Reshape_1`, [1536, 512]), bias: w.floats(`${vars}/FFN/conv2/bias/ConcatPartitions/concat`, [512]) };
    if (layer === layers.length - 1) lastFfn2 = ffn2;
    else pendingFfn = { output: tokenDense(hidden, ffn2.kernel, 1536, 512), bias: b.floats('bias', [512], ffn2.bias) };
  }

  // Mean over real tokens (padded rows are zero) of x + relu(...)·W2 + b2, taken as
  // mean(x) + mean(relu(...))·W2 + b2: the same sum, with W2 applied per text.
  const count = b.op('Unsqueeze', [b.op('Cast', [lengths], { to: OnnxType.FLOAT }), axis(1)]);
  const mean = (packed: string) => b.op('Div', [b.op('ReduceSum', [pad(packed), axis(1)], { keepdims: 0 }), count]);
  const pooled = b.op('Add', [mean(x), floatDense(mean(hidden), lastFfn2!.kernel, lastFfn2!.bias, 1536, 512)]);
  // Then a tanh layer and L2 normalisation.
  const hiddenVars = 'module/Encoder_en/hidden_layers/tanh_layer_0';
  const tanh = b.op('Tanh', [floatDense(pooled, w.floats(`${hiddenVars}/weights`, [512, 512]), w.floats(`${hiddenVars}/bias`, [512]), 512, 512)]);
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
      { name: lengths, type: OnnxType.INT32, shape: ['batch'] },
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
