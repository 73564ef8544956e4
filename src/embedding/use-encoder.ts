import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { assertNoEmptyEncoding, type SentenceEncoder } from './sentence-encoder.ts';
import { fileModelHandler } from './use-model-files.ts';
import { loadUseTokenizer } from './use-tokenizer.ts';

/**
 * USE-lite on the active tfjs backend. Feeds the graph the same sparse (indices, values)
 * input as @tensorflow-models/universal-sentence-encoder's embed(), built with typed
 * arrays instead of its quadratic array concatenation.
 */
export class UseEncoder implements SentenceEncoder {
  private constructor(
    private readonly model: GraphModel,
    readonly tokenize: (text: string) => number[],
  ) {}

  /** Call after the tfjs backend is active. */
  static async load(): Promise<UseEncoder> {
    const [model, tokenize] = await Promise.all([loadGraphModel(fileModelHandler()), loadUseTokenizer()]);
    return new UseEncoder(model, tokenize);
  }

  async embedTokens(encodings: readonly number[][]): Promise<Float32Array> {
    assertNoEmptyEncoding(encodings);
    const total = encodings.reduce((sum, e) => sum + e.length, 0);
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
}
