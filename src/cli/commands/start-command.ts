import type { Command } from 'commander';
import { sql } from 'kysely';
import { migrateToLatest } from '../../db/migrations.ts';
import { runCommand, withDatabase } from '../run-command.ts';
import { redactUrl } from './migrate-command.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('prepare the database (migrate) and report what is loaded')
    .action(() =>
      runCommand((ctx) =>
        withDatabase(ctx, async ({ db, mode, connectionString }) => {
          const applied = await migrateToLatest(db);
          ctx.out(`database: ${mode} (${redactUrl(connectionString)}); ${applied.length} migration(s) applied`);
          const { rows } = await sql<{ n: number; ext: string }>`
            select (select count(*)::int from headlines) as n,
                   (select extversion from pg_extension where extname = 'vector') as ext
          `.execute(db);
          ctx.out(`headlines stored: ${rows[0]!.n}; pgvector ${rows[0]!.ext}`);
        }),
      ),
    );
}
