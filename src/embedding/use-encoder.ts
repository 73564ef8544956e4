import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { normalizeText } from './normalize-text.ts';
import { USE_DIMENSIONS } from './embedder.ts';
import { fileModelHandler, loadUseVocabulary } from './use-model-files.ts';

/**
 * USE-lite on the active tfjs backend. Feeds the graph the same sparse (indices, values)
 * input as @tensorflow-models/universal-sentence-encoder's embed(), built with typed
 * arrays instead of its quadratic array concatenation.
 */
export class UseEncoder {
  private constructor(
    private readonly model: GraphModel,
    private readonly tokenizer: Tokenizer,
  ) {}

  static async load(): Promise<UseEncoder> {
    const [model, vocabulary] = await Promise.all([loadGraphModel(fileModelHandler()), loadUseVocabulary()]);
    return new UseEncoder(model, new Tokenizer(vocabulary));
  }

  /** Token ids per text; exposed so batching can group texts of similar length. */
  tokenize(text: string): number[] {
    return this.tokenizer.encode(normalizeText(text));
  }

  async embedTokens(encodings: readonly number[][]): Promise<Float32Array> {
    let total = 0;
    encodings.forEach((e, i) => {
      if (e.length === 0) throw new AppError(ErrorCode.BAD_USER_INPUT, `text ${i} is empty after normalisation; nothing to embed`);
      total += e.length;
    });
    const indices = new Int32Array(total * 2);
    const values = new Int32Array(total);
    let k = 0;
    for (let row = 0; row < encodings.length; row++) {
      const ids = encodings[row]!;
      for (let col = 0; col < ids.length; col++, k++) {
        indices[2 * k] = row;
        indices[2 * k + 1] = col;
        values[k] = ids[col]!;
      }
    }
    const inputs = { indices: tf.tensor2d(indices, [total, 2], 'int32'), values: tf.tensor1d(values, 'int32') };
    try {
      const output = (await this.model.executeAsync(inputs)) as tf.Tensor;
      try {
        return (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
    }
  }

  /** Flat result (n × 512) split into one vector per text. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const flat = await this.embedTokens(texts.map((t) => this.tokenize(t)));
    return splitRows(flat, USE_DIMENSIONS);
  }
}

export function splitRows(flat: Float32Array, width: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let offset = 0; offset < flat.length; offset += width) rows.push(flat.slice(offset, offset + width));
  return rows;
}
