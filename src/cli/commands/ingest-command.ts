import type { Command } from 'commander';
import { Option } from 'commander';
import { DEFAULT_HNSW_BUILD } from '../../db/build-hnsw-index.ts';
import { DEFAULT_HNSW_PARAMS } from '../../db/hnsw-index.ts';
import { migrateToLatest } from '../../db/migrations.ts';
import type { Database } from '../../db/open-database.ts';
import { createEmbedder } from '../../embedding/create-embedder.ts';
import { createGram } from '../../embedding/create-gram.ts';
import { createBatchProjector } from '../../embedding/create-batch-projector.ts';
import { PROJECTION_KINDS, type ProjectionKind } from '../../embedding/projection.ts';
import { USE_MODEL_ID } from '../../embedding/use-model-files.ts';
import { ingest, type IngestSummary } from '../../ingest/ingest.ts';
import { createProgressReporter } from '../../ingest/progress-reporter.ts';
import type { InputFormat } from '../../ingest/read-records.ts';
import { defaultRejectsPath } from '../../ingest/rejects-writer.ts';
import { DEFAULT_MAX_TEXT_LENGTH } from '../../ingest/validate-record.ts';
import { runCommand, withDatabase, type CommandContext } from '../run-command.ts';
import { buildWorkerCount, positiveInt } from './option-parsers.ts';

interface IngestFlags {
  format?: InputFormat;
  rejects?: string;
  projection?: ProjectionKind;
  dims?: number;
  maxLength: number;
  batchSize: number;
  m: number;
  efConstruction: number;
  buildWorkers: number;
  quiet?: boolean;
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest <source>')
    .description('load headlines from a file, - (stdin) or an http(s) URL (.gz ok): validate, dedup, embed, project, bulk-load, index')
    .addOption(new Option('--format <format>', 'input format (default: detected from the header)').choices(['csv', 'tsv']))
    .option('--rejects <file>', 'where rejected rows go (default DATA_DIR/rejects/<source>-<timestamp>.tsv)')
    .addOption(new Option('--projection <kind>', 'reduction for the ANN index, fitted on the first ingest (default pca)').choices([...PROJECTION_KINDS]))
    .option('--dims <k>', 'reduced dimensions on the first ingest (default 64)', positiveInt)
    .option('--max-length <n>', 'longest headline accepted, in characters', positiveInt, DEFAULT_MAX_TEXT_LENGTH)
    .option('--batch-size <n>', 'rows per load transaction', positiveInt, 2000)
    .option('--m <n>', 'HNSW m (graph degree) when the index is built', positiveInt, DEFAULT_HNSW_PARAMS.m)
    .option('--ef-construction <n>', 'HNSW ef_construction when the index is built', positiveInt, DEFAULT_HNSW_PARAMS.efConstruction)
    .option('--build-workers <n>', 'parallel workers for the HNSW build on a server (the database host\'s cores - 1)', buildWorkerCount, DEFAULT_HNSW_BUILD.workers)
    .option('--quiet', 'no progress output')
    .action((source: string, flags: IngestFlags) =>
      runCommand(async (ctx) => {
        await withDatabase(ctx, (database) => ingestInto(ctx, database, source, flags));
      }),
    );
}

export async function ingestInto(ctx: CommandContext, database: Database, source: string, flags: Partial<IngestFlags>): Promise<IngestSummary> {
  await migrateToLatest(database.db);
  const mode = flags.quiet ? 'quiet' : process.stderr.isTTY ? 'tty' : 'log';
  const reporter = createProgressReporter(mode, (line) => ctx.logger.info(line));
  let summary: IngestSummary;
  try {
    summary = await ingest(
      {
        source,
        format: flags.format,
        rejectsFile: (name) => flags.rejects ?? defaultRejectsPath(ctx.config.dataDir, name),
        projection: flags.projection,
        dimensions: flags.dims,
        maxTextLength: flags.maxLength ?? DEFAULT_MAX_TEXT_LENGTH,
        batchSize: flags.batchSize ?? 2000,
        hnsw: { m: flags.m ?? DEFAULT_HNSW_PARAMS.m, efConstruction: flags.efConstruction ?? DEFAULT_HNSW_PARAMS.efConstruction },
        hnswBuild: { workers: flags.buildWorkers ?? DEFAULT_HNSW_BUILD.workers },
      },
      {
        database,
        modelId: USE_MODEL_ID,
        createEmbedder: () => createEmbedder(ctx.config, ctx.logger, 'bulk'),
        createGram: () => createGram(ctx.config.embedBackend, (m) => ctx.logger.warn(m)),
        createProjector: createBatchProjector(ctx.config.embedBackend, (m) => ctx.logger.warn(m)),
        onProgress: (p) => reporter.update(p),
      },
    );
  } finally {
    reporter.stop();
  }
  for (const line of formatSummary(summary)) ctx.out(line);
  return summary;
}

export function formatSummary(s: IngestSummary): string[] {
  const t = s.seconds;
  return [
    `ingest summary: read ${s.read} = loaded ${s.loaded} + duplicates ${s.duplicates} + rejected ${s.rejected}`,
    `  time: total ${t.total.toFixed(1)} s; busy per stage (they overlap): read ${t.read.toFixed(1)} s, dedup ${t.dedup.toFixed(1)} s, embed ${t.embed.toFixed(1)} s, load ${t.load.toFixed(1)} s, index ${t.index.toFixed(1)} s`,
    `  rate: ${(s.read / Math.max(t.total, 1e-3)).toFixed(0)} rows/s read, ${(s.loaded / Math.max(t.total, 1e-3)).toFixed(0)} rows/s loaded`,
    `  projection: ${s.projection ?? 'none stored yet'}; HNSW index ${s.indexBuilt ? 'built' : 'unchanged'}`,
    ...(s.rejectsFile ? [`  rejects: ${s.rejectsFile}`] : []),
  ];
}
