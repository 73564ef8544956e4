import type { Config } from '../config/parse-config.ts';
import { buildHnswIndex, buildYearIndexes, rebuildHnswIndex, type HnswBuildOptions } from '../db/build-hnsw-index.ts';
import { hnswIndexExists, type HnswParams } from '../db/hnsw-index.ts';
import { loadProjection } from '../db/projection-repository.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { createProgressReporter } from '../ingest/progress-reporter.ts';
import type { Logger } from '../logger.ts';
import { withMigratedDatabase } from './with-database.ts';

export interface ReindexOptions {
  /** Used only when the index is missing and is built afresh. */
  readonly hnsw: HnswParams;
  readonly hnswBuild: HnswBuildOptions;
  /** The build's progress, as ingest reports its own (default: none). */
  readonly progress?: 'tty' | 'log' | 'quiet';
}

export interface ReindexResult {
  /** False when an existing index was rebuilt. */
  readonly built: boolean;
  readonly seconds: number;
}

/** `headlines reindex`: rebuild the HNSW index (CONCURRENTLY on a server), or build it if missing. */
export function reindex(config: Config, logger: Logger, options: ReindexOptions): Promise<ReindexResult> {
  return withMigratedDatabase(config, logger, async (database) => {
    const stored = await loadProjection(database.db);
    if (!stored) throw new AppError(ErrorCode.NOT_FOUND, 'Nothing to index: no headlines have been ingested yet.');
    const started = performance.now();
    const exists = await hnswIndexExists(database.db);
    const reporter = createProgressReporter(options.progress ?? 'quiet', (line) => logger.info(line));
    const onProgress = options.progress && options.progress !== 'quiet' ? (p: Parameters<typeof reporter.index>[0]) => reporter.index(p) : undefined;
    try {
      if (exists) {
        await rebuildHnswIndex(database, options.hnswBuild, onProgress);
        await buildYearIndexes(database, stored.projection.dimensions, options.hnsw, options.hnswBuild, onProgress);
      } else await buildHnswIndex(database, stored.projection.dimensions, options.hnsw, options.hnswBuild, onProgress);
    } finally {
      reporter.stop();
    }
    return { built: !exists, seconds: (performance.now() - started) / 1000 };
  });
}
