import readline from 'node:readline';
import type { Command } from 'commander';
import { Option } from 'commander';
import { configuredModelId, createEmbedder } from '../../embedding/create-embedder.ts';
import { USE_DIMENSIONS, type Embedder } from '../../embedding/embedder.ts';
import { normalizeText } from '../../embedding/normalize-text.ts';
import { project } from '../../projection/projection.ts';
import type { Projection } from '../../shared/projection-types.ts';
import { AppError, ErrorCode } from '../../errors/app-error.ts';
import { forbiddenCharacter } from '../../shared/forbidden-character.ts';
import { storedProjection } from '../../projection/resolve-projection.ts';
import { withMigratedDatabase } from '../../app/with-database.ts';
import type { Act, CommandContext } from '../run-command.ts';

const CHUNK = 512;

export function registerEmbedCommand(program: Command, act: Act): void {
  program
    .command('embed')
    .description('embed each line of stdin; prints one vector per line, in order (empty lines print null)')
    .option('--projected', "apply the database's stored projection (needs a database that has one)")
    .addOption(new Option('--format <format>', 'json array or pgvector literal').choices(['json', 'sql']).default('json'))
    .action((options: { projected?: boolean; format: 'json' | 'sql' }) =>
      act(async (ctx) => {
        const projection = options.projected ? await readStoredProjection(ctx) : null;
        const format = (v: Float32Array | null) =>
          v === null ? (options.format === 'sql' ? 'NULL' : 'null') : options.format === 'sql' ? `'[${v.join(',')}]'` : `[${v.join(',')}]`;
        let embedder: Embedder | undefined;
        try {
          const lines = readline.createInterface({ input: ctx.io.stdin, crlfDelay: Infinity });
          let chunk: string[] = [];
          let lineNumber = 0;
          const flush = async (last: boolean) => {
            // A short input is embedded in-process (no worker start-up); long ones use the pool.
            embedder ??= await createEmbedder(ctx.config, ctx.logger, last ? 'query' : 'bulk');
            const texts = chunk.map(normalizeText);
            const present = texts.filter((t) => t !== '');
            const vectors = await embedder.embed(present);
            let next = 0;
            const out = texts.map((t) => (t === '' ? null : vectors[next++]!));
            ctx.io.stdout.write(out.map((v) => format(v && projection ? project(projection, v) : v)).join('\n') + '\n');
            chunk = [];
          };
          for await (const line of lines) {
            lineNumber++;
            const forbidden = forbiddenCharacter(line);
            // Refused, not stripped: the vector would be of another text than the line.
            if (forbidden !== null) throw new AppError(ErrorCode.BAD_USER_INPUT, `embed: line ${lineNumber} holds a ${forbidden}, which text may not contain (see docs/input-rules.md)`);
            chunk.push(line);
            if (chunk.length >= CHUNK) await flush(false);
          }
          if (chunk.length > 0) await flush(true);
        } finally {
          await embedder?.close();
        }
      }),
    );
}

function readStoredProjection(ctx: CommandContext): Promise<Projection> {
  return withMigratedDatabase(ctx.config, ctx.logger, async (database) => {
    const stored = await storedProjection(database, { modelId: configuredModelId(ctx.config), inputDimensions: USE_DIMENSIONS });
    if (!stored) throw new AppError(ErrorCode.NOT_FOUND, '--projected: the database has no stored projection yet (run an ingest first)');
    return stored;
  });
}
