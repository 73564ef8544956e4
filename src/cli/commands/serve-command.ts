import type { Command } from 'commander';
import type { RunCommandBody } from '../run-command.ts';
import { port } from './option-parsers.ts';

export function registerServeCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('serve')
    .description('serve the GraphQL API (/graphql) with /healthz, /readyz and /metrics')
    .option('--port <n>', 'HTTP port (default PORT, 4000; 0: any free port)', port)
    .action((flags: { port?: number }) =>
      runBody(async ({ config, logger, io }) => {
        const { createApi } = await import('../../app/create-api.ts');
        const api = await createApi(config, logger, { port: flags.port ?? config.port });
        const signal = await io.stopped();
        logger.info(`${signal}: finishing in-flight requests, then stopping`);
        await api.close();
      }),
    );
}
