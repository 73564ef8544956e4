// npm run bench:embed — embedding throughput, single-query latency and agreement with the
// tfjs reference on real headlines, for every available runtime side by side (ONNX Runtime
// float and int8, native tfjs if installed, tfjs-wasm), in one run. Also: ONNX Runtime's
// profile per op type with the provider that ran each profiled batch, and the tokeniser's
// share of a worker's time. Prints figures; asserts nothing (machines are shared and
// noisy: read medians, and the load average printed with them).
// --gap-ms N does only this instead: single-query embeds spaced by N ms of sleep, as on a
// quiet server, for each query-path setting of --settings (use:threads, `server` the API's
// worker thread, `query` in the calling thread), taking turns query by query.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName, ModelName } from '../src/config/embed-backends.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { availableBackends } from '../src/embedding/activate-backend.ts';
import { createEmbedder, modelCacheDir } from '../src/embedding/create-embedder.ts';
import { lengthBatches } from '../src/embedding/length-batches.ts';
import { OnnxUseEncoder } from '../src/embedding/onnx/onnx-use-encoder.ts';
import { ensureUseLiteOnnxFile } from '../src/embedding/onnx/use-lite-onnx-file.ts';
import { loadUseTokenizer } from '../src/embedding/use-tokenizer.ts';
import { cosine } from '../src/eval/correlation.ts';
import { readCorpusSample } from '../src/eval/read-corpus-sample.ts';
import { readStsPairs } from '../src/eval/read-sts-pairs.ts';
import { silentLogger } from '../src/logger.ts';
import { readOrtProfile } from './support/ort-profile.ts';
import { median, percentile } from './support/stats.ts';
import { benchFile, optionalBenchFile } from './support/reference-files.ts';
import { benchOptions, list, positive, printSummary } from './support/bench-options.ts';
import { spacedQueryLatency } from './support/spaced-query-latency.ts';

const { values: args, positionals } = benchOptions(
  {
    backends: { type: 'string' },
    'each-batch-provider': { type: 'boolean', default: false },
    'gap-ms': { type: 'string' },
    settings: { type: 'string', default: 'server:2,server:1' },
    queries: { type: 'string', default: '300' },
  },
  { BENCH_BACKENDS: '--backends onnx,wasm', BENCH_PROVIDERS: '--each-batch-provider' },
);
const SAMPLE = benchFile('HEADLINES_SAMPLE_CSV', positionals[0]);
const STS = optionalBenchFile('STS_TSV');
const ROWS = 5000;
const RUNS = 3;
const QUERIES = positive(args.queries, 'queries');
const PROFILED_BATCHES = 20;
/** Print the provider of every profiled batch, not only the tally (for a GPU machine). */
const PER_BATCH = args['each-batch-provider'];

interface Runtime {
  readonly label: string;
  readonly backend: BackendName;
  readonly model: ModelName;
}

const texts = await readCorpusSample(SAMPLE, ROWS);
const sts = STS ? [...new Set((await readStsPairs(STS)).flatMap((p) => [p.sentence1, p.sentence2]))] : [];
const base = loadConfig();
const backends: BackendName[] = args.backends ? (list(args.backends) as BackendName[]) : await availableBackends();
const runtimes: Runtime[] = backends.flatMap((backend): Runtime[] =>
  backend === 'onnx'
    ? [{ label: 'onnx', backend, model: 'use-lite' }, { label: 'onnx-int8', backend, model: 'use-lite-int8' }]
    : [{ label: backend, backend, model: 'use-lite' }],
);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(
  `bench:embed  ${texts.length} headlines from ${SAMPLE}, ${sts.length} STS sentences; ${os.availableParallelism()} cores; node ${process.version}; ` +
    `runtimes ${runtimes.map((r) => r.label).join(', ')}; load average ${load()}`,
);

