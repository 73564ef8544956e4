import { USE_LITE_MAX_TOKENS } from './use-lite-onnx-graph.ts';

export interface PackedTokens {
  /** K, tokens in the batch after clipping. */
  readonly tokens: number;
  /** T, the longest text's token count. */
  readonly time: number;
  readonly tokenIds: Int32Array;
  readonly positions: Int32Array;
  readonly toPadded: Int32Array;
  readonly toPacked: Int32Array;
  readonly lengths: Int32Array;
}

/** The graph's packed-token inputs (see buildUseLiteGraph), each text clipped as TF clips it. */
export function packUseLiteTokens(encodings: readonly number[][]): PackedTokens {
  const lengths = Int32Array.from(encodings, (e) => Math.min(e.length, USE_LITE_MAX_TOKENS));
  let tokens = 0;
  let time = 0;
  for (const n of lengths) {
    tokens += n;
    time = Math.max(time, n);
  }
  const tokenIds = new Int32Array(tokens);
  const positions = new Int32Array(tokens);
  const toPacked = new Int32Array(tokens);
  const toPadded = new Int32Array(encodings.length * time).fill(tokens);
  let k = 0;
  for (let row = 0; row < encodings.length; row++) {
    const ids = encodings[row]!;
    for (let col = 0; col < lengths[row]!; col++, k++) {
      tokenIds[k] = ids[col]!;
      positions[k] = col;
      toPacked[k] = row * time + col;
      toPadded[row * time + col] = k;
    }
  }
  return { tokens, time, tokenIds, positions, toPadded, toPacked, lengths };
}
