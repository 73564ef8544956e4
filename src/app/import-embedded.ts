import type { Config } from '../config/parse-config.ts';
import { buildHnswIndex, type HnswBuildOptions } from '../db/build-hnsw-index.ts';
import { createHeadlineLoader } from '../db/headline-loader.ts';
import { hnswIndexExists, type HnswParams } from '../db/hnsw-index.ts';
import { migrateToLatest } from '../db/migrations.ts';
import { openDatabase, type Database } from '../db/open-database.ts';
import { insertProjection, loadProjection } from '../db/projection-repository.ts';
import { storedHeadlineBatches } from '../db/stored-headline-batches.ts';
import { describeIndexProgress } from '../ingest/describe-index-progress.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';
import { sameProjection } from '../projection/same-projection.ts';

export interface ImportOptions {
  /** DATA_DIR of the embedded database to copy from. */
  readonly fromDataDir: string;
  readonly batchSize: number;
  readonly hnsw: HnswParams;
  readonly hnswBuild?: HnswBuildOptions;
}

export interface ImportSummary {
  readonly read: number;
  readonly loaded: number;
  readonly duplicates: number;
  readonly indexBuilt: boolean;
  readonly seconds: number;
}

/**
 * Moves an embedded database to the configured server: its projection, then every headline
 * with the vectors it already has (no model runs), then the index. Re-running loads
 * nothing twice, so an interrupted move resumes.
 */
export async function importEmbedded(config: Config, logger: Logger, options: ImportOptions): Promise<ImportSummary> {
  if (config.databaseUrl === undefined) {
    throw new AppError(ErrorCode.CONFIG_INVALID, 'Set DATABASE_URL to the PostgreSQL server to import into; the embedded database is the source here.');
  }
  const started = performance.now();
  const source = await openDatabase({ ...config, databaseUrl: undefined, dataDir: options.fromDataDir, embeddedDbPort: 0 }, logger);
  try {
    await migrateToLatest(source.db);
    const stored = await loadProjection(source.db);
    if (!stored) throw new AppError(ErrorCode.NOT_FOUND, `Nothing to import: the embedded database in ${options.fromDataDir} holds no headlines.`);
    const target = await openDatabase(config, logger);
    try {
      await migrateToLatest(target.db);
      const existing = await loadProjection(target.db);
      if (!existing) await insertProjection(target.db, stored.modelId, stored.projection);
      else if (existing.modelId !== stored.modelId || !sameProjection(existing.projection, stored.projection)) {
        throw new AppError(
          ErrorCode.PROJECTION_MISMATCH,
          `The server's headlines were reduced by another projection (${existing.modelId}, ${existing.projection.kind}-${existing.projection.dimensions}); import into an empty database.`,
        );
      }
      const counts = await copyHeadlines(source, target, options.batchSize, throttled(5000, (n: number) => logger.info(`import: copied ${n} headlines`)));
      let indexBuilt = false;
      if (!(await hnswIndexExists(target.db))) {
        const report = throttled(5000, (p: Parameters<typeof describeIndexProgress>[0]) => logger.info(`index: ${describeIndexProgress(p)}`));
        await buildHnswIndex(target, stored.projection.dimensions, options.hnsw, options.hnswBuild, report);
        indexBuilt = true;
      }
      return { ...counts, indexBuilt, seconds: (performance.now() - started) / 1000 };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** `report`, called at most once per `ms` (the first call always passes). */
function throttled<T>(ms: number, report: (value: T) => void): (value: T) => void {
  let last = -Infinity;
  return (value) => {
    if (performance.now() - last < ms) return;
    last = performance.now();
    report(value);
  };
}

async function copyHeadlines(source: Database, target: Database, batchSize: number, onProgress: (copied: number) => void): Promise<{ read: number; loaded: number; duplicates: number }> {
  const loader = await createHeadlineLoader(target);
  let read = 0;
  let loaded = 0;
  try {
    for await (const rows of storedHeadlineBatches(source.db, batchSize)) {
      read += rows.length;
      loaded += await loader.load(rows);
      onProgress(read);
    }
  } finally {
    await loader.close();
  }
  return { read, loaded, duplicates: read - loaded };
}
