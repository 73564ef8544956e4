import { AppError, ErrorCode } from '../errors/app-error.ts';

/** One loaded copy of USE-lite on some runtime: text → token ids → 512-d vectors. */
export interface SentenceEncoder {
  /** Token ids of the normalised text; exposed so batching can group similar lengths. */
  tokenize(text: string): number[];
  /** Row-major [texts × 512] vectors, one row per encoding, in order. */
  embedTokens(encodings: readonly number[][]): Promise<Float32Array>;
}

/** The model has no vector for "nothing"; both runtimes refuse it the same way. */
export function assertNoEmptyEncoding(encodings: readonly number[][]): void {
  encodings.forEach((e, i) => {
    if (e.length === 0) throw new AppError(ErrorCode.BAD_USER_INPUT, `text ${i} is empty after normalisation; nothing to embed`);
  });
}
