import type { Command } from 'commander';
import { migrateDatabase } from '../../app/migrate-database.ts';
import { redactUrl } from '../../config/parse-config.ts';
import type { RunCommandBody } from '../run-command.ts';

export function registerMigrateCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('migrate')
    .description('apply pending database migrations (or list them with --status)')
    .option('--status', 'list applied and pending migrations without changing anything')
    .action((options: { status?: boolean }) =>
      runBody(async (ctx) => {
        const result = await migrateDatabase(ctx.config, ctx.logger, {
          statusOnly: options.status ?? false,
          onOpened: ({ mode, connectionString }) => ctx.out(`database: ${mode} (${redactUrl(connectionString)})`),
        });
        if ('status' in result) {
          for (const m of result.status) {
            ctx.out(`${m.appliedAt ? 'applied' : 'pending'}  ${m.name}${m.appliedAt ? `  ${m.appliedAt.toISOString()}` : ''}`);
          }
          return;
        }
        if (result.applied.length === 0) ctx.out('no pending migrations; schema is up to date');
        for (const name of result.applied) ctx.out(`applied  ${name}`);
      }),
    );
}