async function bulk(runtime: Runtime, workers: number): Promise<{ rate: number; vectors: Float32Array[] }> {
  const config = { ...base, embedBackend: runtime.backend, embedModel: runtime.model, embedWorkers: workers };
  const started = performance.now();
  const embedder = await createEmbedder(config, silentLogger, 'bulk');
  const startup = performance.now() - started;
  const rates: number[] = [];
  let vectors: Float32Array[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const t = performance.now();
      await embedder.embed(texts);
      rates.push(texts.length / ((performance.now() - t) / 1000));
    }
    // The STS sentences once, for the agreement with the reference runtime.
    if (workers > 1 || base.embedWorkers <= 1) vectors = sts.length > 0 ? await embedder.embed(sts) : [];
  } finally {
    await embedder.close();
  }
  console.log(
    `bulk  ${runtime.label.padEnd(9)} workers=${workers} batch=${config.embedBatchSize}: ` +
      `median ${median(rates).toFixed(0)} sentences/s over ${RUNS} runs (${rates.map((r) => r.toFixed(0)).join(', ')}); start-up ${startup.toFixed(0)} ms; load ${load()}`,
  );
  return { rate: median(rates), vectors };
}

async function query(runtime: Runtime): Promise<{ p50: number; p95: number }> {
  const local = await createEmbedder({ ...base, embedBackend: runtime.backend, embedModel: runtime.model }, silentLogger, 'query');
  await local.embed(['warm up the model']);
  const latencies: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await local.embed([texts[(i * 17) % texts.length]!]);
    latencies.push(performance.now() - t);
  }
  await local.close();
  const threads = runtime.backend === 'onnx' ? ` threads=${base.embedQueryThreads}` : '';
  const result = { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
  console.log(`query ${runtime.label.padEnd(9)} in-process${threads}, ${QUERIES} distinct headlines: p50 ${result.p50.toFixed(2)} ms, p95 ${result.p95.toFixed(2)} ms; load ${load()}`);
  return result;
}

/** Median microseconds to tokenise one headline, in this thread, after a warm-up pass. */
async function tokeniserMicros(): Promise<number> {
  const tokenize = await loadUseTokenizer();
  texts.forEach(tokenize);
  const passes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t = performance.now();
    for (const text of texts) tokenize(text);
    passes.push(((performance.now() - t) * 1000) / texts.length);
  }
  return median(passes);
}

/**
 * A profiled single-thread session over the first batches: kernel time per op type, and
 * per batch the execution provider(s) that actually ran its nodes.
 */
