// npm run bench:embed — embedding throughput and single-query latency on real headlines.
// Prints figures; asserts nothing (machines are shared and noisy: read medians).
import os from 'node:os';
import { loadConfig } from '../src/config/load-config.ts';
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
console.log(`bench:embed  ${texts.length} headlines from ${SAMPLE}; ${os.availableParallelism()} cores; node ${process.version}`);

async function bulk(workers: number): Promise<void> {
  const config = { ...base, embedWorkers: workers };
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
    `bulk  backend=${embedder.backend} workers=${workers} batch=${config.embedBatchSize}: ` +
      `median ${median(rates).toFixed(0)} sentences/s over ${RUNS} runs (${rates.map((r) => r.toFixed(0)).join(', ')}); start-up ${startup.toFixed(0)} ms`,
  );
}

await bulk(1);
await bulk(base.embedWorkers);

const local = await createEmbedder(base, silentLogger, 'query');
await local.embed(['warm up the model']);
const latencies: number[] = [];
for (let i = 0; i < QUERIES; i++) {
  const t = performance.now();
  await local.embed([texts[(i * 17) % texts.length]!]);
  latencies.push(performance.now() - t);
}
await local.close();
console.log(
  `query backend=${local.backend} in-process, ${QUERIES} distinct headlines: ` +
    `p50 ${percentile(latencies, 50).toFixed(2)} ms, p95 ${percentile(latencies, 95).toFixed(2)} ms`,
);
