import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { processIo, type CliIo } from './cli-io.ts';
import { runCommand, type RunCommandBody } from './run-command.ts';
import { registerEmbedCommand } from './commands/embed-command.ts';
import { registerEmbedQueriesCommand } from './commands/embed-queries-command.ts';
import { registerEvalCommand } from './commands/eval-command.ts';
import { registerEvalSearchCommand } from './commands/eval-search-command.ts';
import { registerGrantAnalystCommand } from './commands/grant-analyst-command.ts';
import { registerImportCommand } from './commands/import-command.ts';
import { registerIngestCommand } from './commands/ingest-command.ts';
import { registerMigrateCommand } from './commands/migrate-command.ts';
import { registerReindexCommand } from './commands/reindex-command.ts';
import { registerSearchCommand } from './commands/search-command.ts';
import { registerServeCommand } from './commands/serve-command.ts';
import { registerStartCommand } from './commands/start-command.ts';

/** The `headlines` CLI: parses argv, runs one command, returns its exit code. Callable in-process. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const runBody: RunCommandBody = async (body) => {
    code = await runCommand(io, body);
  };
  const program = new Command()
    .name('headlines')
    .description('Semantic search over news headlines (Universal Sentence Encoder + PostgreSQL/pgvector).')
    .exitOverride()
    // A usage mistake is one line that points at the help, not the help itself.
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`headlines: ${s.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    });
  // Each command imports its application modules when it runs, not here: `ingest` or
  // `--version` would otherwise load the GraphQL server and tfjs first.
  for (const register of [
    registerMigrateCommand,
    registerStartCommand,
    (p: Command, a: RunCommandBody) => registerEvalSearchCommand(registerEvalCommand(p, a), a),
    registerEmbedCommand,
    registerIngestCommand,
    registerImportCommand,
    registerReindexCommand,
    registerServeCommand,
    registerSearchCommand,
    registerEmbedQueriesCommand,
    registerGrantAnalystCommand,
  ]) {
    register(program, runBody);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return code;
}

// Run directly (node dist/cli/main.js, or tsx src/cli/main.ts): a process of its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await run(process.argv.slice(2));
}
