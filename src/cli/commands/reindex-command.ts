import type { Command } from 'commander';
import { DEFAULT_HNSW_BUILD, DEFAULT_HNSW_PARAMS } from '../../app/command-defaults.ts';
import { reindex } from '../../app/reindex.ts';
import type { RunCommandBody } from '../run-command.ts';
import { buildWorkerCount, positiveInt } from './option-parsers.ts';

export function registerReindexCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('reindex')
    .description('rebuild the HNSW index (CONCURRENTLY on a server); builds it if missing')
    .option('--m <n>', 'HNSW m when building a missing index', positiveInt, DEFAULT_HNSW_PARAMS.m)
    .option('--ef-construction <n>', 'HNSW ef_construction when building a missing index', positiveInt, DEFAULT_HNSW_PARAMS.efConstruction)
    .option('--build-workers <n>', 'parallel workers for the build on a server (the database host\'s cores - 1)', buildWorkerCount, DEFAULT_HNSW_BUILD.workers)
    .option('--quiet', 'no progress output')
    .action((flags: { m: number; efConstruction: number; buildWorkers: number; quiet?: boolean }) =>
      runBody(async (ctx) => {
        const { built, seconds } = await reindex(ctx.config, ctx.logger, {
          hnsw: { m: flags.m, efConstruction: flags.efConstruction },
          hnswBuild: { workers: flags.buildWorkers, memoryMb: ctx.config.hnswBuildMemoryMb },
          progress: flags.quiet ? 'quiet' : ctx.io.stderr.isTTY ? 'tty' : 'log',
        });
        ctx.out(`${built ? 'built' : 'rebuilt'} the HNSW index in ${seconds.toFixed(1)} s`);
      }),
    );
}
