import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { migrateToLatest } from '../../db/migrations.ts';
import { runCommand, withDatabase } from '../run-command.ts';
import { runIngestCommand } from './ingest-command.ts';
import { redactUrl } from './migrate-command.ts';
import { serve } from './serve-command.ts';

/** The project's own demo corpus: a few hundred headlines, 2003–2021, many topics. */
export const DEMO_CSV = fileURLToPath(new URL('../../../data/demo-headlines.csv', import.meta.url));

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('migrate, load the demo headlines into an empty database, then serve the API')
    .option('--no-serve', 'stop after migrating and loading')
    .action((flags: { serve: boolean }) =>
      runCommand(async (ctx) => {
        const count = await withDatabase(ctx, async ({ db, mode, connectionString }) => {
          const applied = await migrateToLatest(db);
          ctx.out(`database: ${mode} (${redactUrl(connectionString)}); ${applied.length} migration(s) applied`);
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from headlines`.execute(db);
          return rows[0]!.n;
        });
        if (count === 0) {
          ctx.out(`empty database: loading the demo headlines from ${DEMO_CSV}`);
          await runIngestCommand(ctx, DEMO_CSV, {});
        } else {
          ctx.out(`headlines stored: ${count}`);
        }
        if (flags.serve) await serve(ctx, ctx.config.port);
      }),
    );
}
