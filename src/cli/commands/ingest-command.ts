import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { runIngest } from '../../app/run-ingest.ts';
import { MODELS, type ModelName } from '../../config/embed-backends.ts';
import { withDatabase } from '../../app/with-database.ts';
import { DEFAULT_HNSW_BUILD, DEFAULT_HNSW_PARAMS } from '../../app/command-defaults.ts';
import { PROJECTION_KINDS, type ProjectionKind } from '../../shared/projection-types.ts';
import { formatSummary } from '../../ingest/format-summary.ts';
import type { InputFormat } from '../../ingest/read-records.ts';
import { DEFAULT_SOURCE_TIMEOUT_MS, openSource } from '../../ingest/open-source.ts';
import { DEFAULT_MAX_TEXT_LENGTH } from '../../ingest/validate-record.ts';
import { parseIngestPart, type IngestPart } from '../../ingest/ingest-part.ts';
import type { RunCommandBody } from '../run-command.ts';
import { buildWorkerCount, positiveInt } from './option-parsers.ts';

interface IngestFlags {
  format?: InputFormat;
  model?: ModelName;
  rejects?: string;
  projection?: ProjectionKind;
  dims?: number;
  maxLength: number;
  batchSize: number;
  m: number;
  efConstruction: number;
  buildWorkers: number;
  quiet?: boolean;
  sourceTimeout: number;
  part?: IngestPart;
}

export function registerIngestCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('ingest <source>')
    .description('load headlines from a file, - (stdin) or an http(s) URL (.gz ok): validate, dedup, embed, project, bulk-load, index')
    .addOption(new Option('--format <format>', 'input format (default: detected from the header)').choices(['csv', 'tsv']))
    .option('--rejects <file>', 'where rejected rows go (default DATA_DIR/rejects/<source>-<timestamp>.tsv)')
    .addOption(new Option('--model <name>', 'embedding model (default EMBED_MODEL); the database keeps the one it was first made with').choices([...MODELS]))
    .addOption(new Option('--projection <kind>', 'reduction for the ANN index, fitted on the first ingest (default pca)').choices([...PROJECTION_KINDS]))
    .option('--dims <k>', 'reduced dimensions on the first ingest (default 64)', positiveInt)
    .option('--max-length <n>', 'longest headline accepted, in characters', positiveInt, DEFAULT_MAX_TEXT_LENGTH)
    .option('--batch-size <n>', 'rows per load transaction', positiveInt, 2000)
    .option('--m <n>', 'HNSW m (graph degree) when the index is built', positiveInt, DEFAULT_HNSW_PARAMS.m)
    .option('--ef-construction <n>', 'HNSW ef_construction when the index is built', positiveInt, DEFAULT_HNSW_PARAMS.efConstruction)
    .option('--build-workers <n>', 'parallel workers for the HNSW build on a server (the database host\'s cores - 1)', buildWorkerCount, DEFAULT_HNSW_BUILD.workers)
    .option('--source-timeout <seconds>', 'give up an http(s) source that sends nothing for this long', positiveInt, DEFAULT_SOURCE_TIMEOUT_MS / 1000)
    .option('--quiet', 'no progress output')
    .option('--part <i/n>', 'load only part i of n of the rows (split by day), for n processes sharing one file', partOption)
    .action((source: string, flags: IngestFlags) =>
      runBody(async ({ config: environment, logger, io, out }) => {
        const config = flags.model ? { ...environment, embedModel: flags.model, embedModelExplicit: true } : environment;
        // Opened before the database, which can take seconds to start: an empty or
        // unreachable source is told at once.
        const opened = await openSource(source, { timeoutMs: flags.sourceTimeout * 1000 });
        const summary = await withDatabase(config, logger, (database) =>
          runIngest(config, logger, database, {
            source: opened,
            format: flags.format,
            rejects: flags.rejects,
            projection: flags.projection,
            dimensions: flags.dims,
            maxTextLength: flags.maxLength,
            batchSize: flags.batchSize,
            hnsw: { m: flags.m, efConstruction: flags.efConstruction },
            hnswBuild: { workers: flags.buildWorkers, memoryMb: config.hnswBuildMemoryMb },
            sourceTimeoutMs: flags.sourceTimeout * 1000,
            progress: flags.quiet ? 'quiet' : io.stderr.isTTY ? 'tty' : 'log',
            part: flags.part,
          }),
        ).finally(() => opened.stream.destroy());
        for (const line of formatSummary(summary)) out(line);
      }),
    );
}

function partOption(raw: string): IngestPart {
  try {
    return parseIngestPart(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
