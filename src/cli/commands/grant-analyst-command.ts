import type { Command } from 'commander';
import { grantAnalyst } from '../../db/grant-analyst.ts';
import { runCommand, withMigratedDatabase } from '../run-command.ts';

export function registerGrantAnalystCommand(program: Command): void {
  program
    .command('grant-analyst <role>')
    .description('create (if needed) a read-only login role for SQL analysts: select data, run the search functions, insert into search_queries')
    .action((role: string) =>
      runCommand((ctx) =>
        withMigratedDatabase(ctx, async ({ db }) => {
          const { created } = await grantAnalyst(db, role);
          ctx.out(`${created ? 'created' : 'updated'} role ${role}: read-only on the data, execute on the search functions, insert on search_queries`);
        }),
      ),
    );
}
