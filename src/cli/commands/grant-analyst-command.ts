import type { Command } from 'commander';
import { grantAnalystRole } from '../../app/grant-analyst-role.ts';
import type { RunCommandBody } from '../run-command.ts';

export function registerGrantAnalystCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('grant-analyst <role>')
    .description('create (if needed) a read-only login role for SQL analysts: select data, run the search functions, insert into search_queries')
    .action((role: string) =>
      runBody(async (ctx) => {
        const { created } = await grantAnalystRole(ctx.config, ctx.logger, role);
        ctx.out(`${created ? 'created' : 'updated'} role ${role}: read-only on the data, execute on the search functions, insert on search_queries`);
      }),
    );
}
