// npm run bench:embed — embedding throughput and single-query latency on real headlines,
// for every available runtime side by side (ONNX Runtime, native tfjs if installed, tfjs-wasm).
// Prints figures; asserts nothing (machines are shared and noisy: read medians).
import os from 'node:os';
import { loadConfig } from '../src/config/load-config.ts';
import { availableBackends } from '../src/embedding/activate-backend.ts';
import type { BackendName } from '../src/config/embed-backends.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { readCorpusSample } from '../src/eval/read-corpus-sample.ts';
import { silentLogger } from '../src/logger.ts';
import { median, percentile } from './stats.ts';

const SAMPLE = process.argv[2] ?? '../shared/data/abcnews-sample.csv';
const ROWS = 5000;
const RUNS = 3;
const QUERIES = 300;

const texts = await readCorpusSample(SAMPLE, ROWS);
const base = loadConfig();
const backends: BackendName[] = process.env.BENCH_BACKENDS ? (process.env.BENCH_BACKENDS.split(',') as BackendName[]) : await availableBackends();
console.log(`bench:embed  ${texts.length} headlines from ${SAMPLE}; ${os.availableParallelism()} cores; node ${process.version}; backends ${backends.join(', ')}`);

async function bulk(backend: BackendName, workers: number): Promise<number> {
  const config = { ...base, embedBackend: backend, embedWorkers: workers };
  const started = performance.now();
  const embedder = await createEmbedder(config, silentLogger, 'bulk');
  const startup = performance.now() - started;
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t = performance.now();
    await embedder.embed(texts);
    rates.push(texts.length / ((performance.now() - t) / 1000));
  }
  await embedder.close();
  console.log(
    `bulk  ${backend.padEnd(6)} workers=${workers} batch=${config.embedBatchSize}: ` +
      `median ${median(rates).toFixed(0)} sentences/s over ${RUNS} runs (${rates.map((r) => r.toFixed(0)).join(', ')}); start-up ${startup.toFixed(0)} ms`,
  );
  return median(rates);
}

async function query(backend: BackendName): Promise<{ p50: number; p95: number }> {
  const local = await createEmbedder({ ...base, embedBackend: backend }, silentLogger, 'query');
  await local.embed(['warm up the model']);
  const latencies: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await local.embed([texts[(i * 17) % texts.length]!]);
    latencies.push(performance.now() - t);
  }
  await local.close();
  const threads = backend === 'onnx' ? ` threads=${base.embedQueryThreads}` : '';
  const result = { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
  console.log(`query ${backend.padEnd(6)} in-process${threads}, ${QUERIES} distinct headlines: p50 ${result.p50.toFixed(2)} ms, p95 ${result.p95.toFixed(2)} ms`);
  return result;
}

const summary: string[] = [];
for (const backend of backends) {
  const one = await bulk(backend, 1);
  const all = base.embedWorkers > 1 ? await bulk(backend, base.embedWorkers) : one;
  const q = await query(backend);
  summary.push(
    `| ${backend} | ${one.toFixed(0)} | ${all.toFixed(0)} (${base.embedWorkers} workers, ${(all / one).toFixed(2)}×) | ${q.p50.toFixed(2)} ms | ${q.p95.toFixed(2)} ms |`,
  );
}
console.log('\n| backend | bulk, 1 worker (sentences/s) | bulk, all workers | query p50 | query p95 |\n| --- | --- | --- | --- | --- |');
for (const line of summary) console.log(line);
