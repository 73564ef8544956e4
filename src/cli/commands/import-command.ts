import type { Command } from 'commander';
import { importEmbedded } from '../../app/import-embedded.ts';
import { DEFAULT_HNSW_BUILD, DEFAULT_HNSW_PARAMS } from '../../app/command-defaults.ts';
import type { RunCommandBody } from '../run-command.ts';
import { buildWorkerCount, positiveInt } from './option-parsers.ts';

export function registerImportCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('import <data-dir>')
    .description('move an embedded database (its DATA_DIR) to the server at DATABASE_URL: headlines, vectors and projection as stored, no re-embedding; then the index')
    .option('--batch-size <n>', 'rows per load transaction', positiveInt, 5000)
    .option('--m <n>', 'HNSW m when the index is built', positiveInt, DEFAULT_HNSW_PARAMS.m)
    .option('--ef-construction <n>', 'HNSW ef_construction when the index is built', positiveInt, DEFAULT_HNSW_PARAMS.efConstruction)
    .option('--build-workers <n>', 'parallel workers for the HNSW build (the database host\'s cores - 1)', buildWorkerCount, DEFAULT_HNSW_BUILD.workers)
    .action((dataDir: string, flags: { batchSize: number; m: number; efConstruction: number; buildWorkers: number }) =>
      runBody(async ({ config, logger, out }) => {
        const s = await importEmbedded(config, logger, {
          fromDataDir: dataDir,
          batchSize: flags.batchSize,
          hnsw: { m: flags.m, efConstruction: flags.efConstruction },
          hnswBuild: { workers: flags.buildWorkers, memoryMb: config.hnswBuildMemoryMb },
        });
        out(`import summary: read ${s.read} = loaded ${s.loaded} + duplicates ${s.duplicates}; HNSW index ${s.indexBuilt ? 'built' : 'unchanged'}; ${s.seconds.toFixed(1)} s`);
      }),
    );
}
