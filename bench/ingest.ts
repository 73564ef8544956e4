// npm run bench:ingest — end-to-end ingest vs. embedding alone, and the load stage alone.
// Prints figures; asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHeadlineLoader } from '../src/db/headline-loader.ts';
import { buildHnswIndex } from '../src/db/build-hnsw-index.ts';
import { DEFAULT_HNSW_PARAMS, HNSW_INDEX_NAME } from '../src/db/hnsw-index.ts';
import { migrateToLatest } from '../src/db/migrations.ts';
import { loadProjection } from '../src/db/projection-repository.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { createProjection } from '../src/projection/create-projection.ts';
import { createGram } from '../src/projection/create-gram.ts';
import { createBatchProjector } from '../src/projection/create-batch-projector.ts';
import { normalizeText } from '../src/embedding/normalize-text.ts';
import { project } from '../src/projection/projection.ts';
import type { ProjectionKind } from '../src/shared/projection-types.ts';
import { USE_MODEL_ID } from '../src/embedding/use-model-files.ts';
import { readCorpusSample } from '../src/eval/read-corpus-sample.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { silentLogger } from '../src/logger.ts';
import { freshEmbeddedConfig, freshServerDatabase } from './support/bench-databases.ts';
import { median } from './support/stats.ts';
import { benchFile } from './support/reference-files.ts';
import { benchOptions, positive, printSummary } from './support/bench-options.ts';

const { values: args, positionals } = benchOptions(
  { rows: { type: 'string', default: '20000' }, projection: { type: 'string', default: 'pca' } },
  { BENCH_ROWS: '--rows', BENCH_PROJECTION: '--projection' },
);
const SAMPLE = benchFile('HEADLINES_SAMPLE_CSV', positionals[0]);
const ROWS = positive(args.rows, 'rows');
const BATCH = 2000;

const lines = fs.readFileSync(SAMPLE, 'utf8').split('\n');
const subset = path.join(os.tmpdir(), `hs-bench-ingest-${process.pid}.csv`);
fs.writeFileSync(subset, lines.slice(0, ROWS + 1).join('\n') + '\n');
const texts = await readCorpusSample(subset, ROWS);
// CPU time of the whole machine (this process, its workers and PostgreSQL's backends), in
// core-seconds: on two cores, time one stage spends on the CPU is time taken from another.
const machineCpu = () => os.cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0) / 1000;
const cores = os.availableParallelism();
console.log(`bench:ingest  first ${texts.length} rows of ${SAMPLE}; ${os.availableParallelism()} cores`);

// 1. Embedding alone, the ceiling for end to end.
const server = await freshServerDatabase('e2e');
const embedder = await createEmbedder(server.config, silentLogger, 'bulk');
let t = performance.now();
let cpu0 = machineCpu();
const vectors = await embedder.embed(texts);
const embedBefore = texts.length / ((performance.now() - t) / 1000);
const embedCpuBefore = machineCpu() - cpu0;
const figures: Record<string, unknown> = { rows: texts.length, backend: embedder.backend, workers: server.config.embedWorkers };
console.log(`embedding alone (${embedder.backend}, ${server.config.embedWorkers} workers): ${embedBefore.toFixed(0)} rows/s`);

