import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { migrateToLatest } from '../../db/migrations.ts';
import { runCommand } from '../run-command.ts';
import { ingestInto } from './ingest-command.ts';
import { redactUrl } from '../../config/parse-config.ts';
import { openApiDatabase, serveDatabase } from './serve-command.ts';

/** The project's own demo corpus: a few hundred headlines, 2003–2021, many topics. */
export const DEMO_CSV = fileURLToPath(new URL('../../../data/demo-headlines.csv', import.meta.url));

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('migrate, load the demo headlines into an empty database, then serve the API')
    .option('--no-serve', 'stop after migrating and loading')
    .action((flags: { serve: boolean }) =>
      runCommand(async (ctx) => {
        // One open for the whole sequence: the embedded database starts once.
        const database = await openApiDatabase(ctx);
        try {
          const applied = await migrateToLatest(database.db);
          ctx.out(`database: ${database.mode} (${redactUrl(database.connectionString)}); ${applied.length} migration(s) applied`);
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from headlines`.execute(database.db);
          if (rows[0]!.n === 0) {
            ctx.out(`empty database: loading the demo headlines from ${DEMO_CSV}`);
            await ingestInto(ctx, database, DEMO_CSV, {});
          } else {
            ctx.out(`headlines stored: ${rows[0]!.n}`);
          }
          if (flags.serve) await serveDatabase(ctx, database, ctx.config.port);
        } finally {
          await database.close();
        }
      }),
    );
}
