import type { Command } from 'commander';
import type { RunCommandBody } from '../run-command.ts';

export function registerEmbedQueriesCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('embed-queries')
    .description('embed pending rows of search_queries (inserted by SQL users); --watch keeps doing it')
    .option('--watch', 'keep running: embed new rows within a second of their insert')
    .action((flags: { watch?: boolean }) =>
      runBody(async ({ config, logger, io, out }) => {
        const { createQueryWorker } = await import('../../app/create-query-worker.ts');
        const worker = await createQueryWorker(config, logger);
        try {
          out(`embedded ${await worker.drain()} pending search queries`);
          if (flags.watch) {
            logger.info('watching search_queries; stop with Ctrl-C');
            await io.stopped();
          }
        } finally {
          await worker.close();
        }
      }),
    );
}