// 2. End to end on the real server.
{
  const database = await openDatabase(server.config, silentLogger);
  await migrateToLatest(database.db);
  const elu0 = performance.eventLoopUtilization();
  cpu0 = machineCpu();
  const summary = await ingest(
    {
      source: subset,
      rejectsFile: () => path.join(os.tmpdir(), 'hs-bench-rejects.tsv'),
      maxTextLength: 1000,
      batchSize: BATCH,
      hnsw: DEFAULT_HNSW_PARAMS,
      projection: args.projection as ProjectionKind,
    },
    { database, modelId: USE_MODEL_ID, createEmbedder: async () => ({ ...embedder, close: async () => undefined }), createGram: () => createGram(server.config.embedBackend, console.warn), createProjector: createBatchProjector(server.config.embedBackend, console.warn) },
  );
  const elu = performance.eventLoopUtilization(elu0);
  const e2eCpu = machineCpu() - cpu0;
  // The HNSW build once more on its own, to know its CPU cost.
  await database.db.schema.dropIndex(HNSW_INDEX_NAME).execute();
  t = performance.now();
  cpu0 = machineCpu();
  await buildHnswIndex(database, (await loadProjection(database.db))!.projection.dimensions, DEFAULT_HNSW_PARAMS);
  const indexWall = (performance.now() - t) / 1000;
  const indexCpu = machineCpu() - cpu0;
  await database.close();
  // Measured again after, and averaged: a shared machine drifts over a run of minutes.
  t = performance.now();
  cpu0 = machineCpu();
  await embedder.embed(texts);
  const embedAfter = texts.length / ((performance.now() - t) / 1000);
  const embedCpu = (embedCpuBefore + machineCpu() - cpu0) / 2;
  const embedRate = (embedBefore + embedAfter) / 2;
  console.log(`embedding alone again after: ${embedAfter.toFixed(0)} rows/s; reference (mean of both) ${embedRate.toFixed(0)} rows/s`);
  const s = summary.seconds;
  console.log(`main thread busy ${(elu.utilization * 100).toFixed(0)}% of the ingest (${(elu.active / 1000).toFixed(1)} s)`);
  const rate = summary.loaded / s.total;
  console.log(
    `end to end (server, ${summary.projection}): ${summary.loaded} rows in ${s.total.toFixed(1)} s = ${rate.toFixed(0)} rows/s ` +
      `(${((100 * rate) / embedRate).toFixed(1)}% of embedding alone); busy s: read ${s.read.toFixed(1)}, dedup ${s.dedup.toFixed(1)}, ` +
      `embed ${s.embed.toFixed(1)}, load ${s.load.toFixed(1)}, index ${s.index.toFixed(1)}`,
  );
  const toIndex = s.total - s.index;
  console.log(`end to end excluding the one-off index build: ${(summary.loaded / toIndex).toFixed(0)} rows/s (${((100 * summary.loaded) / toIndex / embedRate).toFixed(1)}% of embedding alone)`);
  // Embedding alone keeps every core busy, so nothing else can overlap it for free: even
  // with every other stage free and perfectly overlapped, the HNSW build's CPU must still
  // be found, which bounds end to end at embedding CPU / (embedding CPU + build CPU).
  const embedWall = texts.length / embedRate;
  console.log(
    `CPU (core-seconds, whole machine, ${cores} cores): embedding alone ${embedCpu.toFixed(1)} (${(embedCpu / embedWall / cores * 100).toFixed(0)}% of the cores for ${embedWall.toFixed(1)} s); ` +
      `end to end ${e2eCpu.toFixed(1)}; HNSW build alone ${indexCpu.toFixed(1)} (${indexWall.toFixed(1)} s)`,
  );
  Object.assign(figures, {
    projection: summary.projection,
    embeddingAlonePerSecond: embedRate,
    endToEndPerSecond: rate,
    endToEndWithoutIndexPerSecond: summary.loaded / toIndex,
    stageSeconds: s,
    cpuCoreSeconds: { embeddingAlone: embedCpu, endToEnd: e2eCpu, hnswBuild: indexCpu },
  });
  console.log(`ceiling from the HNSW build alone: end to end can reach at most ${((100 * embedCpu) / (embedCpu + indexCpu)).toFixed(1)}% of embedding alone on this machine`);
}
await embedder.close();
await server.drop();

// 3. The load stage alone, with precomputed vectors (PCA-64 fitted on them).
const projection = await createProjection({ kind: 'pca', dimensions: 64 }, vectors, 512);
const rows = texts.map((text, i) => ({ publishedOn: '2003-02-19', text: `${normalizeText(text)} #${i}`, embedding: vectors[i]!, reduced: project(projection, vectors[i]!) }));
const LOAD_RUNS = 3;
for (const mode of ['server', 'embedded'] as const) {
  const rates: number[] = [];
  for (let run = 0; run < LOAD_RUNS; run++) {
    const target = mode === 'server' ? await freshServerDatabase('load') : freshEmbeddedConfig();
    const database = await openDatabase(target.config, silentLogger);
    await migrateToLatest(database.db);
    const loader = await createHeadlineLoader(database);
    t = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) await loader.load(rows.slice(i, i + BATCH));
    rates.push(rows.length / ((performance.now() - t) / 1000));
    await loader.close();
    await database.close();
    await target.drop();
  }
  figures[`loadAlone${mode === 'server' ? 'Server' : 'Embedded'}PerSecond`] = median(rates);
  console.log(
    `load alone (${mode}, binary COPY + insert-on-conflict, ${BATCH}-row transactions): median ${median(rates).toFixed(0)} rows/s ` +
      `(${LOAD_RUNS} runs: ${rates.map((r) => r.toFixed(0)).join(', ')})`,
  );
}
fs.rmSync(subset, { force: true });
printSummary('ingest', figures);
