import type { Command } from 'commander';
import { createEmbedder } from '../../embedding/create-embedder.ts';
import { startQueryEmbeddingWorker } from '../../search/query-embedding-worker.ts';
import { runCommand, withMigratedDatabase } from '../run-command.ts';

export function registerEmbedQueriesCommand(program: Command): void {
  program
    .command('embed-queries')
    .description('embed pending rows of search_queries (inserted by SQL users); --watch keeps doing it')
    .option('--watch', 'keep running: embed new rows within a second of their insert')
    .action((flags: { watch?: boolean }) =>
      runCommand((ctx) =>
        withMigratedDatabase(ctx, async (database) => {
          const embedder = await createEmbedder(ctx.config, ctx.logger, 'query');
          const worker = await startQueryEmbeddingWorker({ database, embed: (texts) => embedder.embed(texts), logger: ctx.logger });
          try {
            const handled = await worker.drain();
            ctx.out(`embedded ${handled} pending search queries`);
            if (flags.watch) {
              ctx.logger.info('watching search_queries; stop with Ctrl-C');
              await new Promise<void>((resolve) => {
                process.once('SIGINT', resolve);
                process.once('SIGTERM', resolve);
              });
            }
          } finally {
            await worker.close();
            await embedder.close();
          }
        }),
      ),
    );
}
