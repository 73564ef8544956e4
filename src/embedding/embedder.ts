/** What the rest of the code depends on to turn text into vectors. */
export interface Embedder {
  /** Identifies the weights; vectors from different model ids must never be mixed. */
  readonly modelId: string;
  readonly dimensions: number;
  /** The runtime doing the work (wasm, tensorflow, ...), for logs and benchmarks. */
  readonly backend: string;
  /** One unit-length vector per text, in input order. Texts are normalised first. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export const USE_DIMENSIONS = 512;
