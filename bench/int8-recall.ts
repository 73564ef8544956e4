// node --import tsx bench/int8-recall.ts [corpus.csv] — how far int8 search is from float:
// the whole corpus embedded with both models, then for each query the exact top 10 by
// cosine with int8 vectors (int8 corpus, int8 queries) against the exact float top 10.
// Queries: the labelled topical queries plus headlines drawn from the corpus (their own
// row left out). Prints recall@10 and the vectors' agreement; asserts nothing.
import os from 'node:os';
import { loadConfig } from '../src/config/load-config.ts';
import type { ModelName } from '../src/config/embed-backends.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { cosine } from '../src/eval/correlation.ts';
import { readCorpusSample } from '../src/eval/read-corpus-sample.ts';
import { readQuerySet } from '../src/eval/read-query-set.ts';
import { silentLogger } from '../src/logger.ts';
import { median } from './support/stats.ts';
import { benchFile } from './support/reference-files.ts';
import { benchOptions, printSummary } from './support/bench-options.ts';

const { positionals } = benchOptions({});
const CORPUS = benchFile('HEADLINES_SAMPLE_CSV', positionals[0]);
const HEADLINE_QUERIES = 300;
const K = 10;

const corpus = [...new Set(await readCorpusSample(CORPUS, Number.MAX_SAFE_INTEGER))];
const topical = (await readQuerySet('eval/topical.tsv')).queries.map((q) => q.query);
const drawn = Array.from({ length: HEADLINE_QUERIES }, (_, i) => Math.floor(((i + 0.5) * corpus.length) / HEADLINE_QUERIES));
const queries = [...topical, ...drawn.map((i) => corpus[i]!)];
const own = [...topical.map(() => -1), ...drawn];
const base = loadConfig();
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`int8 recall: ${corpus.length} distinct headlines from ${CORPUS}; ${topical.length} topical + ${drawn.length} headline queries; load ${load()}`);

async function embedAll(model: ModelName): Promise<{ corpus: Float32Array[]; queries: Float32Array[] }> {
  const embedder = await createEmbedder({ ...base, embedBackend: 'onnx', embedModel: model }, silentLogger, 'bulk');
  try {
    const t = performance.now();
    const vectors = await embedder.embed(corpus);
    console.log(`${model}: ${corpus.length} headlines in ${((performance.now() - t) / 1000).toFixed(1)} s (${embedder.backend}, ${base.embedWorkers} workers); load ${load()}`);
    return { corpus: vectors, queries: await embedder.embed(queries) };
  } finally {
    await embedder.close();
  }
}

function topK(query: Float32Array, vectors: readonly Float32Array[], skip: number): number[] {
  const best: Array<[number, number]> = [];
  vectors.forEach((v, i) => {
    if (i === skip) return;
    const s = cosine(query, v);
    if (best.length < K || s > best[best.length - 1]![0]) {
      best.push([s, i]);
      best.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      if (best.length > K) best.pop();
    }
  });
  return best.map(([, i]) => i);
}

const float = await embedAll('use-lite');
const int8 = await embedAll('use-lite-int8');
const recalls = queries.map((_, q) => {
  const exact = new Set(topK(float.queries[q]!, float.corpus, own[q]!));
  return topK(int8.queries[q]!, int8.corpus, own[q]!).filter((i) => exact.has(i)).length / K;
});
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const agreement = float.corpus.map((v, i) => cosine(v, int8.corpus[i]!));
console.log(`recall@${K} of exact int8 search against exact float search:`);
console.log(`  all ${queries.length} queries: mean ${mean(recalls).toFixed(4)}, min ${Math.min(...recalls).toFixed(1)}`);
console.log(`  ${topical.length} topical queries: mean ${mean(recalls.slice(0, topical.length)).toFixed(4)}`);
console.log(`  ${drawn.length} headline queries: mean ${mean(recalls.slice(topical.length)).toFixed(4)}`);
console.log(`cosine int8 vs float over the corpus: min ${Math.min(...agreement).toFixed(6)}, median ${median(agreement).toFixed(6)}; load ${load()}`);
printSummary('int8-recall', {
  headlines: corpus.length,
  queries: queries.length,
  recallAt10: { all: mean(recalls), minimum: Math.min(...recalls), topical: mean(recalls.slice(0, topical.length)), headlines: mean(recalls.slice(topical.length)) },
  cosineInt8VsFloat: { minimum: Math.min(...agreement), median: median(agreement) },
});
