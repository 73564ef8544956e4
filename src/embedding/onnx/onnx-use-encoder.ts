import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { InferenceSession as Session } from 'onnxruntime-node';
import { assertNoEmptyEncoding, type SentenceEncoder } from '../sentence-encoder.ts';
import { loadUseTokenizer } from '../use-tokenizer.ts';
import { packUseLiteTokens } from './pack-use-lite-tokens.ts';
import { USE_LITE_INPUTS, USE_LITE_OUTPUT } from './use-lite-onnx-graph.ts';

export interface OnnxSessionOptions {
  /** ORT intra-op threads: 1 per bulk worker (the pool supplies parallelism), more for queries. */
  readonly threads: number;
  /**
   * Turns on ONNX Runtime's profiler, writing `<prefix>_<time>.json` on endProfiling():
   * per-node times and the execution provider that ran each node (bench:embed reads it).
   */
  readonly profileFilePrefix?: string;
}

const require = createRequire(import.meta.url);

/**
 * CUDA runs only if the user installed ORT's CUDA provider next to the binding
 * (`npm run install:cuda`); the package never bundles it.
 */
function cudaProviderInstalled(): boolean {
  try {
    const binDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', `${process.platform}`, process.arch);
    return fs.existsSync(path.join(binDir, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** The session options every USE-lite session uses (bench/gemm-ceiling.ts runs its GEMM-only graph with them too). */
export function onnxSessionOptions(options: OnnxSessionOptions): Session.SessionOptions {
  return {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Idle intra-op threads would otherwise spin for a while after each call, taking
    // CPU from PostgreSQL and the other workers on the same machine.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
  };
}

/** USE-lite on ONNX Runtime: the same weights and tokenizer as the tfjs path. */
export class OnnxUseEncoder implements SentenceEncoder {
  private constructor(
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly session: Session,
    readonly tokenize: (text: string) => number[],
    /** The execution providers the session was created with, preferred first. */
    readonly providers: readonly string[],
  ) {}

  static async load(modelFile: string, options: OnnxSessionOptions, warn: (message: string) => void): Promise<OnnxUseEncoder> {
    const ort = await import('onnxruntime-node');
    const { session, providers } = await createSession(ort, modelFile, onnxSessionOptions(options), warn);
    return new OnnxUseEncoder(ort, session, await loadUseTokenizer(), providers);
  }

  /** Writes the profile (see profileFilePrefix). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async embedTokens(encodings: readonly number[][]): Promise<Float32Array> {
    assertNoEmptyEncoding(encodings);
    const { Tensor } = this.ort;
    const feeds = packUseLiteTokens(encodings);
    const { tokens, time } = feeds;
    const batch = encodings.length;
    const result = await this.session.run({
      [USE_LITE_INPUTS.tokenIds]: new Tensor('int32', feeds.tokenIds, [tokens]),
      [USE_LITE_INPUTS.positions]: new Tensor('int32', feeds.positions, [tokens]),
      [USE_LITE_INPUTS.toPadded]: new Tensor('int32', feeds.toPadded, [batch, time]),
      [USE_LITE_INPUTS.toPacked]: new Tensor('int32', feeds.toPacked, [tokens]),
      [USE_LITE_INPUTS.lengths]: new Tensor('int32', feeds.lengths, [batch]),
    });
    return result[USE_LITE_OUTPUT]!.data as Float32Array;
  }
}

async function createSession(
  ort: typeof import('onnxruntime-node'),
  modelFile: string,
  base: Session.SessionOptions,
  warn: (message: string) => void,
): Promise<{ session: Session; providers: string[] }> {
  if (cudaProviderInstalled()) {
    const providers = ['cuda', 'cpu'];
    try {
      return { session: await ort.InferenceSession.create(modelFile, { ...base, executionProviders: providers }), providers };
    } catch (error) {
      warn(`ONNX Runtime's CUDA provider is installed but failed to start (${(error as Error).message}); using the CPU`);
    }
  }
  return { session: await ort.InferenceSession.create(modelFile, { ...base, executionProviders: ['cpu'] }), providers: ['cpu'] };
}
