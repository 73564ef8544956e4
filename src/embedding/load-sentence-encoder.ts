import { AppError, ErrorCode } from '../errors/app-error.ts';
import { activateTfBackend } from './activate-backend.ts';
import type { BackendName } from '../config/embed-backends.ts';
import { OnnxUseEncoder } from './onnx/onnx-use-encoder.ts';
import { ensureUseLiteOnnxFile } from './onnx/use-lite-onnx-file.ts';
import type { UseLitePrecision } from './onnx/use-lite-onnx-graph.ts';
import type { SentenceEncoder } from './sentence-encoder.ts';

export interface SentenceEncoderOptions {
  readonly backend: BackendName;
  /** int8 exists only as an ONNX graph. */
  readonly precision: UseLitePrecision;
  /** Where the generated ONNX model is cached (DATA_DIR/models). */
  readonly modelCacheDir: string;
  /** That model's file when the caller already has it: saves re-hashing 28 MB of weights per worker. */
  readonly modelFile?: string;
  /** ONNX Runtime intra-op threads; the tfjs backends ignore it. */
  readonly threads: number;
  readonly warn: (message: string) => void;
}

/** One copy of USE-lite on the chosen runtime, in this thread. */
export async function loadSentenceEncoder(options: SentenceEncoderOptions): Promise<SentenceEncoder> {
  const { precision } = options;
  if (precision === 'int8' && options.backend !== 'onnx') {
    throw new AppError(ErrorCode.CONFIG_INVALID, `EMBED_MODEL=use-lite-int8 runs only on ONNX Runtime, not ${options.backend}; use EMBED_BACKEND=onnx (or auto)`);
  }
  if (options.backend === 'onnx') {
    const file = options.modelFile ?? (await ensureUseLiteOnnxFile(options.modelCacheDir, undefined, { precision }));
    try {
      return await OnnxUseEncoder.load(file, { threads: options.threads }, options.warn);
    } catch (error) {
      // A damaged cached model (a full disk, a bad copy) is regenerated once rather than fatal.
      options.warn(`the cached ONNX model ${file} did not load (${(error as Error).message.split('\n')[0]}); regenerating it`);
      await ensureUseLiteOnnxFile(options.modelCacheDir, undefined, { regenerate: true, precision });
      return OnnxUseEncoder.load(file, { threads: options.threads }, options.warn);
    }
  }
  await activateTfBackend(options.backend);
  const { UseEncoder } = await import('./use-encoder.ts');
  return UseEncoder.load();
}
