import type { Command } from 'commander';
import type { RunCommandBody } from '../run-command.ts';

export function registerStartCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('start')
    .description('migrate, load the demo headlines into an empty database, then serve the API')
    .option('--no-serve', 'stop after migrating and loading')
    .action((flags: { serve: boolean }) =>
      runBody(async ({ config, logger, io, out }) => {
        const { startApp } = await import('../../app/start-app.ts');
        const api = await startApp(config, logger, { serve: flags.serve, port: config.port, report: out, progress: io.stderr.isTTY ? 'tty' : 'log' });
        if (!api) return;
        const signal = await io.stopped();
        logger.info(`${signal}: finishing in-flight requests, then stopping`);
        await api.close();
      }),
    );
}
