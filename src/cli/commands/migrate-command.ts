import type { Command } from 'commander';
import { redactUrl } from '../../config/parse-config.ts';
import { vectorExtensionAdvice } from '../../db/assess-vector-extension.ts';
import { migrateToLatest, migrationStatus } from '../../db/migrations.ts';
import { withDatabase } from '../../app/with-database.ts';
import type { Act } from '../run-command.ts';

export function registerMigrateCommand(program: Command, act: Act): void {
  program
    .command('migrate')
    .description('apply pending database migrations (or list them with --status)')
    .option('--status', 'list applied and pending migrations without changing anything')
    .action((options: { status?: boolean }) =>
      act((ctx) =>
        withDatabase(ctx.config, ctx.logger, async ({ db, mode, connectionString, vectorExtension }) => {
          ctx.out(`database: ${mode} (${redactUrl(connectionString)})`);
          const advice = vectorExtensionAdvice(vectorExtension);
          if (advice) ctx.logger.warn(advice);
          if (options.status) {
            for (const m of await migrationStatus(db)) {
              ctx.out(`${m.appliedAt ? 'applied' : 'pending'}  ${m.name}${m.appliedAt ? `  ${m.appliedAt.toISOString()}` : ''}`);
            }
            return;
          }
          const applied = await migrateToLatest(db);
          if (applied.length === 0) ctx.out('no pending migrations; schema is up to date');
          for (const name of applied) ctx.out(`applied  ${name}`);
        }),
      ),
    );
}
