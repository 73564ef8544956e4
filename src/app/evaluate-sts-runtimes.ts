import type { BackendName, ModelName } from '../config/embed-backends.ts';
import type { Config } from '../config/parse-config.ts';
import { availableBackends } from '../embedding/activate-backend.ts';
import { createEmbedder } from '../embedding/create-embedder.ts';
import { agreement, evaluateSts, type Agreement, type StsResult } from '../eval/evaluate-sts.ts';
import { readCorpusSample } from '../eval/read-corpus-sample.ts';
import { readStsPairs } from '../eval/read-sts-pairs.ts';
import type { Logger } from '../logger.ts';

/** The reference every other runtime is compared with: the tfjs graph as published. */
const REFERENCE = 'wasm';

export interface StsRuntimesRequest {
  /** The STS Benchmark TSV: score, sentence1, sentence2. */
  readonly file: string;
  /** Headlines CSV to fit PCA on; the STS sentences when absent. */
  readonly corpus?: string;
  readonly sample: number;
  readonly dimensions: number;
  readonly seed: number;
  /** Every runtime available when absent. */
  readonly backends?: readonly BackendName[];
}

export interface StsRuntimes {
  readonly pairs: number;
  /** Corpus rows PCA was fitted on; 0 when fitted on the STS sentences. */
  readonly corpusRows: number;
  /** By run label (a runtime, or onnx-int8), in the order run. */
  readonly results: ReadonlyMap<string, StsResult & { readonly seconds: number; readonly model: string }>;
  readonly agreements: ReadonlyArray<Agreement & { readonly backend: string; readonly against: string }>;
}

/** One evaluated embedder: a runtime with the float model, or ONNX Runtime with int8. */
interface StsRun {
  readonly label: string;
  readonly backend: BackendName;
  readonly model: ModelName;
}

/** The float model on each runtime, and the int8 variant wherever ONNX Runtime is evaluated. */
function stsRuns(backends: readonly BackendName[]): StsRun[] {
  const runs: StsRun[] = backends.map((backend) => ({ label: backend, backend, model: 'use-lite' }));
  if (backends.includes('onnx')) runs.splice(backends.indexOf('onnx') + 1, 0, { label: 'onnx-int8', backend: 'onnx', model: 'use-lite-int8' });
  return runs;
}

/** `headlines eval sts`: STS correlations per embedding runtime, and how closely each agrees with the reference. */
export async function evaluateStsRuntimes(config: Config, logger: Logger, request: StsRuntimesRequest): Promise<StsRuntimes> {
  const pairs = await readStsPairs(request.file);
  const corpus = request.corpus ? await readCorpusSample(request.corpus, request.sample) : [];
  const backends = request.backends ?? (await availableBackends());
  const results = new Map<string, StsResult & { seconds: number; model: string }>();
  for (const run of stsRuns(backends)) {
    const embedder = await createEmbedder({ ...config, embedBackend: run.backend, embedModel: run.model }, logger, 'bulk');
    try {
      const started = performance.now();
      const result = await evaluateSts(pairs, embedder, { dimensions: request.dimensions, seed: request.seed, corpus });
      results.set(run.label, { ...result, seconds: (performance.now() - started) / 1000, model: embedder.modelId });
    } finally {
      await embedder.close();
    }
  }
  const reference = results.get(REFERENCE);
  const agreements = [...results]
    .filter(([name]) => reference && name !== REFERENCE)
    .map(([name, r]) => ({ backend: name, against: REFERENCE, ...agreement(r.vectors, reference!.vectors) }));
  return { pairs: pairs.length, corpusRows: corpus.length, results, agreements };
}
