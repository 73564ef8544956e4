import type { Command } from 'commander';
import { rebuildHnswIndex, buildHnswIndex, DEFAULT_HNSW_BUILD } from '../../db/build-hnsw-index.ts';
import { DEFAULT_HNSW_PARAMS, hnswIndexExists } from '../../db/hnsw-index.ts';
import { loadProjection } from '../../db/projection-repository.ts';
import { AppError, ErrorCode } from '../../errors/app-error.ts';
import { withMigratedDatabase } from '../../app/with-database.ts';
import type { Act } from '../run-command.ts';
import { buildWorkerCount, positiveInt } from './option-parsers.ts';

export function registerReindexCommand(program: Command, act: Act): void {
  program
    .command('reindex')
    .description('rebuild the HNSW index (CONCURRENTLY on a server); builds it if missing')
    .option('--m <n>', 'HNSW m when building a missing index', positiveInt, DEFAULT_HNSW_PARAMS.m)
    .option('--ef-construction <n>', 'HNSW ef_construction when building a missing index', positiveInt, DEFAULT_HNSW_PARAMS.efConstruction)
    .option('--build-workers <n>', 'parallel workers for the build on a server (the database host\'s cores - 1)', buildWorkerCount, DEFAULT_HNSW_BUILD.workers)
    .action((flags: { m: number; efConstruction: number; buildWorkers: number }) =>
      act((ctx) =>
        withMigratedDatabase(ctx.config, ctx.logger, async (database) => {
          const stored = await loadProjection(database.db);
          if (!stored) throw new AppError(ErrorCode.NOT_FOUND, 'Nothing to index: no headlines have been ingested yet.');
          const started = performance.now();
          if (await hnswIndexExists(database.db)) {
            await rebuildHnswIndex(database, { workers: flags.buildWorkers });
            ctx.out(`rebuilt the HNSW index in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          } else {
            await buildHnswIndex(database, stored.projection.dimensions, { m: flags.m, efConstruction: flags.efConstruction }, { workers: flags.buildWorkers });
            ctx.out(`built the HNSW index in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          }
        }),
      ),
    );
}
