import type { Config } from '../config/parse-config.ts';
import { migrateToLatest } from '../db/migrations.ts';
import type { Database } from '../db/open-database.ts';
import { createBatchProjector } from '../projection/create-batch-projector.ts';
import { configuredModelId, createEmbedder } from '../embedding/create-embedder.ts';
import { createGram } from '../projection/create-gram.ts';
import { ingest, type IngestOptions, type IngestSummary } from '../ingest/ingest.ts';
import { createProgressReporter } from '../ingest/progress-reporter.ts';
import { defaultRejectsPath } from '../ingest/rejects-writer.ts';
import type { Logger } from '../logger.ts';
import { resolveEmbedModel } from './resolve-embed-model.ts';

export type IngestRequest = Omit<IngestOptions, 'rejectsFile'> & {
  /** Where rejected rows go; DATA_DIR/rejects/<source>-<timestamp>.tsv by default. */
  readonly rejects?: string;
  readonly progress: 'tty' | 'log' | 'quiet';
};

/** One ingest into an open database: migrate, then read, embed, project, load and index. */
export async function runIngest(environment: Config, logger: Logger, database: Database, request: IngestRequest): Promise<IngestSummary> {
  await migrateToLatest(database.db);
  const config = await resolveEmbedModel(environment, database.db);
  const reporter = createProgressReporter(request.progress, (line) => logger.info(line));
  const { rejects, progress: _progress, ...options } = request;
  try {
    return await ingest(
      { ...options, rejectsFile: (name) => rejects ?? defaultRejectsPath(config.dataDir, name), embeddedMaxHeadlines: config.embeddedMaxHeadlines },
      {
        database,
        modelId: configuredModelId(config),
        createEmbedder: () => createEmbedder(config, logger, 'bulk'),
        createGram: () => createGram(config.embedBackend, (m) => logger.warn(m)),
        createProjector: createBatchProjector(config.embedBackend, (m) => logger.warn(m)),
        onProgress: (p) => reporter.update(p),
        onIndexProgress: (p) => reporter.index(p),
      },
    );
  } finally {
    reporter.stop();
  }
}