async function profile(runtime: Runtime): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-embed-profile-'));
  try {
    const file = await ensureUseLiteOnnxFile(modelCacheDir(base), undefined, { precision: runtime.model === 'use-lite-int8' ? 'int8' : 'float32' });
    const encoder = await OnnxUseEncoder.load(file, { threads: 1, profileFilePrefix: path.join(dir, 'ort') }, (m) => console.log(`warning: ${m}`));
    const encodings = texts.map((t) => encoder.tokenize(t));
    const batches = lengthBatches(encodings.map((e) => e.length), base.embedBatchSize);
    const step = Math.max(1, Math.floor(batches.length / PROFILED_BATCHES));
    for (let i = 0; i < batches.length; i += step) await encoder.embedTokens(batches[i]!.map((j) => encodings[j]!));
    encoder.endProfiling();
    const trace = fs.readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!trace) return void console.log(`profile ${runtime.label}: ONNX Runtime wrote no profile`);
    const result = readOrtProfile(path.join(dir, trace));
    console.log(`profile ${runtime.label} (session providers ${encoder.providers.join(',')}), ${result.runs.length} batches of ${base.embedBatchSize}, kernel time per op type:`);
    for (const [op, micros] of result.byOpType) {
      console.log(`  ${op.padEnd(24)} ${(micros / 1000).toFixed(1).padStart(8)} ms ${((100 * micros) / result.kernelMicros).toFixed(1).padStart(5)}%`);
    }
    const main = (run: ReadonlyMap<string, number>) => [...run].sort((a, b) => b[1] - a[1]).map(([p, us]) => `${p} ${(us / 1000).toFixed(1)} ms`).join(', ');
    const tally = new Map<string, number>();
    result.runs.forEach((run, i) => {
      const top = [...run].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
      tally.set(top, (tally.get(top) ?? 0) + 1);
      if (PER_BATCH) console.log(`  batch ${i + 1}: ${main(run)}`);
    });
    console.log(`  provider that ran most of each batch: ${[...tally].map(([p, n]) => `${p} ${n}/${result.runs.length}`).join(', ')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (args['gap-ms'] !== undefined) {
  const gapMs = Number(args['gap-ms']);
  const settings = list(args.settings).map((spec) => {
    const [use, threads] = spec.split(':');
    if ((use !== 'server' && use !== 'query') || !(Number(threads) >= 1)) throw new Error(`--settings: ${spec} is not use:threads (server:1, query:2)`);
    return { label: spec, create: () => createEmbedder({ ...base, embedQueryThreads: Number(threads) }, silentLogger, use) };
  });
  const results = await spacedQueryLatency(settings, texts, QUERIES, gapMs);
  for (const r of results) {
    console.log(`spaced ${r.label.padEnd(10)} ${QUERIES} queries ${gapMs} ms apart: p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, CPU ${r.cpuMs.toFixed(2)} ms per query`);
  }
  console.log(`load average ${load()}`);
  printSummary('embed-spaced', { gapMs, queries: QUERIES, model: base.embedModel, settings: results });
  process.exit(0);
}

const tokenMicros = await tokeniserMicros();
console.log(`tokeniser: median ${tokenMicros.toFixed(1)} µs per headline (main thread, ${RUNS} passes); load ${load()}`);

const results: Array<{ runtime: Runtime; one: number; all: number; p50: number; p95: number; sts: Float32Array[] }> = [];
for (const runtime of runtimes) {
  if (runtime.backend === 'onnx') await profile(runtime);
  const one = await bulk(runtime, 1);
  const all = base.embedWorkers > 1 ? await bulk(runtime, base.embedWorkers) : one;
  const q = await query(runtime);
  results.push({ runtime, one: one.rate, all: all.rate, ...q, sts: all.vectors.length > 0 ? all.vectors : one.vectors });
}

const reference = results.find((r) => r.runtime.label === 'wasm');
const agreement = (vectors: Float32Array[]) =>
  !reference || reference.sts.length === 0 || vectors.length === 0 ? 'n/a' : Math.min(...vectors.map((v, i) => cosine(v, reference.sts[i]!))).toFixed(6);
console.log(
  `\nload average ${load()}\n` +
    `| runtime | bulk, 1 worker (sentences/s) | bulk, all workers | query p50 | query p95 | min cosine vs wasm (${sts.length} STS sentences) | tokeniser share of 1-worker time |\n` +
    '| --- | --- | --- | --- | --- | --- | --- |',
);
for (const r of results) {
  const tokenShare = (100 * tokenMicros) / (1e6 / r.one);
  console.log(
    `| ${r.runtime.label} | ${r.one.toFixed(0)} | ${r.all.toFixed(0)} (${base.embedWorkers} workers, ${(r.all / r.one).toFixed(2)}×) | ` +
      `${r.p50.toFixed(2)} ms | ${r.p95.toFixed(2)} ms | ${agreement(r.sts)} | ${tokenShare.toFixed(1)}% |`,
  );
}
printSummary('embed', {
  headlines: texts.length,
  stsSentences: sts.length,
  workers: base.embedWorkers,
  tokeniserMicrosPerHeadline: tokenMicros,
  runtimes: results.map((r) => ({
    runtime: r.runtime.label,
    bulkOneWorkerPerSecond: r.one,
    bulkAllWorkersPerSecond: r.all,
    queryP50Ms: r.p50,
    queryP95Ms: r.p95,
    minCosineVsWasm: agreement(r.sts) === 'n/a' ? null : Number(agreement(r.sts)),
  })),
});
