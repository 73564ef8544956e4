import type { Command } from 'commander';
import { Option } from 'commander';
import { embedLines } from '../../app/embed-lines.ts';
import type { RunCommandBody } from '../run-command.ts';

export function registerEmbedCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('embed')
    .description('embed each line of stdin; prints one vector per line, in order (empty lines print null)')
    .option('--projected', "apply the database's stored projection (needs a database that has one)")
    .addOption(new Option('--format <format>', 'json array or pgvector literal').choices(['json', 'sql']).default('json'))
    .action((options: { projected?: boolean; format: 'json' | 'sql' }) =>
      runBody(async (ctx) => {
        const format = (v: Float32Array | null) =>
          v === null ? (options.format === 'sql' ? 'NULL' : 'null') : options.format === 'sql' ? `'[${v.join(',')}]'` : `[${v.join(',')}]`;
        await embedLines(ctx.config, ctx.logger, {
          input: ctx.io.stdin,
          projected: options.projected ?? false,
          onVectors: (vectors) => ctx.io.stdout.write(vectors.map(format).join('\n') + '\n'),
        });
      }),
    );
}
